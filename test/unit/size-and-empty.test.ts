/**
 * Plan-time size limits (issue 11 row 6) and empty values (issue 10 point 5): the attribute lengths Entra documents,
 * the byte bound of an operation, batches packed by bytes, and empty values sent as null only where clearing is
 * meant.
 */
import { describe, expect, test } from '@jest/globals'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadMapping } from '../../src/mapping/load.ts'
import { ValueStore } from '../../src/plan/value-store.ts'
import type { PlannedRecord } from '../../src/plan/model.ts'
import { createRequestRenderer, packBatches } from '../../src/plan/batches.ts'
import { MAX_REQUEST_BYTES, REQUEST_ENVELOPE_BYTES } from '../../src/common/service-limits.ts'
import { createSizeEstimator } from '../../src/scim/size.ts'
import { createPayloadWriter, type MappedValue } from '../../src/scim/user.ts'
import { createRecordValidator } from '../../src/validate/record.ts'
import { DiagnosticFactory } from '../../src/settings/diagnostic-factory.ts'
import type { Diagnostic } from '../../src/common/diagnostics.ts'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const MAPPING = loadMapping(
  [
    'attributes:',
    "  externalId: '[Id]'",
    "  userName: '[Upn]'",
    "  active: '[On]'",
    "  displayName: '[Name]'",
    "  title: '[Title]'",
    "  name.givenName: '[First]'",
    '  phoneNumbers[type eq "mobile"].value: \'[Mobile]\'',
    '  addresses[type eq "work"].locality: \'[City]\'',
    `  ${ENTERPRISE}:department: '[Dept]'`,
    `  ${ENTERPRISE}:manager: '[Boss]'`,
    "  urn:ietf:params:scim:schemas:extension:acme:1.0:User:Notes: '[Notes]'",
    "  nickName: 'IgnoreFlowIfNullOrEmpty([Nick])'",
    ''
  ].join('\n'),
  'm.yml'
)
// Values in mapping order.
const FULL: MappedValue[] = [
  'E1',
  'ada@contoso.com',
  true,
  'Ada Lovelace',
  'Analyst',
  'Ada',
  '+44 20 0000',
  'London',
  'Maths',
  'E0',
  'n',
  'Countess'
]
const EMPTIED: MappedValue[] = ['E1', 'ada@contoso.com', true, ...Array<undefined>(9).fill(undefined)]

function validate(values: MappedValue[]): { diagnostics: Diagnostic[]; bytes: number } {
  const diagnostics: Diagnostic[] = []
  const keys = createRecordValidator(MAPPING, new DiagnosticFactory(new Map()))(
    values,
    { file: 'hr.csv', line: 7 },
    diagnostics
  )
  return { diagnostics, bytes: keys.bytes }
}

describe('attribute lengths (value-too-long)', () => {
  test('a value over the documented maximum is an error on its line, naming the Entra property', () => {
    const values = [...FULL]
    values[5] = 'x'.repeat(65) // givenName: 64
    values[8] = 'é'.repeat(64) // department: 64 characters (128 UTF-8 bytes) is fine
    const { diagnostics } = validate(values)
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        rule: 'value-too-long',
        file: 'hr.csv',
        line: 7,
        message: "name.givenName has 65 characters; Entra's givenName takes at most 64"
      })
    ])
  })

  test('externalId (employeeId: 16), and the two parts of a UPN (64 before the @, 48 after)', () => {
    const values = [...FULL]
    values[0] = 'E'.repeat(17)
    values[1] = `${'a'.repeat(65)}@contoso.com`
    const messages = validate(values).diagnostics.map((d) => d.message)
    expect(messages).toEqual([
      "externalId has 17 characters; Entra's employeeId takes at most 16",
      'userName has 65 characters before the @ and 11 after it; Entra allows at most 64 and 48'
    ])
    values[1] = `a@${'b'.repeat(45)}.com`
    expect(validate(values).diagnostics.map((d) => d.message)).toEqual([
      "externalId has 17 characters; Entra's employeeId takes at most 16",
      'userName has 1 characters before the @ and 49 after it; Entra allows at most 64 and 48'
    ])
  })

  test('counts characters, not UTF-16 units: 64 emoji fit in a 64-character surname', () => {
    const values = [...FULL]
    values[5] = '😀'.repeat(64)
    expect(validate(values).diagnostics).toEqual([])
  })
})

