import { describe, expect, test } from '@jest/globals'
import type { FetchLike } from '../../../src/graph/http.ts'
import {
  createLogReader,
  isUnsupportedOperator,
  LOG_READ_LIMIT,
  logsFilter
} from '../../../src/graph/log-reader.ts'
import { PartialRead, pollLogs } from '../../../src/graph/logs.ts'
import { createLogPacer } from '../../../src/graph/log-pacer.ts'
import { GraphError } from '../../../src/graph/http.ts'
import { fakeTime } from './fake-time.ts'
import { testGraphClient } from './test-client.ts'

const JOB = 'API2AAD.b16687d38faf42adb29892cdcaf01c6e.1a03de52-b9c3-4e2c-a1e3-9145aaa8e530'
const BASE = 'https://graph.microsoft.com'
const T0 = Date.parse('2025-03-10T14:00:00Z')

const entry = (i: number): Record<string, unknown> => ({
  id: `log-${i}`,
  activityDateTime: new Date(T0 + i * 1000).toISOString(),
  jobId: JOB,
  provisioningAction: 'create',
  servicePrincipal: { id: 'sp' },
  sourceIdentity: { id: `E${i}` },
  provisioningStatusInfo: { status: 'success', errorInformation: null },
  provisioningSteps: []
})

interface FakeOptions {
  entries: number
  pageSize?: number
  /** Operators answered with 400 BadRequest "Invalid filter clause" (what Graph's reporting APIs say). */
  refuse?: string[]
  /** Another 400 for every query (not about the operator). */
  otherBadRequest?: boolean
  /** The page (by $skiptoken offset) that fails with 503 the first `times` times it is asked for. */
  failPage?: { offset: number; times: number }
  /** Enforce 5 calls per 10 s on the fake clock, with a 429 and Retry-After like the service. */
  throttle?: boolean
  /** Time a call travels before the service counts it, and after, by call number (from 0). */
  latency?: (call: number) => { before: number; after: number }
}

/** A fake provisioning-logs endpoint on the fake clock: opaque-looking skiptokens, absolute nextLinks. */
function fakeGraph(time: { now: () => number; sleep: (ms: number) => Promise<void> }, options: FakeOptions) {
  const { now } = time
  const urls: string[] = []
  const times: number[] = []
  let throttled = 0
  let failures = options.failPage?.times ?? 0
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), { status, headers })
  const fetch: FetchLike = async (url) => {
    const latency = options.latency?.(urls.length) ?? { before: 0, after: 0 }
    await time.sleep(latency.before)
    const answer = await serve(url)
    await time.sleep(latency.after)
    return answer
  }
  const serve = async (url: string): Promise<Response> => {
    urls.push(url)
    const t = now()
    times.push(t)
    if (options.throttle) {
      const recent = times.filter((x) => x > t - LOG_READ_LIMIT.windowMs)
      if (recent.length > LOG_READ_LIMIT.calls) {
        throttled++
        const oldest = recent[recent.length - LOG_READ_LIMIT.calls - 1] as number
        return reply(
          429,
          { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
          { 'Retry-After': String(Math.max(1, Math.ceil((oldest + LOG_READ_LIMIT.windowMs - t) / 1000))) }
        )
      }
    }
    const u = new URL(url)
    const token = u.searchParams.get('$skiptoken')
    const filter = token
      ? Buffer.from(token, 'base64url').toString().split('|')[1]!
      : u.searchParams.get('$filter')!
    if (options.otherBadRequest)
      return reply(400, {
        error: { code: 'BadRequest', message: "Could not find a property named 'jobId'." }
      })
    for (const op of options.refuse ?? [])
      if (filter.includes(`activityDateTime ${op} `))
        return reply(400, { error: { code: 'BadRequest', message: 'Invalid filter clause' } })
    const offset = token ? Number(Buffer.from(token, 'base64url').toString().split('|')[0]) : 0
    if (options.failPage && offset === options.failPage.offset && failures > 0) {
      failures--
      return reply(503, { error: { code: 'ServiceUnavailable', message: 'busy' } })
    }
    const size = options.pageSize ?? 2
    const value = Array.from({ length: Math.max(0, Math.min(size, options.entries - offset)) }, (_, i) =>
      entry(offset + i)
    )
    const body: Record<string, unknown> = { value }
    if (offset + size < options.entries) {
      const next = Buffer.from(`${offset + size}|${filter}`).toString('base64url')
      body['@odata.nextLink'] = `${BASE}/v1.0/auditLogs/provisioning?$top=${size}&$skiptoken=${next}`
    }
    return reply(200, body)
  }
  return { fetch, urls, times, throttledCount: () => throttled }
}

