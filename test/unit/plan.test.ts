import { describe, expect, test } from '@jest/globals'
import { loadMapping } from '../../src/mapping/load.ts'
import { buildPlan } from '../../src/plan/plan.ts'
import { memorySource } from '../helpers/memory-source.ts'
import { ValueStore } from '../../src/plan/value-store.ts'
import { createRequestRenderer } from '../../src/plan/batches.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DiagnosticFactory } from '../../src/settings/diagnostic-factory.ts'

const MAPPING = `schemaExtension: urn:ietf:params:scim:schemas:extension:contoso:1.0:User
attributes:
  externalId: '[Id]'
  userName: '[Upn]'
  active: 'Switch([Status], "", "Active", "True", "Gone", "False")'
  name.givenName: '[First]'
  emails[type eq "work"].value: '[Mail]'
  emails[type eq "work"].primary: '"True"'
  addresses[type eq "work"].locality: '[City]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: '[Manager]'
  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate: '[Hire]'
  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:Skip: 'IIF([Status]="Ghost", IgnoreObjectFlow, "")'
`
const HEADERS = ['Id', 'Upn', 'Status', 'First', 'Mail', 'City', 'Manager', 'Hire']

async function plan(rows: string[][], rules = new Map()) {
  return buildPlan(loadMapping(MAPPING, 'mapping.yml'), [memorySource(HEADERS, rows)], {
    batchSize: 2,
    context: { now: () => new Date('2026-01-01T00:00:00Z') },
    diagnostics: new DiagnosticFactory(rules),
    values: new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'values-')), 'store'))
  })
}

