import { afterEach, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorOptions } from './index.ts'
import { call, graph, scimUser, upload, uploadAndProcess } from './test-helpers.ts'

let emu: Emulator | undefined
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await startEmulator({ startTime: '2025-03-10T14:00:00Z', ...options })
  return emu
}
afterEach(async () => {
  await emu?.stop()
  emu = undefined
})

const logs = (e: Emulator, query = '', version = 'v1.0', token?: string) =>
  graph(e, 'GET', `/${version}/auditLogs/provisioning${query}`, { token })
const filter = (e: Emulator, f: string, version = 'v1.0') =>
  logs(e, `?$filter=${encodeURIComponent(f)}`, version)
const ids = (r: { json: { value: { sourceIdentity: { id: string } }[] } }) =>
  r.json.value.map((v) => v.sourceIdentity.id)

describe('GET /auditLogs/provisioning', () => {
  it('returns records with exactly the provisioningObjectSummary shape', async () => {
    const e = await start()
    await uploadAndProcess(e, [scimUser('E1')])
    const r = await logs(e)
    expect(r.status).toBe(200)
    expect(r.json['@odata.context']).toBe(`${e.graphBaseUrl}/v1.0/$metadata#auditLogs/provisioning`)
    const rec = r.json.value[0]
    expect(Object.keys(rec).sort()).toEqual(
      [
        'id',
        'activityDateTime',
        'tenantId',
        'jobId',
        'cycleId',
        'changeId',
        'provisioningAction',
        'durationInMilliseconds',
        'initiatedBy',
        'servicePrincipal',
        'sourceSystem',
        'targetSystem',
        'sourceIdentity',
        'targetIdentity',
        'provisioningStatusInfo',
        'provisioningSteps',
        'modifiedProperties'
      ].sort()
    )
    expect(rec).toMatchObject({
      tenantId: e.tenantId,
      jobId: e.jobId,
      provisioningAction: 'create',
      initiatedBy: { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' },
      servicePrincipal: { id: e.servicePrincipalId, displayName: 'HR API-driven provisioning' },
      sourceIdentity: {
        id: 'E1',
        displayName: '',
        identityType: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
      },
      targetSystem: {
        displayName: 'Microsoft Entra ID',
        details: { ServicePrincipalId: e.servicePrincipalId }
      },
      provisioningStatusInfo: { status: 'success', errorInformation: null }
    })
    expect(Array.isArray(rec.servicePrincipal)).toBe(false)
    expect(rec.provisioningStatusInfo).toHaveProperty('errorInformation', null)
    expect(rec.activityDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    expect(Number.isInteger(rec.durationInMilliseconds)).toBe(true)
    for (const s of rec.provisioningSteps) {
      expect(Object.keys(s).sort()).toEqual([
        'description',
        'details',
        'name',
        'provisioningStepType',
        'status'
      ])
      expect(s.provisioningStepType).toBe(s.provisioningStepType.toLowerCase())
      for (const v of Object.values(s.details)) expect(typeof v).toBe('string')
    }
    for (const m of rec.modifiedProperties)
      expect(Object.keys(m).sort()).toEqual(['displayName', 'newValue', 'oldValue'])
    const one = await logs(e, `/${rec.id}`)
    expect(one.json).toMatchObject({ id: rec.id, changeId: rec.changeId })
  })

  it('shows entries only after the visibility delay', async () => {
    const e = await start({ logs: { visibilityDelayMs: 300_000 } })
    await uploadAndProcess(e, [scimUser('E1')])
    expect((await logs(e)).json.value).toHaveLength(0)
    e.clock.advance(299_999)
    expect((await logs(e)).json.value).toHaveLength(0)
    e.clock.advance(1)
    expect((await logs(e)).json.value).toHaveLength(1)
  })

  it('needs ProvisioningLog.Read.All or AuditLog.Read.All', async () => {
    const e = await start()
    expect(
      (await logs(e, '', 'v1.0', e.issueGraphToken({ roles: ['SynchronizationData-User.Upload'] }))).status
    ).toBe(403)
    expect((await logs(e, '', 'v1.0', e.issueGraphToken({ roles: ['AuditLog.Read.All'] }))).status).toBe(200)
  })

  it('follows the Location header of an upload', async () => {
    const e = await start()
    const r = await uploadAndProcess(e, [scimUser('E1')])
    const followed = await call(e, 'GET', r.headers.location!, {
      headers: { Authorization: `Bearer ${e.issueGraphToken()}` }
    })
    expect(ids(followed)).toEqual(['E1'])
  })

  describe('$filter', () => {
    let e: Emulator
    let cycle1: string
    const setUp = async () => {
      e = await start({ extraJobs: [] })
      await uploadAndProcess(e, [scimUser('A1'), scimUser('A2', { userName: 'bad@nowhere.example' })])
      e.clock.advance(60_000)
      await uploadAndProcess(e, [scimUser('B1')])
      cycle1 = e.inspect().logs[0]!.record.cycleId
    }

    it('jobId (any case of the name), cycleId, sourceIdentity/id and/or', async () => {
      await setUp()
      expect(ids(await filter(e, `jobid eq '${e.jobId}'`))).toEqual(['B1', 'A2', 'A1'])
      expect(ids(await filter(e, `jobId eq '${e.jobId.toUpperCase()}'`))).toEqual([])
      expect(ids(await filter(e, `cycleId eq '${cycle1}'`))).toEqual(['A2', 'A1'])
      expect(ids(await filter(e, `jobid eq '${e.jobId}' and cycleId ne '${cycle1}'`))).toEqual(['B1'])
      expect(ids(await filter(e, `jobid eq '${e.jobId}' and sourceIdentity/id eq 'A1'`))).toEqual(['A1'])
      expect(ids(await filter(e, `sourceIdentity/id eq 'A1' or sourceIdentity/id eq 'B1'`))).toEqual([
        'B1',
        'A1'
      ])
      expect(
        ids(
          await filter(
            e,
            `(sourceIdentity/id eq 'A1' or sourceIdentity/id eq 'B1') and cycleId eq '${cycle1}'`
          )
        )
      ).toEqual(['A1'])
      expect(ids(await filter(e, `contains(sourceIdentity/id, '1')`))).toEqual(['B1', 'A1'])
    })

    it('activityDateTime gt/lt/ge/le with unquoted literals', async () => {
      await setUp()
      // Whole seconds: both records of the first cycle are logged at 14:00:05.
      expect(ids(await filter(e, 'activityDateTime gt 2025-03-10T14:00:05Z'))).toEqual(['B1'])
      expect(ids(await filter(e, 'activityDateTime ge 2025-03-10T14:00:05Z'))).toEqual(['B1', 'A2', 'A1'])
      expect(ids(await filter(e, 'activityDateTime lt 2025-03-10T14:01:10Z'))).toEqual(['A2', 'A1'])
      expect(ids(await filter(e, 'activityDateTime le 2025-03-10T14:00:05.001Z'))).toEqual(['A2', 'A1'])
    })

    it('provisioningStatusInfo/status, and statusInfo/status only on beta', async () => {
      await setUp()
      expect(ids(await filter(e, "provisioningStatusInfo/status eq 'failure'"))).toEqual(['A2'])
      expect(ids(await filter(e, "statusInfo/status eq 'failure'", 'beta'))).toEqual(['A2'])
      expect((await filter(e, "statusInfo/status eq 'failure'")).status).toBe(400)
    })

    it.each([
      ["shoeSize eq 'x'", 'Could not find a property'],
      ["jobid eq 'x' and", 'Syntax error'],
      ["jobid eq 'x", 'Unterminated'],
      ["jobid gt 'x'", "operator 'gt' is not supported"],
      ["activityDateTime gt '2025-03-10T14:00:00Z'", 'incompatible types']
    ])('400 BadRequest for %s', async (f, message) => {
      const e2 = await start()
      const r = await filter(e2, f)
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBe('BadRequest')
      expect(r.json.error.message).toContain(message)
    })

    it('strict mode rejects ge/le on activityDateTime', async () => {
      const e2 = await start({ logs: { strictDateFilter: true } })
      expect((await filter(e2, 'activityDateTime ge 2025-03-10T14:00:00Z')).status).toBe(400)
      expect((await filter(e2, 'activityDateTime gt 2025-03-10T14:00:00Z')).status).toBe(200)
    })
  })

  describe('paging', () => {
    it('pages with $top and an opaque $skiptoken in @odata.nextLink, stable while new entries arrive', async () => {
      const e = await start()
      await uploadAndProcess(
        e,
        Array.from({ length: 5 }, (_, i) => scimUser(`P${i}`))
      )
      const auth = { Authorization: `Bearer ${e.issueGraphToken()}` }
      const first = await logs(e, `?$top=2&$filter=${encodeURIComponent(`jobid eq '${e.jobId}'`)}`)
      expect(ids(first)).toEqual(['P4', 'P3'])
      const next = first.json['@odata.nextLink'] as string
      expect(next.startsWith(`${e.graphBaseUrl}/v1.0/auditLogs/provisioning?$top=2&$filter=`)).toBe(true)
      expect(next).toContain('$skiptoken=')
      await uploadAndProcess(e, [scimUser('LATE')])
      const second = await call(e, 'GET', next, { headers: auth })
      expect(ids(second)).toEqual(['P2', 'P1'])
      const third = await call(e, 'GET', second.json['@odata.nextLink'] as string, { headers: auth })
      expect(ids(third)).toEqual(['P0'])
      expect(third.json['@odata.nextLink']).toBeUndefined()
      expect((await logs(e, '?$skiptoken=garbage')).status).toBe(400)
    })

    it('defaults to the configured page size and caps $top', async () => {
      const e = await start({ logs: { pageSize: 3, maxTop: 4 } })
      await uploadAndProcess(
        e,
        Array.from({ length: 6 }, (_, i) => scimUser(`P${i}`))
      )
      expect((await logs(e)).json.value).toHaveLength(3)
      expect((await logs(e, '?$top=100')).json.value).toHaveLength(4)
      expect((await logs(e, '?$top=0')).status).toBe(400)
    })

    it('supports $orderby activityDateTime asc|desc, or ignores it when configured', async () => {
      const e = await start()
      await uploadAndProcess(e, [scimUser('O1'), scimUser('O2')])
      expect(ids(await logs(e, '?$orderby=activityDateTime%20asc'))).toEqual(['O1', 'O2'])
      expect(ids(await logs(e, '?$orderby=activityDateTime%20desc'))).toEqual(['O2', 'O1'])
      e.config.logs.honourOrderBy = false
      expect(ids(await logs(e, '?$orderby=activityDateTime%20asc'))).toEqual(['O2', 'O1'])
    })
  })

  it('lists nothing for a paused job, until it is started', async () => {
    const e = await start({ jobStatus: 'Paused' })
    await upload(e, [scimUser('E1')])
    e.clock.advance(3_600_000)
    expect((await logs(e)).json.value).toHaveLength(0)
    e.job.setStatus('Active')
    e.clock.advance(e.config.processing.delayMs)
    expect(ids(await logs(e))).toEqual(['E1'])
  })
})

describe('test controls for outcome tests', () => {
  it('fails a record transiently (errorCategory failure) the configured number of times, then processes it', async () => {
    const e = await start({ processing: { transientFailures: { E1: 1 } } })
    await uploadAndProcess(e, [scimUser('E1'), scimUser('E2')])
    const first = (await logs(e)).json.value as Array<{
      sourceIdentity: { id: string }
      provisioningStatusInfo: unknown
      targetIdentity: { id: string }
    }>
    const e1 = first.find((r) => r.sourceIdentity.id === 'E1')
    expect(e1?.provisioningStatusInfo).toMatchObject({
      status: 'failure',
      errorInformation: { errorCode: 'ServiceUnavailable', errorCategory: 'failure' }
    })
    expect(e1?.targetIdentity.id).toBe('')
    await uploadAndProcess(e, [scimUser('E1')])
    const again = (await logs(e, '?$orderby=activityDateTime desc&$top=1')).json.value[0]
    expect(again).toMatchObject({
      provisioningAction: 'create',
      provisioningStatusInfo: { status: 'success' }
    })
  })

  it('hides the entries of listed externalIds, and advances the clock on each new query', async () => {
    const e = await start({ logs: { hiddenSourceIds: ['E2'], clockStepPerQueryMs: 60_000, pageSize: 1 } })
    await upload(e, [scimUser('E1'), scimUser('E2'), scimUser('E3')])
    const before = e.clock.now()
    const first = await logs(e) // +60 s: the 5 s cycle has run
    expect(e.clock.now() - before).toBe(60_000)
    expect(ids(first)).toHaveLength(1)
    const next = await call(e, 'GET', first.json['@odata.nextLink'], {
      headers: { Authorization: `Bearer ${e.issueGraphToken()}` }
    })
    expect(ids(next)).toHaveLength(1)
    expect(e.clock.now() - before).toBe(60_000) // pages do not advance it
    expect(e.inspect().logs).toHaveLength(3)
    expect(ids(await logs(e, '?$top=10')).sort()).toEqual(['E1', 'E3'])
  })
})
