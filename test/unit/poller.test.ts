import { describe, expect, test } from '@jest/globals'
import type { FetchLike } from '../../src/graph/http.ts'
import { createPoller, describeSchedule, type Poller } from '../../src/outcomes/poller.ts'
import { fakeTime } from './graph/fake-time.ts'
import { testGraphClient } from './graph/test-client.ts'

/** A logs endpoint whose one entry (for E1) becomes visible at `visibleAt` on the given clock. */
function setup(timeoutMinutes: number, visibleAt: number, maxWaitMs = Infinity) {
  const time = fakeTime(1_000_000)
  const start = time.now()
  const calls: number[] = []
  // The service's clock runs on: the real time plus the waits the poller compressed.
  const serviceNow = (): number => time.now() + (held.poller?.compressedMs ?? 0)
  const fetch: FetchLike = async () => {
    calls.push(time.now())
    const value =
      serviceNow() >= visibleAt
        ? [
            {
              id: 'log-1',
              activityDateTime: new Date(start + 1000).toISOString(),
              sourceIdentity: { id: 'E1' },
              provisioningAction: 'create',
              provisioningStatusInfo: { status: 'success' }
            }
          ]
        : []
    return new Response(JSON.stringify({ value }), { status: 200 })
  }
  const client = testGraphClient(fetch, time)
  const info: string[] = []
  const held: { poller?: Poller } = {}
  const poller = createPoller({
    client,
    version: 'v1.0',
    jobId: 'J',
    servicePrincipalId: 'sp',
    timeoutMs: timeoutMinutes * 60_000,
    maxWaitMs,
    ...time,
    log: { info: (m) => info.push(m), debug: () => undefined }
  })
  held.poller = poller
  const records = [
    { externalId: 'E1', notBefore: start },
    { externalId: 'E2', notBefore: start }
  ]
  return { time, start, calls, info, poller, records }
}

describe('the log poll schedule (runner minutes)', () => {
  test('logs-timeout 0: one read, no wait at all', async () => {
    const { time, poller, records, calls, info } = setup(0, 0)
    const result = await poller.poll(records, new Set(), time.now())
    expect(time.slept).toEqual([])
    expect(calls).toHaveLength(1)
    expect(result.recordQueries).toBe(0)
    expect(poller.waitedMs).toBe(0)
    expect(info.filter((l) => l.includes('logs-timeout 0'))).toHaveLength(1)
  })

  test('logs-timeout 1: the first read waits 1 min, not 2; a re-send round waits up to 1 min again', async () => {
    const { time, poller, records, start, info } = setup(1, Infinity)
    await poller.poll(records, new Set(), start)
    expect(poller.waitedMs).toBe(60_000)
    // Per-record queries after the deadline are paced calls, not waits for logs: at most 5 calls, one window.
    expect(time.now() - start).toBeLessThan(60_000 + 15_000)
    const resent = time.now()
    await poller.poll([{ externalId: 'E2', notBefore: resent }], new Set(), resent)
    expect(poller.waitedMs).toBe(120_000)
    expect(time.now() - resent).toBeLessThan(60_000 + 15_000)
    // The schedule is printed once, whatever the number of polls.
    expect(info.filter((l) => l.startsWith('Reading the provisioning logs:'))).toEqual([
      describeSchedule(60_000, 10_000)
    ])
    expect(info[0]).toMatch(
      /first read 1 min after the last upload \(at once if that is past\) \(the only read/
    )
  })

  test('logs-timeout 15, logs visible after 6 min: stops once they are read, waits compressed but counted in full', async () => {
    const { time, poller, start } = setup(15, 1_000_000 + 6 * 60_000, 5)
    const result = await poller.poll([{ externalId: 'E1', notBefore: start }], new Set(), start)
    expect(result.entries.has('E1')).toBe(true)
    // 2 min, then 30, 45, 67.5, 101.25 s: the first read after 6 minutes.
    expect(poller.waitedMs).toBe(120_000 + 30_000 + 45_000 + 67_500 + 101_250)
    expect(time.slept.every((ms) => ms <= 5)).toBe(true)
    expect(poller.compressedMs).toBe(poller.waitedMs - 5 * 5)
  })
})