describe('buildPlan', () => {
  test('an expression with several values for a single-valued attribute is value-multiple on its line; one non-empty value is the value', async () => {
    const mapping = loadMapping(
      `attributes:\n  externalId: '[Id]'\n  userName: '[Upn]'\n  active: '"True"'\n  addresses[type eq "work"].locality: 'Split([City], ",")'\n`,
      'mapping.yml'
    )
    const rows = [
      ['E1', 'e1@contoso.com', 'Oslo,Bergen'],
      ['E2', 'e2@contoso.com', ',Oslo'],
      ['E3', 'e3@contoso.com', 'Bergen']
    ]
    const result = await buildPlan(mapping, [memorySource(['Id', 'Upn', 'City'], rows)], {
      batchSize: 50,
      context: { now: () => new Date('2026-01-01T00:00:00Z') },
      diagnostics: new DiagnosticFactory(new Map()),
      values: new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'values-')), 'store'))
    })
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'value-multiple',
        severity: 'error',
        line: 2,
        message:
          'addresses[type eq "work"].locality: the expression produced 2 values; a single value is expected'
      })
    ])
    expect(result.records.map((r) => r.status)).toEqual(['invalid', 'valid', 'valid'])
    const sent = JSON.parse(createRequestRenderer(result)({ records: [1, 2] })) as {
      Operations: Array<{ data: { addresses: Array<{ locality: string }> } }>
    }
    expect(sent.Operations.map((o) => o.data.addresses[0]?.locality)).toEqual(['Oslo', 'Bergen'])
  })

  test('builds complete SCIM users, omitting empty values, with booleans and nested objects', async () => {
    const result = await plan([
      ['E1', 'ada@contoso.com', 'Active', 'Ada', 'ada@contoso.com', '', '', '2024-02-01T00:00:00Z']
    ])
    expect(result.diagnostics).toEqual([])
    const request = JSON.parse(createRequestRenderer(result)({ records: [0] }))
    expect(request.Operations[0].data).toEqual({
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
      ],
      externalId: 'E1',
      userName: 'ada@contoso.com',
      active: true,
      name: { givenName: 'Ada' },
      emails: [{ type: 'work', value: 'ada@contoso.com', primary: true }],
      'urn:ietf:params:scim:schemas:extension:contoso:1.0:User': { HireDate: '2024-02-01T00:00:00Z' }
    })
  })

  test('reports each record rule at its line with the externalId, and never sends a record with an error', async () => {
    const result = await plan([
      ['E1', 'ada@contoso.com', 'Active', 'Ada', '', '', '', ''],
      ['', 'x@contoso.com', 'Active', '', '', '', '', ''],
      ['E3', 'not a upn', 'Active', '', '', '', '', ''],
      ['E4', 'e4@contoso.com', 'Retired', '', '', '', '', ''],
      ['E5', 'e5@contoso.com', 'Gone', '', '', '', 'E1', '2024-02-01'],
      ['E6', '', 'Active', '', '', '', 'E1', ''],
      ['E7', 'e7@contoso.com', 'Ghost', '', '', '', '', '']
    ])
    expect(result.diagnostics.map((d) => [d.line, d.externalId, d.severity, d.rule])).toEqual([
      [3, undefined, 'error', 'externalId-missing'],
      [4, 'E3', 'error', 'userName-format'],
      [5, 'E4', 'error', 'active-missing'],
      [6, 'E5', 'error', 'date-format'],
      [7, 'E6', 'warning', 'userName-missing'],
      [8, 'E7', 'notice', 'object-ignored']
    ])
    expect(result.records.map((r) => r.status)).toEqual([
      'valid',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'valid',
      'ignored'
    ])
    expect(result.records.filter((r) => r.values !== undefined)).toHaveLength(2)
    expect(result.diagnostics.find((d) => d.rule === 'userName-format')?.detail).toBe('not a upn')
    expect(result.files[0]).toMatchObject({ records: 7, valid: 2, invalid: 4, ignored: 1 })
  })

  test('a work e-mail that is no address is a warning on its line; the record is still sent', async () => {
    const result = await plan([
      ['E1', 'ada@contoso.com', 'Active', '', 'not-an-email', '', '', ''],
      ['E2', 'bo@contoso.com', 'Active', '', 'bo@contoso.com', '', '', '']
    ])
    expect(result.diagnostics.map((d) => [d.line, d.externalId, d.severity, d.rule, d.message])).toEqual([
      [
        2,
        'E1',
        'warning',
        'email-format',
        'emails[type eq "work"].value is not an e-mail address of the form local@domain.tld'
      ]
    ])
    expect(result.records.map((r) => r.status)).toEqual(['valid', 'valid'])
  })

  test('one run shows every independent problem of a row, and one problem for a row the reader could not split', async () => {
    const source = memorySource(HEADERS, [])
    const quote = {
      severity: 'error',
      rule: 'csv-quote',
      file: 'hr/people.csv',
      line: 4,
      message: 'unclosed'
    } as const
    source.chunks = (async function* () {
      yield [
        { line: 2, values: ['E1', 'a@contoso.com', 'Active', '', '', '', 'E99', ''] },
        { line: 3, values: ['E1', 'b@contoso.com', 'Active', '', '', '', '', ''] },
        {
          line: 4,
          values: ['E4', 'not a upn', 'Retired', '', '', '', 'E98', ''],
          diagnostics: [{ ...quote }]
        }
      ]
    })()
    const result = await buildPlan(loadMapping(MAPPING, 'mapping.yml'), [source], {
      batchSize: 2,
      context: { now: () => new Date('2026-01-01T00:00:00Z') },
      diagnostics: new DiagnosticFactory(new Map()),
      values: new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'values-')), 'store'))
    })
    expect(result.diagnostics.map((d) => [d.line, d.rule]).sort()).toEqual([
      [2, 'externalId-duplicate'],
      [2, 'manager-unknown'],
      [3, 'externalId-duplicate'],
      [4, 'csv-quote']
    ])
  })

  test('a rule set to error blocks the record; set to off it disappears', async () => {
    const rows = [['E6', '', 'Active', '', '', '', '', '']]
    const strict = await plan(rows, new Map([['userName-missing', 'error']]))
    expect(strict.records[0]?.status).toBe('invalid')
    const quiet = await plan(rows, new Map([['userName-missing', 'off']]))
    expect(quiet.diagnostics).toEqual([])
    expect(quiet.records[0]?.status).toBe('valid')
  })

  test('packs valid records into batches of the configured size, managers first', async () => {
    const rows = ['E1', 'E2', 'E3', 'E4', 'E5'].map((id, i) => [
      id,
      `${id.toLowerCase()}@contoso.com`,
      'Active',
      '',
      '',
      '',
      i === 0 ? 'E5' : '',
      ''
    ])
    const result = await plan(rows)
    expect(result.batches.map((b) => b.records.map((i) => result.records[i]?.externalId))).toEqual([
      ['E2', 'E3'],
      ['E4', 'E5'],
      ['E1']
    ])
  })
})
