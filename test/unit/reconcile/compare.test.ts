import { describe, expect, it } from '@jest/globals'
import { compare, type HrRecord } from '../../../src/reconcile/compare.ts'
import { DEFAULT_CORRESPONDENCE, comparedProperties } from '../../../src/reconcile/correspondence.ts'
import { csvField } from '../../../src/outcomes/failed-csv.ts'
import { reconcileFailure, renderReconcileSummary } from '../../../src/reconcile/findings-report.ts'
import { readUsers, usersPath, type EntraUser, type EntraValue } from '../../../src/graph/users.ts'
import type { GraphClient } from '../../../src/graph/http.ts'

const MANAGER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'
const attributes = ['externalId', 'userName', 'active', 'title', MANAGER, 'displayName'].map((path) => ({
  path,
  secret: path === 'displayName'
}))

function hr(
  externalId: string,
  line: number,
  values: { active?: boolean; title?: string; manager?: string; upn?: string; secret?: string } = {},
  valid = true
): HrRecord {
  return {
    externalId,
    file: 'hr/people.csv',
    line,
    valid,
    attributes,
    values: valid
      ? [
          externalId,
          values.upn ?? `${externalId}@contoso.example`,
          values.active ?? true,
          values.title,
          values.manager,
          values.secret
        ]
      : undefined
  }
}

function entra(
  employeeId: string | undefined,
  props: Record<string, EntraValue> = {},
  manager: string | null = null
): EntraUser {
  const map = new Map<string, EntraValue>(Object.entries({ accountEnabled: true, ...props }))
  if (employeeId !== undefined) map.set('employeeId', employeeId)
  return { id: `id-${employeeId ?? 'none'}`, props: map, manager }
}

describe('compare', () => {
  it('finds each class on its HR line, leavers first', () => {
    const result = compare(
      [
        hr('A', 2, { title: 'Engineer', manager: 'B' }),
        hr('B', 3, { active: false }),
        hr('C', 4),
        hr('D', 5, {}, false),
        hr('E', 6, { active: false })
      ],
      [
        entra('A', { jobTitle: 'Analyst', userPrincipalName: 'a@CONTOSO.example' }, 'Z'),
        entra('B'),
        entra('D'),
        entra('E', { accountEnabled: false }),
        entra('X'),
        entra('Y', { accountEnabled: false }),
        entra(undefined)
      ],
      DEFAULT_CORRESPONDENCE
    )
    expect(result.findings.map((f) => [f.class, f.externalId, f.line ?? null])).toEqual([
      ['leaver-enabled', 'B', 3],
      ['drift', 'A', 2],
      ['missing', 'C', 4],
      ['orphan', 'X', null]
    ])
    // UPN differs only in case: no drift; the title and the manager pointing elsewhere do drift.
    expect(result.findings[1]?.attributes.map((a) => a.entra)).toEqual(['jobTitle', 'manager'])
    expect(result.counts).toEqual({ 'leaver-enabled': 1, drift: 1, missing: 1, orphan: 1 })
  })

  it('does not compare empty HR values, and reports an active HR record disabled in Entra as drift', () => {
    const result = compare(
      [hr('A', 2)],
      [entra('A', { accountEnabled: false, jobTitle: 'Kept', userPrincipalName: 'A@contoso.example' })],
      DEFAULT_CORRESPONDENCE
    )
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]?.attributes.map((a) => a.entra)).toEqual(['accountEnabled'])
  })

  it('shows values only with summary-detail full, never for a secret attribute, and names attributes always', () => {
    const result = compare(
      [hr('A', 2, { title: 'Engineer', secret: 'Hidden Name' })],
      [entra('A', { jobTitle: 'Analyst', displayName: 'Other' })],
      DEFAULT_CORRESPONDENCE
    )
    const options = {
      repository: { serverUrl: '', repo: '', sha: '' },
      scope: "employeeType eq 'Employee'",
      calls: 1,
      budgetBytes: 100_000,
      reportFile: 'r.json',
      csvFile: 'f.csv'
    }
    const ids = renderReconcileSummary(result, { ...options, detail: 'ids' })
    expect(ids).toContain('jobTitle (title)')
    expect(ids).not.toContain('Engineer')
    const full = renderReconcileSummary(result, { ...options, detail: 'full' })
    expect(full).toContain('Engineer')
    expect(full).toContain('displayName (displayName)')
    expect(full).not.toContain('Hidden Name')
  })

  it('fails only on the classes listed', () => {
    const result = compare([hr('C', 4)], [entra('X')], DEFAULT_CORRESPONDENCE)
    expect(reconcileFailure(result, ['leaver-enabled'])).toBeUndefined()
    expect(reconcileFailure(result, ['leaver-enabled', 'missing'])).toMatch(/1 finding of class missing/)
  })
})

