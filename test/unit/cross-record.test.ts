import { describe, expect, test } from '@jest/globals'
import type { PlannedRecord } from '../../src/plan/model.ts'
import { validateAcrossRecords } from '../../src/plan/cross-record.ts'
import { RecordIndex } from '../../src/plan/record-index.ts'
import { DiagnosticFactory } from '../../src/settings/diagnostic-factory.ts'

const files = ['hr/a.csv', 'hr/b.csv']

function record(
  externalId: string | undefined,
  managerId?: string,
  extra: Partial<PlannedRecord> = {}
): PlannedRecord {
  return {
    fileIndex: 0,
    line: 0,
    externalId,
    userName: externalId ? `${externalId.toLowerCase()}@contoso.com` : undefined,
    managerId,
    status: 'valid',
    values: 0,
    ...extra
  }
}

function numbered(records: PlannedRecord[]): PlannedRecord[] {
  return records.map((r, i) => ({ ...r, line: r.line || i + 2 }))
}

function check(records: PlannedRecord[], factory: DiagnosticFactory) {
  const index = new RecordIndex(records)
  records.forEach((record, i) => index.add(record, i))
  return validateAcrossRecords(records, index, index.resolveManagers(records), files, factory)
}

describe('validateAcrossRecords', () => {
  test('a duplicated externalId across files invalidates every occurrence and names every line', () => {
    const records = numbered([record('E1'), record('E2'), record('E1', undefined, { fileIndex: 1, line: 9 })])
    const found = check(records, new DiagnosticFactory(new Map()))
    expect(found.map((d) => [d.rule, d.file, d.line, d.message])).toEqual([
      ['externalId-duplicate', 'hr/a.csv', 2, 'externalId E1 is also on hr/b.csv:9'],
      ['externalId-duplicate', 'hr/b.csv', 9, 'externalId E1 is also on hr/a.csv:2'],
      // The same records also share a userName.
      ['userName-duplicate', 'hr/a.csv', 2, 'the same userName is also on hr/b.csv:9'],
      ['userName-duplicate', 'hr/b.csv', 9, 'the same userName is also on hr/a.csv:2']
    ])
    expect(found[0]?.related).toEqual([{ file: 'hr/b.csv', line: 9 }])
    expect(records.map((r) => r.status)).toEqual(['invalid', 'valid', 'invalid'])
    expect(records[0]?.values).toBeUndefined()
  })

  test('userName duplicates are case-insensitive, like UPNs', () => {
    const records = numbered([
      record('E1', undefined, { userName: 'Ada@contoso.com' }),
      record('E2', undefined, { userName: 'ada@CONTOSO.com' })
    ])
    const found = check(records, new DiagnosticFactory(new Map()))
    expect(found.map((d) => d.rule)).toEqual(['userName-duplicate', 'userName-duplicate'])
  })

  test('manager references: unknown, invalid, self and cycles (warnings by default: records are still sent)', () => {
    const records = numbered([
      record('M1'),
      record('E1', 'M1'),
      record('E2', 'NOPE'),
      record('E3', 'E3'),
      record('C1', 'C2'),
      record('C2', 'C1'),
      record('BAD', undefined, { status: 'invalid', values: undefined }),
      record('E4', 'BAD')
    ])
    const found = check(records, new DiagnosticFactory(new Map()))
    expect(found.map((d) => [d.rule, d.externalId, d.message])).toEqual([
      ['manager-unknown', 'E2', 'manager NOPE is not a record of this run'],
      ['manager-self', 'E3', 'record E3 names itself as its manager'],
      ['manager-cycle', 'C1', 'manager references form a cycle: C1 → C2 → C1'],
      ['manager-cycle', 'C2', 'manager references form a cycle: C1 → C2 → C1'],
      ['manager-unknown', 'E4', 'manager BAD has errors and will not be sent']
    ])
    expect(found.every((d) => d.severity === 'warning')).toBe(true)
    expect(records.filter((r) => r.status === 'valid')).toHaveLength(7)
  })

  test('a rule raised to error invalidates the record; a rule turned off reports nothing', () => {
    const records = numbered([record('E1', 'NOPE')])
    const strict = check(records, new DiagnosticFactory(new Map([['manager-unknown', 'error']])))
    expect(strict.map((d) => d.severity)).toEqual(['error'])
    expect(records[0]?.status).toBe('invalid')

    const quiet = numbered([record('E1', 'NOPE')])
    expect(check(quiet, new DiagnosticFactory(new Map([['manager-unknown', 'off']])))).toEqual([])
    expect(quiet[0]?.status).toBe('valid')
  })
})
