import { describe, expect, test } from '@jest/globals'
import { createGraphClient, type FetchLike } from '../../../src/graph/http.ts'
import {
  createLogReader,
  logsFilter,
  parseLogEntry,
  pollLogs,
  servicePrincipalIds,
  type PollOptions
} from '../../../src/graph/logs.ts'
import { fakeTime } from './fake-time.ts'

const JOB = 'API2AAD.b16687d38faf42adb29892cdcaf01c6e.1a03de52-b9c3-4e2c-a1e3-9145aaa8e530'
const BASE = 'https://graph.microsoft.com'

function entry(
  externalId: string,
  time: number,
  overrides: Record<string, unknown> = {},
  id = `${externalId}-${time}`
): Record<string, unknown> {
  return {
    id,
    activityDateTime: new Date(time).toISOString(),
    jobId: JOB,
    cycleId: 'c1',
    changeId: `ch-${id}`,
    provisioningAction: 'create',
    servicePrincipal: { id: 'sp', displayName: 'HR' },
    sourceIdentity: { id: externalId, displayName: 'x', identityType: 'User', details: {} },
    provisioningStatusInfo: { status: 'success', errorInformation: null },
    provisioningSteps: [],
    modifiedProperties: [],
    ...overrides
  }
}

interface FakeLogs {
  fetch: FetchLike
  urls: string[]
  /** Entries visible from this fake time on. */
  add(at: number, record: Record<string, unknown>): void
}

/** A fake logs endpoint: pages of `pageSize`, nextLink with an offset, optional rejection of `ge`. */
function fakeLogs(
  now: () => number,
  options: { pageSize?: number; rejectGe?: boolean; rejectDates?: boolean; nextHost?: string } = {}
): FakeLogs {
  const store: Array<{ at: number; record: Record<string, unknown> }> = []
  const urls: string[] = []
  const fetch: FetchLike = async (url) => {
    urls.push(url)
    const u = new URL(url)
    const filter = u.searchParams.get('$filter') ?? ''
    if ((options.rejectGe && / ge /.test(filter)) || (options.rejectDates && /activityDateTime/.test(filter)))
      return new Response('{"error":{"code":"BadRequest","message":"Invalid filter clause"}}', {
        status: 400
      })
    const offset = Number(u.searchParams.get('$skiptoken') ?? 0)
    const size = options.pageSize ?? 2
    const source = /sourceIdentity\/id eq '([^']*)'/.exec(filter)?.[1]
    const rows = store
      .filter((s) => s.at <= now())
      .map((s) => s.record)
      .filter((r) => source === undefined || (r.sourceIdentity as { id: string }).id === source)
    const body: Record<string, unknown> = { value: rows.slice(offset, offset + size) }
    if (offset + size < rows.length) {
      const next = new URL(url)
      if (options.nextHost) next.host = options.nextHost
      next.searchParams.set('$skiptoken', String(offset + size))
      body['@odata.nextLink'] = next.href
    }
    return new Response(JSON.stringify(body), { status: 200 })
  }
  return { fetch, urls, add: (at, record) => store.push({ at, record }) }
}

function setup(options: Parameters<typeof fakeLogs>[1] = {}, start = 1_000_000) {
  const time = fakeTime(start)
  const logs = fakeLogs(time.now, options)
  const client = createGraphClient({
    baseUrl: BASE,
    version: 'v1.0',
    fetch: logs.fetch,
    tokens: { token: async () => 't', refresh: async () => 't' },
    ...time,
    random: () => 0,
    uuid: () => 'u',
    maxAttempts: 2,
    timing: { retryBaseMs: 10, retryMaxMs: 100, maxRetryAfterMs: 1000, maxWaitMs: Infinity },
    debug: () => undefined
  })
  const reader = createLogReader({
    client,
    version: 'v1.0',
    jobId: JOB,
    servicePrincipalId: 'sp',
    pageSize: 2,
    maxPages: 100,
    debug: () => undefined
  })
  const lines: string[] = []
  const poll = (records: PollOptions['records'], extra: Partial<PollOptions> = {}) =>
    pollLogs({
      reader,
      records,
      overlapMs: 120_000,
      timeoutMs: 15 * 60_000,
      initialDelayMs: 120_000,
      readyAt: time.now(),
      intervalMs: 30_000,
      intervalFactor: 1.5,
      maxIntervalMs: 120_000,
      maxRecordQueries: 3,
      maxWaitMs: Infinity,
      now: time.now,
      sleep: time.sleep,
      log: { info: (m) => lines.push(m), debug: () => undefined },
      ...extra
    })
  return { time, logs, reader, poll, lines }
}