describe('the byte bound of an operation', () => {
  const writer = createPayloadWriter(MAPPING.attributes, 'clear')
  const operation = (values: MappedValue[]): number =>
    Buffer.byteLength(
      `{"method":"POST","bulkId":${JSON.stringify(values[0])},"path":"/Users","data":${writer(values)}},`
    )

  test('is never below the rendered size; computed exactly for values, close above it', () => {
    const rough = createSizeEstimator(MAPPING.attributes)
    const size = createSizeEstimator(MAPPING.attributes, 0)
    const samples: MappedValue[][] = [
      FULL,
      EMPTIED,
      FULL.map((v, i) => (i === 6 ? 'quote " back\\ slash \u0001 tab\t' : v)),
      FULL.map((v) => (typeof v === 'string' ? `${v}ßüñ😀` : v))
    ]
    for (const values of samples) {
      const estimate = size(values, values[0] as string)
      const actual = operation(values)
      expect(rough(values, values[0] as string)).toBeGreaterThanOrEqual(estimate)
      expect(estimate).toBeGreaterThanOrEqual(actual)
      expect(estimate - actual).toBeLessThan(400)
    }
  })

  test('a record that alone would not fit in a request is an error (record-too-large)', () => {
    const values = [...FULL]
    values[10] = 'x'.repeat(2 * 1024 * 1024) // a custom attribute: no documented length
    const { diagnostics, bytes } = validate(values)
    expect(bytes).toBeGreaterThan(2 * 1024 * 1024)
    expect(diagnostics).toEqual([
      expect.objectContaining({ rule: 'record-too-large', line: 7, severity: 'error' })
    ])
    expect(diagnostics[0]?.message).toContain(`more than a whole request may (${MAX_REQUEST_BYTES})`)
    expect(diagnostics[0]?.message).not.toContain('xxx')
  })
})

describe('packBatches by bytes and count', () => {
  test('closes a batch before the record that would pass the byte budget', () => {
    const sizes = [100, 100, 300, 100, 100, 100]
    const batches = packBatches([0, 1, 2, 3, 4, 5], 50, (i) => sizes[i]!, REQUEST_ENVELOPE_BYTES + 500)
    expect(batches.map((b) => b.records)).toEqual([
      [0, 1, 2],
      [3, 4, 5]
    ])
    const big = packBatches([0, 1, 2, 3, 4, 5], 50, (i) => sizes[i]!, REQUEST_ENVELOPE_BYTES + 350)
    expect(big.map((b) => b.records)).toEqual([[0, 1], [2], [3, 4, 5]])
  })

  test('still cuts at batch-size, and without sizes packs by count alone', () => {
    expect(packBatches([0, 1, 2, 3, 4], 2).map((b) => b.records)).toEqual([[0, 1], [2, 3], [4]])
  })

  test('50 records, three of 200 KB: two requests, each under the budget', () => {
    const order = Array.from({ length: 50 }, (_, i) => i)
    const bytesOf = (i: number): number => (i % 10 === 0 && i > 0 && i < 40 ? 200 * 1024 : 1500)
    const batches = packBatches(order, 50, bytesOf)
    expect(batches.map((b) => b.records.length)).toEqual([30, 20])
    for (const batch of batches)
      expect(batch.records.reduce((n, i) => n + bytesOf(i), REQUEST_ENVELOPE_BYTES)).toBeLessThanOrEqual(
        MAX_REQUEST_BYTES
      )
  })
})

describe('empty values', () => {
  test('clear: emptied attributes go as null; keys, active, displayName, manager and no-flow ones never do', () => {
    const data = JSON.parse(createPayloadWriter(MAPPING.attributes, 'clear')(EMPTIED))
    expect(data).toEqual({
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        ENTERPRISE,
        'urn:ietf:params:scim:schemas:extension:acme:1.0:User'
      ],
      externalId: 'E1',
      userName: 'ada@contoso.com',
      active: true,
      title: null,
      name: { givenName: null },
      phoneNumbers: [{ type: 'mobile', value: null }],
      addresses: [{ type: 'work', locality: null }],
      [ENTERPRISE]: { department: null },
      'urn:ietf:params:scim:schemas:extension:acme:1.0:User': { Notes: null }
    })
  })

  test('omit: emptied attributes are left out (Entra keeps its value)', () => {
    const data = JSON.parse(createPayloadWriter(MAPPING.attributes, 'omit')(EMPTIED))
    expect(Object.keys(data)).toEqual(['schemas', 'externalId', 'userName', 'active'])
  })

  test("the request renderer follows the plan's empty-values", () => {
    const values = new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'values-')), 'store'))
    const record: PlannedRecord = {
      fileIndex: 0,
      line: 2,
      externalId: 'E1',
      userName: undefined,
      managerId: undefined,
      status: 'valid',
      values: values.add(EMPTIED)
    }
    const files = [
      {
        file: 'hr.csv',
        format: 'csv',
        delimiter: ',',
        encoding: 'utf-8',
        records: 1,
        valid: 1,
        invalid: 0,
        ignored: 0,
        parts: 1,
        mapping: 0
      }
    ]
    const render = (emptyValues: 'clear' | 'omit') =>
      JSON.parse(
        createRequestRenderer({ records: [record], files, mappings: [MAPPING], values, emptyValues })({
          records: [0]
        })
      ).Operations[0].data
    expect(render('clear').title).toBeNull()
    expect(render('omit')).not.toHaveProperty('title')
    values.dispose()
  })
})
