import { afterEach, describe, expect, it } from '@jest/globals'
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type ProvisioningObjectSummary
} from './index.ts'
import { DEFAULT_MAPPING } from './config.ts'
import { ENTERPRISE, CORE, graph, scimUser, upload, uploadAndProcess } from './test-helpers.ts'

let emu: Emulator | undefined
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await startEmulator({ startTime: '2025-03-10T14:00:00Z', ...options })
  return emu
}
afterEach(async () => {
  await emu?.stop()
  emu = undefined
})

const records = (e: Emulator): ProvisioningObjectSummary[] => e.inspect().logs.map((l) => l.record)
const last = (e: Emulator, externalId: string): ProvisioningObjectSummary =>
  records(e)
    .filter((r) => r.sourceIdentity.id === externalId)
    .at(-1)!
const user = (e: Emulator, employeeId: string) =>
  e.inspect().users.find((u) => u.employeeId === employeeId && !u.deleted)

describe('processing cycles', () => {
  it('processes staged records only when the cycle delay has passed, in one cycle', async () => {
    const e = await start({ processing: { delayMs: 5000 } })
    await upload(e, [scimUser('E1')])
    await upload(e, [scimUser('E2')])
    e.clock.advance(4999)
    expect(e.inspect().users).toHaveLength(0)
    expect(e.inspect().queued).toBe(2)
    e.clock.advance(1)
    expect(e.inspect().users).toHaveLength(2)
    const [a, b] = records(e)
    expect(a!.cycleId).toBe(b!.cycleId)
    expect(a!.changeId).not.toBe(b!.changeId)
    expect(a!.activityDateTime).toBe('2025-03-10T14:00:05Z')
    expect(e.job.get()).toMatchObject({
      status: { lastExecution: { state: 'Succeeded', countImported: 2, countExported: 2 } }
    })
  })

  it('creates a user matched by externalId ↔ employeeId with the default mapping', async () => {
    const e = await start()
    await uploadAndProcess(e, [
      scimUser('E1', {
        title: 'Analyst',
        emails: [{ value: 'ada@contoso.example', type: 'work', primary: true }],
        addresses: [{ type: 'work', locality: 'London', country: 'GB' }],
        [ENTERPRISE]: { department: 'Analytics', costCenter: 'CC-42', organization: 'Contoso' }
      })
    ])
    expect(user(e, 'E1')).toMatchObject({
      userPrincipalName: 'usere1@contoso.example',
      displayName: 'UserE1 Test',
      givenName: 'UserE1',
      surname: 'Test',
      jobTitle: 'Analyst',
      mail: 'ada@contoso.example',
      city: 'London',
      country: 'GB',
      department: 'Analytics',
      companyName: 'Contoso',
      employeeOrgData: { costCenter: 'CC-42' },
      accountEnabled: true
    })
    const rec = last(e, 'E1')
    expect(rec).toMatchObject({
      provisioningAction: 'create',
      provisioningStatusInfo: { status: 'success', errorInformation: null }
    })
    expect(rec.targetIdentity.id).toBe(user(e, 'E1')!.id)
    expect(rec.modifiedProperties).toContainEqual({
      displayName: 'accountEnabled',
      oldValue: null,
      newValue: 'True'
    })
    expect(rec.provisioningSteps.map((s) => s.name)).toEqual([
      'EntryImportAdd',
      'EntrySynchronizationScoping',
      'EntrySynchronizationAdd',
      'EntryExportAdd'
    ])
  })

  it('updates, skips unchanged records, disables and re-enables', async () => {
    const e = await start()
    await uploadAndProcess(e, [scimUser('E1')])
    await uploadAndProcess(e, [scimUser('E1', { title: 'Lead' })])
    expect(last(e, 'E1')).toMatchObject({
      provisioningAction: 'update',
      provisioningStatusInfo: { status: 'success' }
    })
    expect(last(e, 'E1').modifiedProperties).toEqual([
      { displayName: 'jobTitle', oldValue: null, newValue: 'Lead' }
    ])

    await uploadAndProcess(e, [scimUser('E1', { title: 'Lead' })])
    const skipped = last(e, 'E1')
    expect(skipped).toMatchObject({
      provisioningAction: 'other',
      provisioningStatusInfo: { status: 'skipped', errorInformation: null }
    })
    expect(skipped.provisioningSteps.at(-1)).toMatchObject({
      name: 'EntrySynchronizationSkip',
      details: { SkipReason: 'RedundantExport' }
    })

    await uploadAndProcess(e, [scimUser('E1', { title: 'Lead', active: false })])
    expect(last(e, 'E1')).toMatchObject({ provisioningAction: 'disable' })
    expect(last(e, 'E1').modifiedProperties).toEqual([
      { displayName: 'accountEnabled', oldValue: 'True', newValue: 'False' }
    ])
    expect(user(e, 'E1')!.accountEnabled).toBe(false)

    await uploadAndProcess(e, [scimUser('E1', { title: 'Lead', active: true })])
    expect(last(e, 'E1')).toMatchObject({ provisioningAction: 'update' })
    expect(user(e, 'E1')!.accountEnabled).toBe(true)
    expect(e.inspect().users).toHaveLength(1)
  })

  it('clears a value sent as an explicit null, and leaves alone one whose key is left out', async () => {
    const e = await start()
    await uploadAndProcess(e, [scimUser('E1', { title: 'Lead' })])
    expect(user(e, 'E1')).toMatchObject({ jobTitle: 'Lead', department: 'Engineering' })
    // The department key is left out: Entra keeps it. The title is null: Entra clears it.
    const { [ENTERPRISE]: _dropped, ...withoutDepartment } = scimUser('E1', { title: null })
    await uploadAndProcess(e, [withoutDepartment])
    expect(last(e, 'E1')).toMatchObject({ provisioningAction: 'update' })
    expect(last(e, 'E1').modifiedProperties).toEqual([
      { displayName: 'jobTitle', oldValue: 'Lead', newValue: null }
    ])
    expect(user(e, 'E1')!.jobTitle ?? null).toBeNull()
    expect(user(e, 'E1')!.department).toBe('Engineering')
  })

  it('matches a pre-existing directory user by employeeId', async () => {
    const e = await start({
      seedUsers: [
        { id: 'seed-1', userPrincipalName: 'old@contoso.example', employeeId: 'E7', displayName: 'Old' }
      ]
    })
    await uploadAndProcess(e, [scimUser('E7')])
    expect(last(e, 'E7')).toMatchObject({ provisioningAction: 'update', targetIdentity: { id: 'seed-1' } })
    expect(e.inspect().users).toHaveLength(1)
  })

  it('applies only mapped attributes that are in the job schema; custom ones after PUT schema', async () => {
    const acme = 'urn:ietf:params:scim:schemas:extension:acme:1.0:User'
    const e = await start({
      processing: {
        mapping: [...DEFAULT_MAPPING, { source: `${acme}:HireDate`, target: 'employeeHireDate' }]
      }
    })
    const payload = scimUser('E1', {
      schemas: [CORE, ENTERPRISE, acme],
      [acme]: { HireDate: '2024-02-01T00:00:00Z', Shoe: '42' }
    })
    await uploadAndProcess(e, [payload])
    expect(user(e, 'E1')).not.toHaveProperty('employeeHireDate')
    expect(last(e, 'E1').provisioningSteps[0]!.details.IgnoredAttributes).toBe(
      `${acme}:HireDate, ${acme}:Shoe`
    )

    const schemaPath = `/beta/servicePrincipals/${e.servicePrincipalId}/synchronization/jobs/${e.jobId}/schema`
    const schema = (await graph(e, 'GET', schemaPath)).json
    schema.directories[0].objects[0].attributes.push({
      anchor: false,
      caseExact: false,
      flowNullValues: false,
      multivalued: false,
      mutability: 'ReadWrite',
      name: `${acme}:HireDate`,
      required: false,
      type: 'String',
      apiExpressions: [],
      metadata: [],
      referencedObjects: []
    })
    expect((await graph(e, 'PUT', schemaPath, { body: schema })).status).toBe(204)
    await uploadAndProcess(e, [payload])
    expect(user(e, 'E1')!.employeeHireDate).toBe('2024-02-01T00:00:00Z')
    expect(last(e, 'E1').provisioningSteps[0]!.details.IgnoredAttributes).toBe(`${acme}:Shoe`)
  })

  it('finds the source directory through the rule, not its position; expression mappings are not read as attributes', async () => {
    const e = await start()
    const schemaPath = `/beta/servicePrincipals/${e.servicePrincipalId}/synchronization/jobs/${e.jobId}/schema`
    const schema = (await graph(e, 'GET', schemaPath)).json
    schema.directories.reverse()
    const mappings = schema.synchronizationRules[0].objectMappings[0].attributeMappings
    const title = mappings.find((m: { targetAttributeName: string }) => m.targetAttributeName === 'jobTitle')
    // A Function whose name is also a source attribute's: the emulator must not take it for a direct mapping.
    title.source = {
      expression: 'title([displayName])',
      name: 'title',
      type: 'Function',
      parameters: [{ key: 'source', value: { name: 'displayName', type: 'Attribute', parameters: [] } }]
    }
    expect((await graph(e, 'PUT', schemaPath, { body: schema })).status).toBe(204)
    await uploadAndProcess(e, [scimUser('E1', { title: 'Engineer' })])
    expect(user(e, 'E1')).toMatchObject({ userPrincipalName: expect.any(String) })
    expect(user(e, 'E1')).not.toHaveProperty('jobTitle')
  })

  it('a manager not in the tenant: the entry stays a success with a skip step naming the property', async () => {
    const e = await start()
    await uploadAndProcess(e, [scimUser('C1', { [ENTERPRISE]: { manager: { value: 'X404' } } })])
    const entries = records(e)
    expect(entries).toHaveLength(1)
    const create = entries[0]!
    expect(create).toMatchObject({
      provisioningAction: 'create',
      provisioningStatusInfo: { status: 'success', errorInformation: null }
    })
    expect(create.provisioningSteps.map((s) => s.name)).toEqual([
      'EntryImportAdd',
      'EntrySynchronizationScoping',
      'EntrySynchronizationAdd',
      'EntrySynchronizationSkip',
      'EntryExportAdd'
    ])
    expect(create.provisioningSteps[3]).toMatchObject({
      provisioningStepType: 'processing',
      status: 'success',
      details: {
        X404: 'manager Add',
        PropertyName: 'manager',
        SkipReason: 'UnableToResolveReferenceAttributeValue'
      }
    })
    expect(create.provisioningSteps.every((s) => s.status !== 'warning')).toBe(true)
    expect(e.inspect().users.find((u) => u.employeeId === 'C1')!.managerId).toBeNull()
  })

  it('a manager processed later in the cycle: create with the skip, then an update of the same change sets it 1–2 s later', async () => {
    const e = await start()
    // A's manager is B, sent after A in the same request; C's manager is not in the tenant.
    await uploadAndProcess(e, [
      scimUser('A1', { [ENTERPRISE]: { manager: { value: 'B1' } } }),
      scimUser('B1'),
      scimUser('C1', { [ENTERPRISE]: { manager: { value: 'X404' } } })
    ])
    const entries = records(e)
    expect(entries.map((r) => [r.sourceIdentity.id, r.provisioningAction, r.activityDateTime])).toEqual([
      ['A1', 'create', '2025-03-10T14:00:05Z'],
      ['B1', 'create', '2025-03-10T14:00:05Z'],
      ['C1', 'create', '2025-03-10T14:00:05Z'],
      ['A1', 'update', '2025-03-10T14:00:06Z']
    ])
    const [createA, , , updateA] = entries
    expect(updateA!.changeId).toBe(createA!.changeId)
    expect(updateA!.cycleId).toBe(createA!.cycleId)
    expect(createA!.provisioningSteps.some((s) => s.name === 'EntrySynchronizationSkip')).toBe(true)
    expect(updateA!.provisioningSteps).toEqual([
      {
        name: 'EntryExportUpdate',
        provisioningStepType: 'export',
        status: 'success',
        description: expect.stringContaining("'A1' was updated"),
        details: { ReportableIdentifier: 'A1' }
      }
    ])
    expect(updateA!.modifiedProperties).toEqual([
      { displayName: 'manager', oldValue: null, newValue: user(e, 'B1')!.id }
    ])
    expect(e.inspect().users.find((u) => u.employeeId === 'A1')!.managerId).toBe(user(e, 'B1')!.id)
    // On the wire: newest first, so the update comes before the create.
    const listed = await graph(e, 'GET', '/v1.0/auditLogs/provisioning')
    const wire = (listed.json.value as ProvisioningObjectSummary[]).map((r) => [
      r.sourceIdentity.id,
      r.provisioningAction
    ])
    expect(wire).toEqual([
      ['A1', 'update'],
      ['C1', 'create'],
      ['B1', 'create'],
      ['A1', 'create']
    ])
    // Sent again later, the manager of C1 is still not resolvable: still a skip step, nothing else changes.
    await uploadAndProcess(e, [scimUser('C1', { [ENTERPRISE]: { manager: { value: 'X404' } } })])
    expect(last(e, 'C1')).toMatchObject({
      provisioningAction: 'other',
      provisioningStatusInfo: { status: 'skipped' }
    })
    expect(
      last(e, 'C1')
        .provisioningSteps.map((s) => s.details.SkipReason)
        .filter(Boolean)
    ).toEqual(['UnableToResolveReferenceAttributeValue', 'RedundantExport'])
  })

  it('a manager processed in an earlier cycle is set by the update of a re-sent report', async () => {
    const e = await start()
    const report = scimUser('E2', { [ENTERPRISE]: { manager: { value: 'E1' } } })
    await uploadAndProcess(e, [report])
    await uploadAndProcess(e, [scimUser('E1')])
    expect(e.inspect().users.find((u) => u.employeeId === 'E2')!.managerId).toBeNull()
    await uploadAndProcess(e, [report])
    expect(last(e, 'E2')).toMatchObject({
      provisioningAction: 'update',
      provisioningStatusInfo: { status: 'success' }
    })
    expect(last(e, 'E2').modifiedProperties).toEqual([
      { displayName: 'manager', oldValue: null, newValue: user(e, 'E1')!.id }
    ])
    const mgr = await graph(e, 'GET', `/v1.0/users/${user(e, 'E2')!.id}/manager`)
    expect(mgr.json.employeeId).toBe('E1')
  })

  it('identities, import details and names as the service logs them; beta adds the deprecated names', async () => {
    const e = await start()
    await uploadAndProcess(e, [scimUser('E1', { [ENTERPRISE]: { department: 'Sales' } })])
    const rec = last(e, 'E1')
    const u = user(e, 'E1')!
    expect(rec.sourceIdentity).toEqual({ id: 'E1', displayName: '', identityType: ENTERPRISE, details: {} })
    expect(rec.targetIdentity).toEqual({
      id: u.id,
      displayName: 'UserE1 Test',
      identityType: 'User',
      details: {
        id: u.id,
        odatatype: 'User',
        DisplayName: 'UserE1 Test',
        UserPrincipalName: 'usere1@contoso.example'
      }
    })
    expect(rec.provisioningSteps[0]!.details).toMatchObject({
      externalId: 'E1',
      namegivenName: 'UserE1',
      urnietfparamsscimschemasextensionenterprise20Userdepartment: 'Sales'
    })
    const path = `/auditLogs/provisioning?$filter=${encodeURIComponent("sourceIdentity/id eq 'E1'")}`
    const beta = (await graph(e, 'GET', `/beta${path}`)).json.value[0]
    expect(beta).toMatchObject({
      action: 'Create',
      provisioningAction: 'create',
      statusInfo: { status: 'success' },
      provisioningStatusInfo: { status: 'success', errorInformation: null }
    })
    const v1 = (await graph(e, 'GET', `/v1.0${path}`)).json.value[0]
    expect(v1).not.toHaveProperty('action')
    expect(v1).not.toHaveProperty('statusInfo')
  })

  it('processes only the work entry of multi-valued attributes', async () => {
    const e = await start()
    await uploadAndProcess(e, [
      scimUser('E1', {
        emails: [{ value: 'home@example.org', type: 'home', primary: true }],
        phoneNumbers: [
          { value: '+44 20 7946 0000', type: 'work' },
          { value: '+44 7700 900000', type: 'mobile' }
        ]
      })
    ])
    const u = user(e, 'E1')!
    expect(u.mail).toBeUndefined()
    expect(u.mobilePhone).toBeUndefined()
  })

  it('resolves a manager listed before the report in the same request', async () => {
    const e = await start()
    await uploadAndProcess(e, [
      scimUser('M1'),
      scimUser('R1', { [ENTERPRISE]: { manager: { value: 'M1' } } })
    ])
    expect(last(e, 'R1').provisioningStatusInfo.status).toBe('success')
    expect(e.inspect().users.find((u) => u.employeeId === 'R1')!.managerId).toBe(user(e, 'M1')!.id)
  })

  describe('per-record failures', () => {
    const failure = (e: Emulator, id: string) => last(e, id).provisioningStatusInfo

    it('UPN on an unverified domain', async () => {
      const e = await start()
      await uploadAndProcess(e, [scimUser('E1', { userName: 'ada@fabrikam.example' })])
      const info = failure(e, 'E1')
      expect(info.status).toBe('failure')
      expect(info.errorInformation).toMatchObject({
        errorCode: 'AzureActiveDirectoryInvalidDomain',
        errorCategory: 'nonServiceFailure'
      })
      expect(info.errorInformation!.reason).toContain('domain does not exist')
      expect(last(e, 'E1')).toMatchObject({ provisioningAction: 'create', targetIdentity: { id: '' } })
      expect(last(e, 'E1').provisioningSteps.at(-1)).toMatchObject({
        name: 'EntryExportAdd',
        status: 'failure'
      })
    })

    it('UPN conflict with another user', async () => {
      const e = await start({
        seedUsers: [{ userPrincipalName: 'UserE1@contoso.example', displayName: 'Someone else' }]
      })
      await uploadAndProcess(e, [scimUser('E1')])
      expect(failure(e, 'E1').errorInformation).toMatchObject({
        errorCode: 'AzureActiveDirectoryInvalidUserPrincipalName'
      })
      expect(failure(e, 'E1').errorInformation!.reason).toContain('already exists')
    })

    it('duplicate source entries within one request (later requests just win)', async () => {
      const e = await start()
      await upload(e, [scimUser('E1'), scimUser('E1', { title: 'x' })])
      await upload(e, [scimUser('E2')])
      await uploadAndProcess(e, [scimUser('E2', { title: 'y' })])
      const e1 = records(e).filter((r) => r.sourceIdentity.id === 'E1')
      expect(e1.map((r) => r.provisioningStatusInfo.errorInformation?.errorCode)).toEqual([
        'DuplicateSourceEntries',
        'DuplicateSourceEntries'
      ])
      expect(user(e, 'E2')!.jobTitle).toBe('y')
    })

    it('duplicate source entries within the cycle when duplicateScope is "cycle"', async () => {
      const e = await start({ processing: { duplicateScope: 'cycle' } })
      await upload(e, [scimUser('E2')])
      await uploadAndProcess(e, [scimUser('E2', { title: 'y' })])
      expect(failure(e, 'E2').errorInformation!.errorCode).toBe('DuplicateSourceEntries')
    })

    it('missing externalId: ImportSkipped', async () => {
      const e = await start()
      const { externalId: _x, ...noId } = scimUser('E1')
      await uploadAndProcess(e, [noId])
      const rec = records(e)[0]!
      expect(rec.sourceIdentity.id).toBe('')
      expect(rec.provisioningStatusInfo.errorInformation!.errorCode).toBe('ImportSkipped')
      expect(rec.provisioningSteps.map((s) => s.provisioningStepType)).toEqual(['import'])
    })

    it('duplicate target entries', async () => {
      const e = await start({
        seedUsers: [
          { userPrincipalName: 'a@contoso.example', employeeId: 'E1' },
          { userPrincipalName: 'b@contoso.example', employeeId: 'E1' }
        ]
      })
      await uploadAndProcess(e, [scimUser('E1')])
      expect(failure(e, 'E1').errorInformation!.errorCode).toBe('DuplicateTargetEntries')
    })

    it('InvalidAnchor once the matched user is gone, until a restart clears the anchors', async () => {
      const e = await start()
      await uploadAndProcess(e, [scimUser('E1')])
      e.directory.removeUser(user(e, 'E1')!.id)
      await uploadAndProcess(e, [scimUser('E1')])
      expect(failure(e, 'E1').errorInformation!.errorCode).toBe('InvalidAnchor')
      e.job.restart('Watermark')
      await uploadAndProcess(e, [scimUser('E1')])
      expect(last(e, 'E1')).toMatchObject({
        provisioningAction: 'create',
        provisioningStatusInfo: { status: 'success' }
      })
    })

    it('MandatoryFieldsMissing when a new user has no UPN', async () => {
      const e = await start()
      const { userName: _u, ...noUpn } = scimUser('E1')
      await uploadAndProcess(e, [noUpn])
      expect(failure(e, 'E1').errorInformation!.errorCode).toBe('MandatoryFieldsMissing')
      expect(e.job.get()).toMatchObject({
        status: { lastExecution: { state: 'EntryLevelErrors', countEscrowed: 1 } }
      })
    })
  })

  it('skips out-of-scope records with a scoping step', async () => {
    const e = await start({ processing: { scoping: [{ source: 'userType', equals: 'Employee' }] } })
    await uploadAndProcess(e, [
      scimUser('E1', { userType: 'Employee' }),
      scimUser('E2', { userType: 'Contractor' })
    ])
    expect(user(e, 'E1')).toBeDefined()
    expect(user(e, 'E2')).toBeUndefined()
    expect(last(e, 'E2').provisioningStatusInfo.status).toBe('skipped')
    expect(last(e, 'E2').provisioningSteps[1]).toMatchObject({
      provisioningStepType: 'scoping',
      details: { 'Scoping filter evaluation passed': 'False' }
    })
  })

  it('processes in request order, in reverse, or in a seeded shuffled order', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `S${i}`)
    const order = async (shuffle: boolean, reverse = false) => {
      const e = await startEmulator({ processing: { shuffle, reverse } })
      try {
        await uploadAndProcess(
          e,
          ids.map((id) => scimUser(id))
        )
        return e.inspect().logs.map((l) => l.record.sourceIdentity.id)
      } finally {
        await e.stop()
      }
    }
    expect(await order(false)).toEqual(ids)
    expect(await order(false, true)).toEqual([...ids].reverse())
    const shuffled = await order(true)
    expect(shuffled).not.toEqual(ids)
    expect([...shuffled].sort()).toEqual(ids)
    expect(await order(true)).toEqual(shuffled)
  })

  it('soft-deletes with the legacy DELETE method when enabled', async () => {
    const e = await start({ graph: { legacyDelete: true } })
    await uploadAndProcess(e, [scimUser('E1')])
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'DELETE',
          bulkId: 'd1',
          path: '/Users',
          data: { schemas: [CORE, ENTERPRISE], externalId: 'E1' }
        }
      ]
    }
    const path = `/v1.0/servicePrincipals/${e.servicePrincipalId}/synchronization/jobs/${e.jobId}/bulkUpload`
    expect((await graph(e, 'POST', path, { body, contentType: 'application/scim+json' })).status).toBe(202)
    e.clock.advance(e.config.processing.delayMs)
    expect(last(e, 'E1').provisioningAction).toBe('delete')
    expect(e.inspect().users[0]!.deleted).toBe(true)
  })

  it('reads users by employeeId', async () => {
    const e = await start()
    await uploadAndProcess(e, [scimUser('E1'), scimUser('E2')])
    const r = await graph(
      e,
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("employeeId eq 'E2'")}&$select=id,employeeId,userPrincipalName`
    )
    expect(r.status).toBe(200)
    expect(r.json.value).toEqual([
      { id: user(e, 'E2')!.id, employeeId: 'E2', userPrincipalName: 'usere2@contoso.example' }
    ])
    const bad = await graph(e, 'GET', `/v1.0/users?$filter=${encodeURIComponent("shoeSize eq '1'")}`)
    expect(bad.status).toBe(400)
  })

  it('is deterministic: same seed and start time give the same ids, Location and timestamps', async () => {
    const run = async () => {
      const e = await startEmulator({ startTime: '2025-03-10T14:00:00Z' })
      try {
        const r = await uploadAndProcess(e, [scimUser('E1'), scimUser('E2')])
        const logs = e.inspect().logs.map((l) => l.record)
        return {
          requestId: r.headers['request-id'],
          location: r.headers.location!.replace(/:\d+\//, ':PORT/'),
          logs
        }
      } finally {
        await e.stop()
      }
    }
    expect(await run()).toEqual(await run())
  })
})
