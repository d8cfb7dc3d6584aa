import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from './index.ts'
import {
  BULK,
  CORE,
  ENTERPRISE,
  GUID,
  bulkPath,
  bulkRequest,
  call,
  graph,
  scimUser,
  upload
} from './test-helpers.ts'

describe('POST …/bulkUpload', () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({
      startTime: '2025-03-10T14:00:00Z',
      extraJobs: [
        {
          id: 'scim.b16687d38faf42adb29892cdcaf01c6e.0f0e0d0c-0000-4000-8000-000000000001',
          templateId: 'scim'
        }
      ],
      graph: { maxBodyBytes: 64 * 1024 }
    })
  })
  afterAll(() => emu.stop())

  it.each(['v1.0', 'beta'])(
    'answers 202 with an empty body and the exact Location on %s',
    async (version) => {
      const r = await upload(emu, [scimUser('E1')], {
        version,
        headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' }
      })
      expect(r.status).toBe(202)
      expect(r.text).toBe('')
      expect(r.headers['content-length']).toBe('0')
      expect(r.headers.location).toBe(
        `${emu.graphBaseUrl}/${version}/auditLogs/provisioning/?$filter=jobid%20eq%20'${emu.jobId}'`
      )
      expect(r.headers['request-id']).toMatch(GUID)
      expect(r.headers['client-request-id']).toBe('c0ffee00-0000-4000-8000-000000000001')
      expect(JSON.parse(r.headers['x-ms-ags-diagnostic'] as string)).toHaveProperty('ServerInfo')
      expect(r.headers.date).toBe('Mon, 10 Mar 2025 14:00:00 GMT')
    }
  )

  it('generates client-request-id when the client sends none', async () => {
    const r = await upload(emu, [scimUser('E2')])
    expect(r.headers['client-request-id']).toBe(r.headers['request-id'])
  })

  it('accepts a charset parameter on the content type', async () => {
    const r = await graph(emu, 'POST', bulkPath(emu), {
      body: bulkRequest([scimUser('E3')]),
      contentType: 'application/scim+json; charset=utf-8'
    })
    expect(r.status).toBe(202)
  })

  describe('404 and 405', () => {
    it('404 for an unknown service principal or job, in the Graph envelope', async () => {
      const sp = await graph(
        emu,
        'POST',
        `/v1.0/servicePrincipals/00000000-0000-0000-0000-000000000000/synchronization/jobs/${emu.jobId}/bulkUpload`,
        {
          body: bulkRequest([scimUser('E1')]),
          contentType: 'application/scim+json'
        }
      )
      expect(sp.status).toBe(404)
      expect(sp.json.error).toMatchObject({ code: 'Request_ResourceNotFound' })
      expect(sp.json.error.innerError).toMatchObject({ 'request-id': sp.headers['request-id'] })
      const job = await graph(
        emu,
        'POST',
        `/v1.0/servicePrincipals/${emu.servicePrincipalId}/synchronization/jobs/API2AAD.x.y/bulkUpload`,
        {
          body: bulkRequest([scimUser('E1')]),
          contentType: 'application/scim+json'
        }
      )
      expect(job.status).toBe(404)
    })

    it('404 for a job whose template is not API2AAD/API2AD', async () => {
      const id = emu.config.extraJobs[0]!.id
      const r = await graph(
        emu,
        'POST',
        `/v1.0/servicePrincipals/${emu.servicePrincipalId}/synchronization/jobs/${id}/bulkUpload`,
        {
          body: bulkRequest([scimUser('E1')]),
          contentType: 'application/scim+json'
        }
      )
      expect(r.status).toBe(404)
      expect(r.json.error.message).toContain('does not support bulkUpload')
    })

    it.each(['GET', 'PUT', 'PATCH', 'DELETE'])('405 for %s', async (method) => {
      const r = await graph(emu, method, bulkPath(emu))
      expect(r.status).toBe(405)
      expect(r.headers.allow).toBe('POST')
    })
  })

  describe('authorization', () => {
    it('401 InvalidAuthenticationToken without a token, with a bad one, with a foreign audience', async () => {
      for (const token of [
        null,
        'garbage',
        `${emu.issueGraphToken().slice(0, -6)}AAAAAA`,
        emu.issueGraphToken({ audience: 'https://management.azure.com' })
      ]) {
        const r = await upload(emu, [scimUser('E1')], { token })
        expect(r.status).toBe(401)
        expect(r.json.error.code).toBe('InvalidAuthenticationToken')
      }
    })

    it('401 "Access token has expired or is not yet valid." for an expired token', async () => {
      const token = emu.issueGraphToken({ lifetimeSec: 60 })
      emu.clock.advance(61_000)
      const r = await upload(emu, [scimUser('E1')], { token })
      expect(r.status).toBe(401)
      expect(r.json.error.message).toBe('Access token has expired or is not yet valid.')
    })

    it('403 without SynchronizationData-User.Upload; .OwnedBy only counts when the app owns the provisioning app', async () => {
      const none = await upload(emu, [scimUser('E1')], {
        token: emu.issueGraphToken({ roles: ['ProvisioningLog.Read.All'] })
      })
      expect(none.status).toBe(403)
      expect(none.json.error.code).toBe('Authorization_RequestDenied')
      const owned = emu.issueGraphToken({ roles: ['SynchronizationData-User.Upload.OwnedBy'] })
      expect((await upload(emu, [scimUser('E1')], { token: owned })).status).toBe(202)
      emu.config.ownsProvisioningApp = false
      expect((await upload(emu, [scimUser('E1')], { token: owned })).status).toBe(403)
      emu.config.ownsProvisioningApp = true
    })

    it('403 once the app permission is removed from the exchanged token', async () => {
      emu.setRoles(['ProvisioningLog.Read.All'])
      const r = await upload(emu, [scimUser('E1')])
      emu.setRoles([
        'SynchronizationData-User.Upload',
        'ProvisioningLog.Read.All',
        'Synchronization.ReadWrite.All',
        'User.Read.All'
      ])
      expect(r.status).toBe(403)
    })
  })

  describe('content type and body', () => {
    it.each([undefined, 'application/json', 'text/plain'])(
      '400 "Invalid Data Format" for Content-Type %s',
      async (type) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${emu.issueGraphToken()}` }
        if (type) headers['Content-Type'] = type
        const r = await call(emu, 'POST', `${emu.graphBaseUrl}${bulkPath(emu)}`, {
          headers,
          body: JSON.stringify(bulkRequest([scimUser('E1')]))
        })
        expect(r.status).toBe(400)
        expect(r.json.error).toMatchObject({ code: 'BadRequest', message: 'Invalid Data Format' })
      }
    )

    const op = (data: Record<string, unknown> = scimUser('E1'), extra: Record<string, unknown> = {}) => ({
      method: 'POST',
      bulkId: 'b1',
      path: '/Users',
      data,
      ...extra
    })
    const cases: [string, unknown, string][] = [
      ['a non-JSON body', '{"schemas": [', ''],
      ['a non-SCIM body', { name: 'John Doe' }, 'schemas'],
      ['schemas without the BulkRequest URN', { schemas: ['urn:x'], Operations: [op()] }, 'schemas'],
      ['missing Operations', { schemas: [BULK] }, 'Operations'],
      ['empty Operations', { schemas: [BULK], Operations: [] }, 'Operations'],
      [
        '51 operations',
        { schemas: [BULK], Operations: Array.from({ length: 51 }, () => op()) },
        'Operations'
      ],
      [
        'method PATCH',
        { schemas: [BULK], Operations: [op(undefined, { method: 'PATCH' })] },
        'Operations[0].method'
      ],
      [
        'method DELETE (legacy flag off)',
        { schemas: [BULK], Operations: [op(undefined, { method: 'DELETE' })] },
        'Operations[0].method'
      ],
      [
        'path /Groups',
        { schemas: [BULK], Operations: [op(undefined, { path: '/Groups' })] },
        'Operations[0].path'
      ],
      [
        'missing bulkId',
        { schemas: [BULK], Operations: [op(undefined, { bulkId: undefined })] },
        'Operations[0].bulkId'
      ],
      [
        'missing data',
        { schemas: [BULK], Operations: [op(undefined, { data: undefined })] },
        'Operations[0].data'
      ],
      [
        'data.schemas without the core URN',
        { schemas: [BULK], Operations: [op({ ...scimUser('E1'), schemas: [ENTERPRISE] })] },
        'Operations[0].data.schemas'
      ],
      [
        'an extension not listed in data.schemas',
        {
          schemas: [BULK],
          Operations: [
            op({ ...scimUser('E1'), schemas: [CORE, ENTERPRISE], 'urn:acme:1.0:User': { HireDate: 'x' } })
          ]
        },
        'Operations[0].data.schemas'
      ]
    ]
    it.each(cases)('400 for %s', async (_name, body, target) => {
      const r = await graph(emu, 'POST', bulkPath(emu), { body, contentType: 'application/scim+json' })
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBe('BadRequest')
      expect(r.json.error.message).toBe('Invalid Data Format')
      if (target) expect(r.json.error.details[0].target).toBe(target)
      expect(r.json.error.innerError).toEqual({
        date: '2025-03-10T14:01:01',
        'request-id': r.headers['request-id'],
        'client-request-id': r.headers['client-request-id']
      })
    })

    it('accepts exactly 50 operations, and a record without externalId (it fails later)', async () => {
      const fifty = {
        schemas: [BULK],
        Operations: Array.from({ length: 50 }, (_, i) => op(scimUser(`F${i}`), { bulkId: `b${i}` }))
      }
      expect(
        (await graph(emu, 'POST', bulkPath(emu), { body: fifty, contentType: 'application/scim+json' }))
          .status
      ).toBe(202)
      const { externalId: _x, ...noId } = scimUser('E9')
      expect((await upload(emu, [noId])).status).toBe(202)
    })

    it('ignores unknown top-level keys', async () => {
      const body = { ...bulkRequest([scimUser('E1')]), somethingNew: true }
      expect(
        (await graph(emu, 'POST', bulkPath(emu), { body, contentType: 'application/scim+json' })).status
      ).toBe(202)
    })

    it('413 above the configured payload cap', async () => {
      const big = scimUser('E1', { title: 'x'.repeat(70 * 1024) })
      const r = await upload(emu, [big])
      expect(r.status).toBe(413)
    })
  })
})
