/**
 * Failures that quick retries cannot fix (issue 10 point 4): the bucket-full 500 makes the whole upload hold back for
 * bucket-full-wait, within upload-timeout; the daily-quota 429 stops at once. A fake clock whose sleep advances time
 * at once stands for the minutes of waiting.
 */
import { describe, expect, test } from '@jest/globals'
import { uploadPlan } from '../../src/apply/upload.ts'
import type { BucketWait } from '../../src/apply/bucket.ts'
import { lastingFailure, type FetchLike } from '../../src/graph/http.ts'
import { createPacer } from '../../src/graph/pacer.ts'
import type { PlannedRecord } from '../../src/plan/model.ts'
import { fakeGraphClient, fakeTime } from './graph/fake-time.ts'

const BUCKET_FULL =
  "The bucket for synchronization job 'API2AAD.x.y' is full: 10000 operations are waiting to be processed. Try again in 5 to 10 minutes."
const DAILY =
  "Too many requests. The tenant's daily quota of 2000 calls is exhausted. Please try again later."
const MINUTE = 60_000

type Answer = { status: number; message?: string; retryAfter?: string }

function setup(answers: Answer[], bucket: Partial<BucketWait> | undefined, size = 6) {
  const time = fakeTime(Date.parse('2026-11-30T12:00:00Z'))
  const sent: Array<{ at: number; body: string; status: number }> = []
  const fetch: FetchLike = async (_url, init) => {
    const answer = answers.shift() ?? { status: 202 }
    sent.push({ at: time.now(), body: String(init.body), status: answer.status })
    const headers: Record<string, string> = { 'request-id': `r${sent.length}` }
    if (answer.retryAfter) headers['retry-after'] = answer.retryAfter
    const body =
      answer.status === 202
        ? null
        : JSON.stringify({ error: { code: 'X', message: answer.message ?? 'Internal error' } })
    return new Response(body, { status: answer.status, headers })
  }
  const client = fakeGraphClient(fetch, time, {
    random: () => 0.5,
    maxAttempts: 6,
    timing: { retryBaseMs: 1000, retryMaxMs: 60_000, maxRetryAfterMs: 120_000, maxWaitMs: Infinity }
  })
  const records: PlannedRecord[] = Array.from({ length: size }, (_, i) => ({
    fileIndex: 0,
    line: i + 2,
    externalId: `E${i}`,
    userName: undefined,
    managerId: undefined,
    status: 'valid',
    values: i
  }))
  const batches = Array.from({ length: size / 2 }, (_, b) => ({ records: [2 * b, 2 * b + 1] }))
  const warnings: string[] = []
  const start = time.now()
  const result = uploadPlan({
    plan: { records, batches },
    render: (batch) => batch.records.join(','),
    client,
    target: { servicePrincipalId: 'sp', jobId: 'job' },
    pacer: createPacer({ limit: 40, windowMs: 5000, marginMs: 0, budget: undefined, ...time }),
    budget: undefined,
    // One request at a time keeps the order of answers deterministic.
    concurrency: 1,
    now: time.now,
    bucketWait: bucket && {
      waitMs: 5 * MINUTE,
      deadline: start + 60 * MINUTE,
      maxSleepMs: Infinity,
      ...bucket
    },
    log: { info: () => undefined, warn: (m) => warnings.push(m), debug: () => undefined }
  })
  return { result, sent, warnings, start }
}