function setup(options: FakeOptions, maxAttempts = 2) {
  const time = fakeTime(T0 + 3600_000)
  const graph = fakeGraph(time, options)
  const client = testGraphClient(graph.fetch, time, { maxAttempts })
  const pacer = createLogPacer({ limit: LOG_READ_LIMIT.calls, windowMs: LOG_READ_LIMIT.windowMs, ...time })
  const reader = createLogReader({
    client,
    version: 'v1.0',
    jobId: JOB,
    servicePrincipalId: 'sp',
    pageSize: options.pageSize ?? 2,
    maxPages: 1000,
    pacer,
    debug: () => undefined
  })
  const filters = (): string[] =>
    graph.urls
      .filter((u) => new URL(u).searchParams.has('$filter'))
      .map((u) => new URL(u).searchParams.get('$filter')!)
  return { time, graph, reader, filters }
}

describe('the log filter', () => {
  test('a strict gt bound one second before the window, in whole seconds; quotes doubled', () => {
    expect(logsFilter("A'B", Date.parse('2025-03-10T14:00:00.750Z'), 'gt', "O'Neil")).toBe(
      "jobId eq 'A''B' and activityDateTime gt 2025-03-10T13:59:59Z and sourceIdentity/id eq 'O''Neil'"
    )
    expect(logsFilter('J', Date.parse('2025-03-10T14:00:00.750Z'), 'ge')).toBe(
      "jobId eq 'J' and activityDateTime ge 2025-03-10T14:00:00Z"
    )
  })

  test('recognises an unsupported operator, and only that, among 400s', () => {
    const error = (status: number, code: string, graphMessage: string): GraphError =>
      new GraphError({ kind: 'rejected', message: 'x', status, code, graphMessage, attempts: 1, at: 0 })
    expect(isUnsupportedOperator(error(400, 'BadRequest', 'Invalid filter clause'))).toBe(true)
    expect(
      isUnsupportedOperator(
        error(400, 'Request_UnsupportedQuery', "Unsupported property filter clause operator 'X'.")
      )
    ).toBe(true)
    expect(isUnsupportedOperator(error(400, 'BadRequest', "Could not find a property named 'jobId'."))).toBe(
      false
    )
    expect(isUnsupportedOperator(error(403, 'BadRequest', 'Invalid filter clause'))).toBe(false)
  })
})

