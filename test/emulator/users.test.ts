import { afterEach, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorOptions } from './index.ts'
import { graph, scimUser, uploadAndProcess } from './test-helpers.ts'

let emu: Emulator | undefined
afterEach(async () => {
  await emu?.stop()
  emu = undefined
})

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await startEmulator({ startTime: '2025-03-10T14:00:00Z', ...options })
  return emu
}

const ADVANCED = { headers: { ConsistencyLevel: 'eventual' } }
const seed = (n: number): Record<string, string | boolean>[] =>
  Array.from({ length: n }, (_, i) => ({
    employeeId: `E${i}`,
    userPrincipalName: `u${i}@contoso.example`,
    employeeType: i % 2 === 0 ? 'Employee' : 'Contractor'
  }))

describe('GET /users (list)', () => {
  it('pages with @odata.nextLink at $top, up to 999, and serves the users bulkUpload processing wrote', async () => {
    const e = await start({ seedUsers: seed(5) })
    await uploadAndProcess(e, [scimUser('P1')])
    const seen: string[] = []
    let path: string | undefined = '/v1.0/users?$select=id,employeeId&$top=2'
    let pages = 0
    while (path) {
      const r = await graph(e, 'GET', path)
      expect(r.status).toBe(200)
      expect(r.headers['x-ms-resource-unit']).toBe('1')
      const body = r.json as { value: { employeeId: string }[]; '@odata.nextLink'?: string }
      seen.push(...body.value.map((u) => u.employeeId))
      path = body['@odata.nextLink']?.replace(e.graphBaseUrl, '')
      pages++
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(['E0', 'E1', 'E2', 'E3', 'E4', 'P1'])
    const tooBig = await graph(e, 'GET', '/v1.0/users?$top=1000')
    expect(tooBig.status).toBe(400)
    expect((tooBig.json as { error: { message: string } }).error.message).toContain('between 1 and 999')
  })

  it('needs ConsistencyLevel: eventual and $count=true for advanced filters, and ignores $count without them', async () => {
    const e = await start({ seedUsers: seed(4) })
    const filter = `$filter=${encodeURIComponent("employeeType eq 'Employee'")}`
    const without = await graph(e, 'GET', `/v1.0/users?${filter}`)
    expect(without.status).toBe(400)
    expect((without.json as { error: { code: string } }).error.code).toBe('Request_UnsupportedQuery')
    const headerOnly = await graph(e, 'GET', `/v1.0/users?${filter}`, ADVANCED)
    expect(headerOnly.status).toBe(400)
    const ok = await graph(e, 'GET', `/v1.0/users?${filter}&$count=true`, ADVANCED)
    expect(ok.status).toBe(200)
    expect(ok.json).toMatchObject({ '@odata.count': 2 })
    const notNull = await graph(
      e,
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent('employeeId ne null and accountEnabled eq true')}&$count=true`,
      ADVANCED
    )
    expect((notNull.json as { value: unknown[] }).value).toHaveLength(4)
    // employeeId eq and accountEnabled eq work by default; $count without the header is silently ignored.
    const simple = await graph(
      e,
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("employeeId eq 'E1' and accountEnabled eq true")}&$count=true`
    )
    expect(simple.status).toBe(200)
    expect(simple.json).not.toHaveProperty('@odata.count')
    expect((simple.json as { value: unknown[] }).value).toHaveLength(1)
  })

  it('expands the manager with a nested $select', async () => {
    const e = await start({
      seedUsers: [
        { id: 'm1', employeeId: 'M' },
        { employeeId: 'R', manager: 'm1' }
      ]
    })
    const r = await graph(
      e,
      'GET',
      `/v1.0/users?$select=employeeId&$expand=${encodeURIComponent('manager($select=id,employeeId)')}`
    )
    expect(r.headers['x-ms-resource-unit']).toBe('2')
    const value = (r.json as { value: Record<string, unknown>[] }).value
    expect(value[1]).toMatchObject({ employeeId: 'R', manager: { id: 'm1', employeeId: 'M' } })
    expect(value[0]).not.toHaveProperty('manager')
  })

  it('throttles user reads by ResourceUnits per app and tenant, with Retry-After and the throttle scope', async () => {
    const e = await start({ graph: { userReads: { windowMs: 10_000, resourceUnits: 4 } } })
    const statuses: number[] = []
    let throttled: Record<string, unknown> = {}
    for (let i = 0; i < 4; i++) {
      const r = await graph(e, 'GET', '/v1.0/users')
      statuses.push(r.status)
      if (r.status === 429) throttled = r.headers
    }
    expect(statuses).toEqual([200, 200, 429, 429])
    expect(Number(throttled['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(throttled['x-ms-throttle-scope']).toMatch(/^Tenant_Application\/Read\//)
    e.clock.advance(10_001)
    expect((await graph(e, 'GET', '/v1.0/users')).status).toBe(200)
    expect(e.inspect().counters.byEndpoint['graph.users']?.throttled).toBe(2)
  })
})