describe('bucket full (HTTP 500 with the bucket message)', () => {
  test('holds every call back for bucket-full-wait, then sends the rest: no quick retries', async () => {
    const { result, sent, warnings, start } = setup(
      [{ status: 202 }, { status: 500, message: BUCKET_FULL }],
      {}
    )
    const upload = await result
    expect(upload.totals).toMatchObject({ sent: 6, notSent: 0 })
    // Request 2 was sent twice: once refused, once after the full wait; nothing in between.
    expect(sent.map((s) => s.status)).toEqual([202, 500, 202, 202])
    expect(sent[2]!.at - sent[1]!.at).toBe(5 * MINUTE)
    expect(upload.requests[1]).toMatchObject({ outcome: 'staged', attempts: 2 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('Waiting 5 min (bucket-full-wait)')
    expect(warnings[0]).toContain(new Date(sent[1]!.at + 5 * MINUTE).toISOString())
    expect(upload.finishedAt - start).toBe(5 * MINUTE)
  })

  test('waits again while the bucket stays full, within upload-timeout', async () => {
    const full = { status: 500, message: BUCKET_FULL }
    const { result, sent } = setup([full, full, full], { waitMs: 7 * MINUTE })
    const upload = await result
    expect(upload.totals.sent).toBe(6)
    expect(sent).toHaveLength(6)
    expect(sent[3]!.at - sent[0]!.at).toBe(21 * MINUTE)
  })

  test('stops when the next wait would pass upload-timeout, naming every record not sent', async () => {
    const full = { status: 500, message: BUCKET_FULL }
    const { result, sent, start } = setup([{ status: 202 }, full, full, full], {
      waitMs: 10 * MINUTE,
      deadline: Date.parse('2026-11-30T12:15:00Z')
    })
    const upload = await result
    // Sent at 0 (202), 0 (500), waited 10 min, 10 min (500): a second wait would end at 20 > 15.
    expect(sent.map((s) => (s.at - start) / MINUTE)).toEqual([0, 0, 10])
    expect(upload.stopped?.kind).toBe('bucket-full')
    expect(upload.stopped?.message).toContain('upload-timeout')
    expect(upload.totals).toMatchObject({ sent: 2, notSent: 4, notSentBy: { 'bucket-full': 2, stopped: 2 } })
    expect(upload.requests.map((r) => r.outcome)).toEqual(['staged', 'not-sent', 'not-sent'])
    expect(upload.requests[1]).toMatchObject({ status: 500, kind: 'bucket-full', attempts: 2 })
    expect(upload.requests[2]).toMatchObject({ status: null, kind: 'stopped', attempts: 0 })
  })

  test('an ordinary 500 is still retried with backoff', async () => {
    const { result, sent } = setup([{ status: 500, message: 'Internal error' }], {})
    const upload = await result
    expect(upload.totals.sent).toBe(6)
    expect(sent[1]!.at - sent[0]!.at).toBeLessThan(MINUTE)
  })
})

describe('daily quota (429)', () => {
  test('stops at the first 429 that names the daily quota: no retry, says when it frees', async () => {
    const { result, sent } = setup([{ status: 202 }, { status: 429, message: DAILY, retryAfter: '3600' }], {})
    const upload = await result
    expect(sent).toHaveLength(2)
    expect(upload.stopped?.kind).toBe('quota')
    expect(upload.stopped?.retryAt).toBe(sent[1]!.at + 3600_000)
    expect(upload.stopped?.message).toContain('frees at 2026-11-30T13:00:00.000Z')
    expect(upload.totals).toMatchObject({ sent: 2, notSent: 4, notSentBy: { quota: 2, stopped: 2 } })
  })

  test('without Retry-After it says the quota is counted over 24 hours', async () => {
    const { result, sent } = setup([{ status: 429, message: DAILY }], undefined)
    const upload = await result
    expect(sent).toHaveLength(1)
    expect(upload.stopped?.retryAt).toBeUndefined()
    expect(upload.stopped?.message).toContain('rolling 24 hours')
    expect(upload.totals.notSent).toBe(6)
  })

  test('a window 429 with a short Retry-After is waited out and retried', async () => {
    const { result, sent } = setup([{ status: 429, message: 'Too many requests.', retryAfter: '2' }], {})
    const upload = await result
    expect(upload.totals.sent).toBe(6)
    expect(sent[1]!.at - sent[0]!.at).toBe(2000)
  })
})

test('lastingFailure tells lasting failures from transient ones', () => {
  expect(lastingFailure(500, BUCKET_FULL, undefined, 120_000)).toBe('bucket-full')
  expect(lastingFailure(500, 'Internal error', undefined, 120_000)).toBeUndefined()
  expect(lastingFailure(503, BUCKET_FULL, undefined, 120_000)).toBeUndefined()
  expect(lastingFailure(429, DAILY, 1000, 120_000)).toBe('quota')
  expect(lastingFailure(429, 'Too many requests', 1000, 120_000)).toBeUndefined()
  expect(lastingFailure(429, 'Too many requests', 3_600_000, 120_000)).toBe('quota')
})
