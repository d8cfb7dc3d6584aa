import { describe, expect, test } from '@jest/globals'
import { managerDependencies, uploadPlan } from '../../src/apply/upload.ts'
import type { UploadResult } from '../../src/apply/upload-result.ts'
import type { FetchLike } from '../../src/graph/http.ts'
import { createPacer } from '../../src/graph/pacer.ts'
import type { PlannedRecord } from '../../src/plan/model.ts'
import { renderUploadSection } from '../../src/report/upload-summary.ts'
import { expectGolden } from '../helpers/golden.ts'
import { fakeGraphClient, fakeTime } from './graph/fake-time.ts'

function plan(size: number, batchSize: number) {
  const records: PlannedRecord[] = Array.from({ length: size }, (_, i) => ({
    fileIndex: 0,
    line: i + 2,
    externalId: `E${i}`,
    userName: undefined,
    managerId: i === 0 ? undefined : 'E0',
    status: 'valid',
    values: i
  }))
  const batches = []
  for (let i = 0; i < size; i += batchSize)
    batches.push({ records: records.slice(i, i + batchSize).map((_, j) => i + j) })
  return { records, batches }
}

function run(statuses: number[], options: { budget?: number; size?: number } = {}) {
  const time = fakeTime(0)
  const seen: string[] = []
  const fetch: FetchLike = async (_url, init) => {
    seen.push(String(init.body))
    const status = statuses.shift() ?? 202
    return new Response(status === 202 ? null : '{"error":{"code":"X","message":"y"}}', {
      status,
      headers: { 'request-id': `r${seen.length}` }
    })
  }
  const client = fakeGraphClient(fetch, time)
  const p = plan(options.size ?? 10, 2)
  return uploadPlan({
    plan: p,
    render: (batch) => batch.records.join(','),
    client,
    target: { servicePrincipalId: 'sp', jobId: 'job' },
    pacer: createPacer({ limit: 40, windowMs: 5000, marginMs: 0, budget: options.budget, ...time }),
    budget: options.budget,
    concurrency: 4,
    now: time.now,
    log: { info: () => undefined, warn: () => undefined, debug: () => undefined }
  }).then((result) => ({ result, seen }))
}

describe('uploadPlan', () => {
  test('stages every batch once, the manager batch first', async () => {
    const { result, seen } = await run([])
    expect(seen[0]).toBe('0,1')
    expect(seen).toHaveLength(5)
    expect(result.totals).toEqual({
      sent: 10,
      retried: 0,
      notSent: 0,
      notSentBy: {},
      requestsSent: 5,
      requestsNotSent: 0
    })
  })

  test('counts retried records and accounts for a request Graph refused', async () => {
    const { result } = await run([503, 202, 400])
    expect(result.totals).toMatchObject({ sent: 8, retried: 2, notSent: 2, notSentBy: { rejected: 2 } })
    expect(result.stopped).toBeUndefined()
  })

  test('stops at the budget and says what was not sent', async () => {
    const { result, seen } = await run([], { budget: 2 })
    expect(seen).toHaveLength(2)
    expect(result.totals).toMatchObject({ sent: 4, notSent: 6, notSentBy: { budget: 6 } })
    expect(result.stopped?.kind).toBe('budget')
  })

  test('managerDependencies: earlier batches holding managers', () => {
    expect(managerDependencies(plan(6, 2))).toEqual([[], [0], [0]])
  })
})

test('the upload section of the job summary (golden)', () => {
  const result: UploadResult = {
    requests: [
      {
        request: 0,
        records: 50,
        outcome: 'staged',
        status: 202,
        requestId: 'a1',
        clientRequestId: 'c1',
        at: 1,
        attempts: 1
      },
      {
        request: 1,
        records: 50,
        outcome: 'staged',
        status: 202,
        requestId: 'a2',
        clientRequestId: 'c2',
        at: 2,
        attempts: 3
      },
      {
        request: 2,
        records: 50,
        outcome: 'not-sent',
        status: 400,
        requestId: 'a3',
        clientRequestId: 'c3',
        at: 3,
        attempts: 1,
        kind: 'rejected',
        reason: 'Graph refused the request: 400 BadRequest: Invalid Data Format | <b>'
      },
      {
        request: 3,
        records: 20,
        outcome: 'not-sent',
        status: null,
        requestId: undefined,
        clientRequestId: undefined,
        at: undefined,
        attempts: 0,
        kind: 'budget',
        reason: 'not sent: daily-call-budget reached'
      }
    ],
    startedAt: 0,
    finishedAt: 12_345,
    calls: 5,
    throttled: 2,
    budget: 5,
    stopped: {
      kind: 'budget',
      message:
        'the daily-call-budget of 5 calls is used up; the remaining requests were not sent (raise daily-call-budget or re-run later).'
    },
    totals: {
      sent: 100,
      retried: 50,
      notSent: 70,
      notSentBy: { rejected: 50, budget: 20 },
      requestsSent: 2,
      requestsNotSent: 2
    }
  }
  expectGolden('upload-summary.md', renderUploadSection(result))
})