describe('provisioning log entries', () => {
  test('parses the v1.0 shape and tolerates null errorInformation, unknown enums and the beta names', () => {
    const parsed = parseLogEntry(
      entry('E1', 0, {
        provisioningAction: 'unknownFutureValue',
        provisioningStatusInfo: { status: 'someNewStatus', errorInformation: null }
      })
    )
    expect(parsed).toMatchObject({ externalId: 'E1', action: 'unknownfuturevalue', status: 'somenewstatus' })
    expect(parsed?.errorCode).toBeUndefined()
    const beta = parseLogEntry({
      ...entry('E2', 0),
      provisioningAction: undefined,
      provisioningStatusInfo: undefined,
      action: 'Update',
      statusInfo: { status: 'Failure', errorInformation: { errorCode: 'X', errorCategory: 'failure' } }
    })
    expect(beta).toMatchObject({
      action: 'update',
      status: 'failure',
      errorCode: 'X',
      errorCategory: 'failure'
    })
    expect(parseLogEntry({ id: 'x' })).toBeUndefined()
    expect(parseLogEntry(null)).toBeUndefined()
  })

  test('reads skip reasons, skipped values, follow-ups, warnings and accountEnabled changes', () => {
    const parsed = parseLogEntry(
      entry('E1', 0, {
        provisioningSteps: [
          { provisioningStepType: 'import', status: 'success', details: {} },
          { status: 'skipped', details: { 'Scoping filter evaluation passed': 'False' } },
          {
            name: 'EntrySynchronizationSkip',
            provisioningStepType: 'processing',
            status: 'success',
            details: {
              E9: 'manager Add',
              PropertyName: 'manager',
              SkipReason: 'UnableToResolveReferenceAttributeValue'
            }
          },
          { status: 'warning', description: 'A status the CSDL allows', details: null }
        ],
        modifiedProperties: [{ displayName: 'accountEnabled', oldValue: 'False', newValue: 'True' }]
      })
    )
    expect(parsed).toMatchObject({
      skipReason: 'out of scope',
      skips: [{ property: 'manager', value: 'E9', reason: 'UnableToResolveReferenceAttributeValue' }],
      setProperties: ['accountenabled'],
      followUp: false,
      warningText: 'A status the CSDL allows',
      accountEnabled: { from: 'False', to: 'True' }
    })
    const followUp = parseLogEntry(
      entry('E1', 1000, {
        provisioningAction: 'update',
        provisioningSteps: [{ name: 'EntryExportUpdate', provisioningStepType: 'export', status: 'success' }],
        modifiedProperties: [{ displayName: 'manager', oldValue: null, newValue: 'id-of-E9' }]
      })
    )
    expect(followUp).toMatchObject({ followUp: true, skips: [], setProperties: ['manager'] })
  })

  test('reads the Entra object id and the UPN the service assigned from targetIdentity', () => {
    const parsed = parseLogEntry(
      entry('E1', 0, {
        targetIdentity: {
          id: '5d1e0c8a-0000-4000-8000-000000000001',
          displayName: 'Ada',
          identityType: 'User',
          details: {
            id: '5d1e0c8a-0000-4000-8000-000000000001',
            odatatype: 'User',
            UserPrincipalName: 'ada42@contoso.example'
          }
        }
      })
    )
    expect(parsed).toMatchObject({
      targetId: '5d1e0c8a-0000-4000-8000-000000000001',
      userPrincipalName: 'ada42@contoso.example'
    })
    // A failed create logs an empty id: no object.
    const failed = parseLogEntry(entry('E2', 0, { targetIdentity: { id: '', details: {} } }))
    expect(failed?.targetId).toBeUndefined()
    expect(failed?.userPrincipalName).toBeUndefined()
  })

  test('servicePrincipal as an object or an array', () => {
    expect(servicePrincipalIds({ servicePrincipal: { id: 'a' } })).toEqual(['a'])
    expect(servicePrincipalIds({ servicePrincipal: [{ id: 'a' }, { id: 'b' }] })).toEqual(['a', 'b'])
    expect(servicePrincipalIds({})).toEqual([])
  })

  test('filter: job, unquoted date in whole seconds, quotes doubled', () => {
    expect(logsFilter("A'B", Date.parse('2025-03-10T14:00:00.750Z'), 'ge', "O'Neil")).toBe(
      "jobId eq 'A''B' and activityDateTime ge 2025-03-10T14:00:00Z and sourceIdentity/id eq 'O''Neil'"
    )
    expect(logsFilter('J', 0, 'none')).toBe("jobId eq 'J'")
  })
})

