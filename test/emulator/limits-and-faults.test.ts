import { afterEach, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorOptions } from './index.ts'
import { call, graph, scimUser, upload } from './test-helpers.ts'

let emu: Emulator | undefined
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await startEmulator({ startTime: '2025-03-10T14:00:00Z', ...options })
  return emu
}
afterEach(async () => {
  await emu?.stop()
  emu = undefined
})

const fifty = (prefix: string) => Array.from({ length: 50 }, (_, i) => scimUser(`${prefix}${i}`))

describe('rate limits', () => {
  it('allows 40 calls in 5 s, answers the 41st with 429 TooManyRequests and Retry-After, then lets the client back', async () => {
    const e = await start()
    for (let i = 0; i < 40; i++) expect((await upload(e, [scimUser(`R${i}`)])).status).toBe(202)
    const r = await upload(e, [scimUser('R40')])
    expect(r.status).toBe(429)
    expect(r.json.error.code).toBe('TooManyRequests')
    expect(r.headers['retry-after']).toBe('5')
    e.clock.advance(5000)
    expect((await upload(e, [scimUser('R41')])).status).toBe(202)
    const counters = e.inspect().counters
    expect(counters.throttled).toBe(1)
    expect(counters.byEndpoint['graph.bulkUpload']).toMatchObject({
      calls: 42,
      throttled: 1,
      byStatus: { '202': 41, '429': 1 }
    })
  })

  it('counts calls in a sliding window, throttled ones included', async () => {
    const e = await start({ graph: { rateLimit: { windowMs: 5000, maxCalls: 2, dailyQuota: 100 } } })
    expect((await upload(e, [scimUser('A')])).status).toBe(202)
    e.clock.advance(3000)
    expect((await upload(e, [scimUser('B')])).status).toBe(202)
    const r = await upload(e, [scimUser('C')])
    expect(r.status).toBe(429)
    expect(r.headers['retry-after']).toBe('5')
    e.clock.advance(2000)
    // The first call left the window, but the throttled one still counts.
    expect((await upload(e, [scimUser('D')])).status).toBe(429)
  })

  it('enforces the daily quota with a long Retry-After', async () => {
    const e = await start({ graph: { rateLimit: { windowMs: 5000, maxCalls: 40, dailyQuota: 3 } } })
    for (let i = 0; i < 3; i++) {
      expect((await upload(e, [scimUser(`Q${i}`)])).status).toBe(202)
      e.clock.advance(10_000)
    }
    const r = await upload(e, [scimUser('Q3')])
    expect(r.status).toBe(429)
    expect(r.json.error.message).toContain('daily quota')
    expect(Number(r.headers['retry-after'])).toBe(24 * 3600 - 30)
  })
})

describe('the job queue ("bucket")', () => {
  const bucketFull = (r: { status: number; json: { error: { message: string } } }, e: Emulator) => {
    expect(r.status).toBe(500)
    expect(r.json.error.message).toMatch(
      new RegExp(`^The bucket for synchronization job '${e.jobId.replace(/\./g, '\\.')}' is full`)
    )
  }

  it('answers 500 "bucket … is full" when the queue cannot take the operations', async () => {
    const e = await start({ graph: { queueCapacity: 60 } })
    expect((await upload(e, fifty('A'))).status).toBe(202)
    bucketFull(await upload(e, fifty('B')), e)
    e.clock.advance(e.config.processing.delayMs)
    expect((await upload(e, fifty('B'))).status).toBe(202)
  })

  it('fills while the job is paused (nothing drains it), or at once with queueCapacityWhenStopped 0', async () => {
    const e = await start({ jobStatus: 'Paused', graph: { queueCapacity: 100 } })
    expect((await upload(e, fifty('A'))).status).toBe(202)
    expect((await upload(e, fifty('B'))).status).toBe(202)
    e.clock.advance(60_000)
    bucketFull(await upload(e, fifty('C')), e)
    e.config.graph.queueCapacityWhenStopped = 0
    e.job.setStatus('Active')
    e.clock.advance(e.config.processing.delayMs)
    e.job.setStatus('Quarantine')
    bucketFull(await upload(e, [scimUser('D')]), e)
  })
})

