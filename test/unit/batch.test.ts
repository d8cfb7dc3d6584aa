import { describe, expect, test } from '@jest/globals'
import type { PlannedRecord } from '../../src/plan/model.ts'
import { createRequestRenderer, packBatches, uploadOrder } from '../../src/plan/batches.ts'
import { loadMapping } from '../../src/mapping/load.ts'
import { RecordIndex } from '../../src/plan/record-index.ts'
import { ValueStore } from '../../src/plan/value-store.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

function record(
  externalId: string,
  managerId?: string,
  status: PlannedRecord['status'] = 'valid'
): PlannedRecord {
  return { fileIndex: 0, line: 1, externalId, userName: undefined, managerId, status, values: 0 }
}

function order(records: PlannedRecord[]): number[] {
  const index = new RecordIndex(records)
  records.forEach((record, i) => index.add(record, i))
  return uploadOrder(records, index.resolveManagers(records))
}

describe('uploadOrder', () => {
  test('keeps file order when the run shows no hierarchy', () => {
    expect(order([record('A'), record('B'), record('C', 'elsewhere')])).toEqual([0, 1, 2])
  })

  test('puts managers before their reports, file order within a level, and leaves out invalid records', () => {
    const records = [
      record('E3', 'E2'), // 0: depth 2
      record('E2', 'CEO'), // 1: depth 1
      record('CEO'), // 2: depth 0
      record('X', undefined, 'invalid'), // 3: not sent
      record('E4', 'CEO'), // 4: depth 1
      record('E5', 'E3') // 5: depth 3
    ]
    expect(order(records)).toEqual([2, 1, 4, 0, 5])
  })

  test('terminates on manager cycles', () => {
    expect(order([record('A', 'B'), record('B', 'A'), record('C', 'C')]).sort()).toEqual([0, 1, 2])
  })

  test('handles a 100,000-deep chain without recursion', () => {
    const records = Array.from({ length: 100_000 }, (_, i) =>
      record(`E${i}`, i > 0 ? `E${i - 1}` : undefined)
    ).reverse()
    const sent = order(records)
    expect(sent[0]).toBe(99_999)
    expect(sent.at(-1)).toBe(0)
  })
})

describe('packBatches', () => {
  test('packs exactly, at most 50 per request whatever is asked', () => {
    const order = Array.from({ length: 101 }, (_, i) => i)
    expect(packBatches(order, 50).map((b) => b.records.length)).toEqual([50, 50, 1])
    expect(packBatches(order, 500).map((b) => b.records.length)).toEqual([50, 50, 1])
    expect(packBatches(order, 40).map((b) => b.records.length)).toEqual([40, 40, 21])
    expect(packBatches([], 50)).toEqual([])
  })
})

const fileSummary = {
  file: 'hr/a.csv',
  format: 'csv',
  delimiter: ',',
  encoding: 'utf-8',
  records: 2,
  valid: 2,
  invalid: 0,
  ignored: 0,
  parts: 1,
  mapping: 0
}

describe('createRequestRenderer', () => {
  test('renders the BulkRequest exactly as bulkUpload expects', () => {
    const mapping = loadMapping(
      `attributes:\n  externalId: '[Id]'\n  active: '[On]'\n  title: '[T]'\n`,
      'm.yml'
    )
    const values = new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'values-')), 'store'))
    const records = [
      { ...record('E1'), values: values.add(['E1', true, undefined]) },
      { ...record('E"2'), values: values.add(['E"2', false, 'Boss']) }
    ]
    const body = JSON.parse(
      createRequestRenderer({ records, files: [fileSummary], mappings: [mapping], values })({
        records: [1, 0]
      })
    )
    const schemas = [
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
    ]
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          bulkId: 'E"2',
          path: '/Users',
          data: { schemas, externalId: 'E"2', active: false, title: 'Boss' }
        },
        { method: 'POST', bulkId: 'E1', path: '/Users', data: { schemas, externalId: 'E1', active: true } }
      ],
      failOnErrors: null
    })
  })
})
