import { afterEach, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorOptions } from './index.ts'
import { graph, scimUser, upload } from './test-helpers.ts'

let emu: Emulator | undefined
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await startEmulator({ startTime: '2025-03-10T14:00:00Z', ...options })
  return emu
}
afterEach(async () => {
  await emu?.stop()
  emu = undefined
})

const jobs = (e: Emulator) => `/v1.0/servicePrincipals/${e.servicePrincipalId}/synchronization/jobs`
const jobPath = (e: Emulator, action = '') => `${jobs(e)}/${e.jobId}${action ? `/${action}` : ''}`
const status = async (e: Emulator) => (await graph(e, 'GET', jobPath(e))).json.status

describe('synchronization job', () => {
  it('is seeded with a tenant, a provisioning app and an API2AAD.{tenant hex}.{guid} job', async () => {
    const e = await start()
    expect(e.jobId).toBe(`API2AAD.${e.tenantId.replace(/-/g, '')}.${e.config.jobGuid}`)
    const r = await graph(e, 'GET', jobPath(e))
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({
      id: e.jobId,
      templateId: 'API2AAD',
      schedule: { expiration: null, interval: 'PT40M', state: 'Active' },
      status: {
        code: 'Active',
        quarantine: null,
        countSuccessiveCompleteFailures: 0,
        escrowsPruned: false,
        lastExecution: null
      }
    })
    const list = await graph(e, 'GET', jobs(e))
    expect(list.json.value.map((j: { id: string }) => j.id)).toEqual([e.jobId])
  })

  it('can be an API2AD job', async () => {
    const e = await start({ templateId: 'API2AD' })
    expect(e.jobId.startsWith('API2AD.')).toBe(true)
    expect((await upload(e, [scimUser('E1')])).status).toBe(202)
  })

  it('pauses and starts (204, no body); a paused job processes nothing', async () => {
    const e = await start()
    const paused = await graph(e, 'POST', jobPath(e, 'pause'))
    expect(paused.status).toBe(204)
    expect(paused.text).toBe('')
    expect(await status(e)).toMatchObject({ code: 'Paused' })
    expect((await graph(e, 'GET', jobPath(e))).json.schedule.state).toBe('Paused')
    await upload(e, [scimUser('E1')])
    e.clock.advance(600_000)
    expect(e.inspect().users).toHaveLength(0)
    expect((await graph(e, 'POST', jobPath(e, 'start'))).status).toBe(204)
    e.clock.advance(e.config.processing.delayMs)
    expect(e.inspect().users).toHaveLength(1)
  })

  it('reports a forced quarantine, which start clears', async () => {
    const e = await start()
    e.job.setStatus('Quarantine', 'EncounteredQuarantineException')
    const s = await status(e)
    expect(s.code).toBe('Quarantine')
    expect(s.quarantine).toMatchObject({
      reason: 'EncounteredQuarantineException',
      currentBegan: '2025-03-10T14:00:00.000Z',
      seriesCount: 1,
      error: { code: 'QuarantineException', tenantActionable: true }
    })
    await upload(e, [scimUser('E1')])
    e.clock.advance(60_000)
    expect(e.inspect().users).toHaveLength(0)
    await graph(e, 'POST', jobPath(e, 'start'))
    expect(await status(e)).toMatchObject({ code: 'Active', quarantine: null })
    e.clock.advance(e.config.processing.delayMs)
    expect(e.inspect().users).toHaveLength(1)
  })

  it('restart honours resetScope and clears quarantine', async () => {
    const e = await start({ jobStatus: 'Quarantine' })
    const r = await graph(e, 'POST', jobPath(e, 'restart'), {
      body: { criteria: { resetScope: 'Watermark, Escrows, QuarantineState' } }
    })
    expect(r.status).toBe(204)
    expect(await status(e)).toMatchObject({ code: 'Active', quarantine: null, escrowsPruned: true })
  })

  it('restart while idle purges staged uploads; while a cycle is pending they are still processed', async () => {
    const e = await start({ jobStatus: 'Paused' })
    await upload(e, [scimUser('E1')])
    await graph(e, 'POST', jobPath(e, 'restart'), { body: { criteria: { resetScope: 'Full' } } })
    e.clock.advance(60_000)
    expect(e.inspect().users).toHaveLength(0)

    await upload(e, [scimUser('E2')])
    await graph(e, 'POST', jobPath(e, 'restart'), { body: { criteria: { resetScope: 'Escrows' } } })
    e.clock.advance(e.config.processing.delayMs)
    expect(e.inspect().users.map((u) => u.employeeId)).toEqual(['E2'])
  })

  it('GET and PUT schema; PUT rejects a body without directories and rules', async () => {
    const e = await start()
    const r = await graph(e, 'GET', jobPath(e, 'schema'))
    expect(r.status).toBe(200)
    expect(r.json.directories[0]).toMatchObject({ name: 'API' })
    expect(r.json.synchronizationRules[0].objectMappings[0].attributeMappings[0]).toMatchObject({
      source: { name: 'externalId' },
      targetAttributeName: 'employeeId',
      matchingPriority: 1
    })
    expect((await graph(e, 'PUT', jobPath(e, 'schema'), { body: { directories: [] } })).status).toBe(400)
    expect((await graph(e, 'PUT', jobPath(e, 'schema'), { body: r.json })).status).toBe(204)
  })

  it('needs Synchronization.ReadWrite.All to control the job and a read permission to read it', async () => {
    const e = await start()
    const reader = e.issueGraphToken({ roles: ['Synchronization.Read.All'] })
    expect((await graph(e, 'GET', jobPath(e), { token: reader })).status).toBe(200)
    expect((await graph(e, 'POST', jobPath(e, 'pause'), { token: reader })).status).toBe(403)
    const uploader = e.issueGraphToken({ roles: ['SynchronizationData-User.Upload'] })
    expect((await graph(e, 'GET', jobPath(e), { token: uploader })).status).toBe(403)
    expect((await graph(e, 'DELETE', jobPath(e))).status).toBe(405)
    expect((await graph(e, 'GET', `${jobs(e)}/API2AAD.nope`)).status).toBe(404)
  })
})