describe('findings CSV and correspondence', () => {
  it('prefixes cells a spreadsheet would run as formulas', () => {
    expect(['=1+1', '+x', '-x', '@SUM(A1)', '\tx', '\rx', 'plain'].map(csvField)).toEqual([
      "'=1+1",
      "'+x",
      "'-x",
      "'@SUM(A1)",
      "'\tx",
      '"\'\rx"',
      'plain'
    ])
  })

  it('reads nested properties through their parent, follows nextLink on the Graph host, and sends the advanced-query header', async () => {
    const properties = comparedProperties(DEFAULT_CORRESPONDENCE)
    const first = usersPath({
      filter: "employeeType eq 'Employee'",
      properties,
      managerProperty: 'employeeId',
      pageSize: 999
    })
    const query = new URLSearchParams(first.split('?')[1])
    expect(query.get('$select')?.split(',')).toEqual(
      expect.arrayContaining(['id', 'employeeId', 'employeeOrgData'])
    )
    expect(query.get('$select')).not.toContain('/')
    expect(query.get('$expand')).toBe('manager($select=id,employeeId)')
    expect([query.get('$top'), query.get('$count')]).toEqual(['999', 'true'])
    const pages: Record<string, unknown>[] = [
      {
        '@odata.count': 2,
        '@odata.nextLink': 'https://graph.example/v1.0/users?$skiptoken=x',
        value: [
          {
            id: '1',
            employeeId: 'A',
            employeeOrgData: { costCenter: 'CC1' },
            manager: { id: '2', employeeId: 'B' }
          }
        ]
      },
      { value: [{ id: '2', employeeId: 'B', accountEnabled: true }] }
    ]
    const seen: { path: string; headers: Record<string, string> | undefined }[] = []
    const client = {
      origin: 'https://graph.example',
      assertSameOrigin: (url: string) => new URL(url),
      request: async (req: { path: string; headers?: Record<string, string> }) => {
        seen.push({ path: req.path, headers: req.headers })
        return {
          status: 200,
          text: JSON.stringify(pages[seen.length - 1]),
          requestId: undefined,
          clientRequestId: '',
          location: undefined,
          attempts: 1,
          at: 0
        }
      }
    } as unknown as GraphClient
    const pacer = { acquire: async () => undefined, pause: () => undefined, calls: 0 }
    const result = await readUsers({
      client,
      version: 'v1.0',
      filter: '',
      properties,
      managerProperty: 'employeeId',
      pacer,
      pageSize: 999,
      debug: () => undefined
    })
    expect(seen.map((s) => s.path)).toEqual([expect.stringMatching(/^\/users\?/), '/users?$skiptoken=x'])
    expect(seen.every((s) => s.headers?.ConsistencyLevel === 'eventual')).toBe(true)
    expect(result.count).toBe(2)
    expect(result.users[0]?.props.get('employeeOrgData/costCenter')).toBe('CC1')
    expect(result.users[0]?.manager).toBe('B')
    expect(result.users[1]?.manager).toBeNull()
  })
})