describe('reading the logs', () => {
  test('uses gt; never sends ge when gt is accepted (a service that refuses ge reads fine)', async () => {
    const { reader, filters } = setup({ entries: 3, refuse: ['ge'] })
    const result = await reader.query(T0)
    expect(result.entries).toHaveLength(3)
    expect(reader.operator).toBe('gt')
    expect(filters()).toEqual([`jobId eq '${JOB}' and activityDateTime gt 2025-03-10T13:59:59Z`])
  })

  test('falls back to ge only when gt is refused as unsupported, and remembers it', async () => {
    const { reader, filters } = setup({ entries: 1, refuse: ['gt'] })
    expect((await reader.query(T0)).entries).toHaveLength(1)
    expect(reader.operator).toBe('ge')
    await reader.query(T0, 'E0')
    expect(filters().map((f) => / activityDateTime (\w+) /.exec(f)?.[1])).toEqual(['gt', 'ge', 'ge'])
  })

  test('never queries without a time bound: both operators refused is an error', async () => {
    const { reader, filters } = setup({ entries: 1, refuse: ['gt', 'ge'] })
    await expect(reader.query(T0)).rejects.toThrow(/Invalid filter clause/)
    expect(filters()).toHaveLength(2)
    expect(filters().every((f) => /activityDateTime (gt|ge) /.test(f))).toBe(true)
  })

  test('another 400 does not fall back', async () => {
    const { reader, filters } = setup({ entries: 1, otherBadRequest: true })
    await expect(reader.query(T0)).rejects.toThrow(/Could not find a property/)
    expect(filters()).toHaveLength(1)
  })

  test('follows @odata.nextLink verbatim', async () => {
    const { reader, graph } = setup({ entries: 5 })
    await reader.query(T0)
    expect(graph.urls).toHaveLength(3)
    const link = `${BASE}/v1.0/auditLogs/provisioning?$top=2&$skiptoken=${Buffer.from(`2|jobId eq '${JOB}' and activityDateTime gt 2025-03-10T13:59:59Z`).toString('base64url')}`
    expect(graph.urls[1]).toBe(link)
  })

  test(`paces pages at ${LOG_READ_LIMIT.calls} calls per ${LOG_READ_LIMIT.windowMs / 1000} s: 40 pages, zero 429, near the bound`, async () => {
    const { reader, graph, time } = setup({ entries: 80, throttle: true })
    const start = time.now()
    const result = await reader.query(T0)
    expect(result.entries).toHaveLength(80)
    expect(result.calls).toBe(40)
    expect(graph.throttledCount()).toBe(0)
    // No window ever holds more than 5 calls…
    for (const t of graph.times)
      expect(graph.times.filter((x) => x >= t && x < t + LOG_READ_LIMIT.windowMs).length).toBeLessThanOrEqual(
        5
      )
    // …and the read takes the bound's time: the first 5 at once, then 5 per window.
    expect(time.now() - start).toBe((40 / 5 - 1) * LOG_READ_LIMIT.windowMs)
  })

  test('zero 429 whatever the latency: a call counts from its answer, so a slow first call does not crowd the window', async () => {
    // The first call travels 3 s before the service counts it; the others arrive at once and take 0.5 s back.
    const { reader, graph } = setup({
      entries: 24,
      throttle: true,
      latency: (call) => ({ before: call === 0 ? 3000 : 0, after: 500 })
    })
    await reader.query(T0)
    expect(graph.urls).toHaveLength(12)
    expect(graph.throttledCount()).toBe(0)
  })

  test('honours Retry-After: a 429 holds every later call back', async () => {
    const { time, graph, reader } = setup({ entries: 4, throttle: true })
    // Five calls made elsewhere just now fill the service's window.
    for (let i = 0; i < 5; i++) graph.times.push(time.now())
    await reader.query(T0)
    const ours = graph.times.slice(5)
    expect(graph.throttledCount()).toBe(1)
    // The 429 said 10 s; the retry came exactly then, and the next page right after it.
    expect(ours[1]! - ours[0]!).toBe(10_000)
    expect(ours).toHaveLength(3)
  })

  test('keeps the pages read when a later page fails, and the retry resumes from that nextLink', async () => {
    const { reader, graph } = setup({ entries: 7, failPage: { offset: 4, times: 2 } })
    const failed = await reader.query(T0).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(PartialRead)
    expect((failed as PartialRead).entries.map((e) => e.externalId)).toEqual(['E0', 'E1', 'E2', 'E3'])
    expect((failed as PartialRead).calls).toBe(4) // two pages, then two attempts at the third
    const failedLink = graph.urls[2]!
    const before = graph.urls.length
    const resumed = await reader.query(T0)
    expect(resumed.resumed).toBe(true)
    expect(graph.urls[before]).toBe(failedLink)
    expect(resumed.entries.map((e) => e.externalId)).toEqual(['E4', 'E5', 'E6'])
    // The read after that starts over with a fresh query (new entries may have come).
    await reader.query(T0)
    expect(new URL(graph.urls.at(-4)!).searchParams.has('$skiptoken')).toBe(false)
  })

  test('the poll keeps the entries of a partial read and completes it at the next poll', async () => {
    const { reader, time } = setup({ entries: 6, failPage: { offset: 4, times: 2 } })
    const records = Array.from({ length: 6 }, (_, i) => ({ externalId: `E${i}`, notBefore: T0 }))
    const lines: string[] = []
    const result = await pollLogs({
      reader,
      records,
      overlapMs: 0,
      timeoutMs: 10 * 60_000,
      initialDelayMs: 0,
      readyAt: time.now(),
      intervalMs: 30_000,
      intervalFactor: 1,
      maxIntervalMs: 30_000,
      maxRecordQueries: 0,
      ...time,
      log: { info: (m) => lines.push(m), debug: () => undefined }
    })
    expect(result.entries.size).toBe(6)
    expect(result.polls).toBe(2)
    expect(lines[0]).toMatch(/failed .*503.*trying again at the next poll/)
    expect(lines[1]).toMatch(/poll 1: 4 of 6 records/)
    expect(result.problem).toBeUndefined()
  })
})