describe('reading the logs', () => {
  test('follows every nextLink, de-duplicates by id, ignores other service principals', async () => {
    const { logs, reader } = setup()
    for (let i = 0; i < 7; i++) logs.add(0, entry(`E${i}`, 1_000_000 + i))
    logs.add(0, entry('E0', 1_000_000)) // the same id again
    logs.add(0, { ...entry('X', 1_000_100), servicePrincipal: [{ id: 'other' }] })
    const result = await reader.query(900_000)
    expect(result.calls).toBe(5)
    expect(new Set(result.entries.map((e) => e.id)).size).toBe(7)
    expect(result.entries.some((e) => e.externalId === 'X')).toBe(false)
    expect(logs.urls[0]).toContain('$filter=jobId%20eq%20')
    expect(logs.urls[0]).toContain('$top=2')
  })

  test("falls back to 'gt' when 'ge' is refused, then to the job filter alone", async () => {
    const ge = setup({ rejectGe: true })
    ge.logs.add(0, entry('E1', 1_000_000))
    expect((await ge.reader.query(900_000)).entries).toHaveLength(1)
    expect(ge.reader.operator).toBe('gt')
    expect(ge.logs.urls[1]).toContain('activityDateTime%20gt%20')

    const none = setup({ rejectDates: true })
    none.logs.add(0, entry('E1', 1_000_000))
    none.logs.add(0, entry('OLD', 100))
    const result = await none.reader.query(900_000)
    expect(none.reader.operator).toBe('none')
    expect(result.entries.map((e) => e.externalId)).toEqual(['E1']) // the window applied on the client
  })

  test('never follows a nextLink to another host', async () => {
    const { logs, reader } = setup({ nextHost: 'evil.example' })
    for (let i = 0; i < 3; i++) logs.add(0, entry(`E${i}`, 1_000_000))
    await expect(reader.query(0)).rejects.toThrow(
      /refusing to send the Graph token to https:\/\/evil.example/
    )
    expect(logs.urls.every((u) => u.startsWith(BASE))).toBe(true)
  })
})

describe('polling', () => {
  test('waits, polls with backoff until every record has an entry; calls grow with pages, not records', async () => {
    const { logs, poll, time } = setup()
    const start = time.now()
    for (let i = 0; i < 6; i++) logs.add(start + 6 * 60_000, entry(`E${i}`, start + 5 * 60_000 + i))
    const records = Array.from({ length: 6 }, (_, i) => ({ externalId: `E${i}`, notBefore: start }))
    const result = await poll(records)
    expect(result.entries.size).toBe(6)
    expect(result.problem).toBeUndefined()
    // 2 min initial, then 30, 45, 67.5, 101.25 s: past the 6 minutes the entries need.
    expect(time.slept).toEqual([120_000, 30_000, 45_000, 67_500, 101_250])
    expect(result.polls).toBe(5)
    // 4 empty polls (1 call each) and one of 3 pages.
    expect(result.calls).toBe(4 + 3)
    expect(result.recordQueries).toBe(0)
  })

  test('every entry of a record since its send is kept, in the order read; entries before the send do not count', async () => {
    const { logs, poll, time } = setup()
    const t = time.now()
    logs.add(0, entry('E1', t - 10 * 60_000, { provisioningAction: 'update' })) // an earlier run
    logs.add(
      0,
      entry('E1', t + 1000, { provisioningStatusInfo: { status: 'failure', errorInformation: null } })
    )
    logs.add(0, entry('E1', t + 5000, { provisioningAction: 'update' }))
    const result = await poll([{ externalId: 'E1', notBefore: t }], { timeoutMs: 0 })
    const kept = result.entries.get('E1')?.map((e) => [e.time - t, e.status])
    expect(kept?.sort()).toEqual([
      [1000, 'failure'],
      [5000, 'success']
    ])
    expect(time.slept).toEqual([])
  })

  test('times out: missing records get bounded per-record queries; waits capped by maxWaitMs count in full', async () => {
    const { logs, poll, time } = setup()
    const t = time.now()
    logs.add(0, entry('E0', t + 1000))
    const records = Array.from({ length: 5 }, (_, i) => ({ externalId: `E${i}`, notBefore: t }))
    const result = await poll(records, { timeoutMs: 10 * 60_000, maxWaitMs: 5 })
    expect(result.entries.size).toBe(1)
    expect(result.recordQueries).toBe(3)
    expect(time.slept.every((ms) => ms <= 5)).toBe(true)
    expect(result.finishedAt - t).toBeGreaterThanOrEqual(10 * 60_000)
  })

  test('a 403 stops polling at once with the permission to grant', async () => {
    const time = fakeTime(0)
    let calls = 0
    const client = createGraphClient({
      baseUrl: BASE,
      version: 'v1.0',
      fetch: async () => {
        calls++
        return new Response('{"error":{"code":"Authorization_RequestDenied","message":"no"}}', {
          status: 403
        })
      },
      tokens: { token: async () => 't', refresh: async () => 't' },
      ...time,
      random: () => 0,
      uuid: () => 'u',
      maxAttempts: 2,
      timing: { retryBaseMs: 10, retryMaxMs: 100, maxRetryAfterMs: 1000, maxWaitMs: Infinity },
      debug: () => undefined
    })
    const reader = createLogReader({
      client,
      version: 'v1.0',
      jobId: JOB,
      pageSize: 10,
      maxPages: 10,
      debug: () => undefined
    })
    const result = await pollLogs({
      reader,
      records: [{ externalId: 'E1', notBefore: 0 }],
      overlapMs: 0,
      timeoutMs: 60 * 60_000,
      initialDelayMs: 0,
      readyAt: 0,
      intervalMs: 1000,
      intervalFactor: 1,
      maxIntervalMs: 1000,
      maxRecordQueries: 5,
      maxWaitMs: Infinity,
      ...time,
      log: { info: () => undefined, debug: () => undefined }
    })
    expect(calls).toBe(1)
    expect(result.problem).toMatch(/ProvisioningLog\.Read\.All/)
    expect(result.recordQueries).toBe(0)
  })
})