describe('fault injection', () => {
  it('makes the 3rd–5th bulkUpload 429 without Retry-After', async () => {
    const e = await start({ faults: [{ target: 'graph.bulkUpload', from: 3, to: 5, status: 429 }] })
    const statuses = []
    for (let i = 0; i < 6; i++) {
      const r = await upload(e, [scimUser(`X${i}`)])
      statuses.push(r.status)
      if (r.status === 429) {
        expect(r.headers['retry-after']).toBeUndefined()
        expect(r.json.error.code).toBe('TooManyRequests')
      }
    }
    expect(statuses).toEqual([202, 202, 429, 429, 429, 202])
    expect(
      e
        .inspect()
        .requests.filter((q) => q.fault)
        .map((q) => q.seq)
    ).toEqual([3, 4, 5])
  })

  it('answers 429 with Retry-After, 500, 503 with Retry-After and 504 as configured', async () => {
    const e = await start({
      faults: [
        { target: 'graph.bulkUpload', from: 1, to: 1, status: 429, retryAfter: 7 },
        { target: 'graph.bulkUpload', from: 2, to: 2, status: 500 },
        {
          target: 'graph.bulkUpload',
          from: 3,
          to: 3,
          status: 503,
          retryAfter: 'Mon, 10 Mar 2025 14:00:30 GMT'
        },
        { target: 'graph.bulkUpload', from: 4, to: 4, status: 504 }
      ]
    })
    const replies = []
    for (let i = 0; i < 5; i++) replies.push(await upload(e, [scimUser(`Y${i}`)]))
    expect(replies.map((r) => r.status)).toEqual([429, 500, 503, 504, 202])
    expect(replies[0]!.headers['retry-after']).toBe('7')
    expect(replies[2]!.headers['retry-after']).toBe('Mon, 10 Mar 2025 14:00:30 GMT')
    expect(replies.slice(0, 4).map((r) => r.json.error.code)).toEqual([
      'TooManyRequests',
      'InternalServerError',
      'ServiceUnavailable',
      'GatewayTimeout'
    ])
    expect(replies[1]!.headers['request-id']).toBeDefined()
  })

  it('answers as a full bucket (500) and an exhausted daily quota (429) on the chosen calls', async () => {
    const e = await start({
      faults: [
        { target: 'graph.bulkUpload', from: 2, to: 2, kind: 'bucket-full' },
        { target: 'graph.bulkUpload', from: 3, to: 3, kind: 'daily-quota' },
        { target: 'graph.bulkUpload', from: 4, to: 4, kind: 'daily-quota', retryAfter: 120 }
      ]
    })
    expect((await upload(e, [scimUser('K0')])).status).toBe(202)
    const full = await upload(e, [scimUser('K1')])
    expect(full.status).toBe(500)
    expect(full.json.error.code).toBe('InternalServerError')
    expect(full.json.error.message).toBe(
      `The bucket for synchronization job '${e.jobId}' is full. Try again in 5 to 10 minutes.`
    )
    const quota = await upload(e, [scimUser('K2')])
    expect(quota.status).toBe(429)
    expect(quota.json.error.message).toContain("The tenant's daily quota of 2000 calls is exhausted")
    expect(quota.headers['retry-after']).toBe('3600')
    expect((await upload(e, [scimUser('K3')])).headers['retry-after']).toBe('120')
    expect((await upload(e, [scimUser('K4')])).status).toBe(202)
    // Neither refused request was staged.
    expect(e.inspect().queued).toBe(2)
  })

  it('drops the connection of the 2nd call', async () => {
    const e = await start({ faults: [{ target: 'graph', from: 2, to: 2, drop: true }] })
    expect((await upload(e, [scimUser('Z1')])).status).toBe(202)
    await expect(upload(e, [scimUser('Z2')])).rejects.toThrow(/socket hang up|ECONNRESET/)
    expect((await upload(e, [scimUser('Z3')])).status).toBe(202)
    expect(e.inspect().requests[1]).toMatchObject({ status: null, fault: true })
    expect(e.inspect().counters.byEndpoint['graph.bulkUpload']!.byStatus).toEqual({ '202': 2, dropped: 1 })
  })

  it('slows responses down', async () => {
    const e = await start()
    e.faults.add({ target: 'graph.logs', delayMs: 150 })
    const began = performance.now()
    const r = await graph(e, 'GET', '/v1.0/auditLogs/provisioning')
    expect(r.status).toBe(200)
    expect(performance.now() - began).toBeGreaterThanOrEqual(140)
  })

  it('counts a rule added at run time from its own start, and clears', async () => {
    const e = await start()
    await upload(e, [scimUser('A')])
    e.faults.add({ target: 'graph.bulkUpload', from: 1, to: 1, status: 503 })
    expect((await upload(e, [scimUser('B')])).status).toBe(503)
    e.faults.add({ target: 'graph.bulkUpload', status: 500 })
    e.faults.clear()
    expect((await upload(e, [scimUser('C')])).status).toBe(202)
  })

  it('injects faults into the OIDC and Entra endpoints too', async () => {
    const e = await start({
      faults: [
        { target: 'oidc.token', from: 1, to: 1, status: 503 },
        { target: 'entra.discovery', from: 1, to: 1, status: 500 }
      ]
    })
    const auth = { Authorization: `Bearer ${e.oidc.requestToken}` }
    expect((await call(e, 'GET', `${e.oidc.requestUrl}&audience=x`, { headers: auth })).status).toBe(503)
    expect((await call(e, 'GET', `${e.oidc.requestUrl}&audience=x`, { headers: auth })).status).toBe(200)
    const conf = `${e.authorityHost}/${e.tenantId}/v2.0/.well-known/openid-configuration`
    expect((await call(e, 'GET', conf)).status).toBe(500)
    expect((await call(e, 'GET', conf)).status).toBe(200)
  })

  it('is controllable over HTTP too (/_emulator), which the counters ignore', async () => {
    const e = await start()
    const control = (method: string, what: string, body?: unknown) =>
      call(e, method, `${e.graphBaseUrl}/_emulator/${what}`, {
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    expect((await control('POST', 'faults', { target: 'graph.bulkUpload', status: 504 })).status).toBe(200)
    expect((await upload(e, [scimUser('A')])).status).toBe(504)
    await control('DELETE', 'faults')
    await control('POST', 'job/status', { code: 'Paused' })
    expect((await upload(e, [scimUser('A')])).status).toBe(202)
    await control('POST', 'clock/advance', { ms: 60_000 })
    const inspected = await control('GET', 'inspect')
    expect(inspected.json).toMatchObject({
      now: '2025-03-10T14:01:00.000Z',
      queued: 1,
      counters: { calls: 2 }
    })
    expect(inspected.json.jobs[0].status.code).toBe('Paused')
  })
})
