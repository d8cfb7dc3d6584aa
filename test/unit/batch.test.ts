import { describe, expect, test } from '@jest/globals'
import type { PlannedRecord } from '../../src/plan/types.ts'
import { packBatches, renderBulkRequest, uploadOrder } from '../../src/scim/batch.ts'

function record(externalId: string, managerId?: string, status: PlannedRecord['status'] = 'valid'): PlannedRecord {
  return { fileIndex: 0, line: 1, externalId, userName: undefined, managerId, status, payload: 0 }
}

describe('uploadOrder', () => {
  test('keeps file order when the run shows no hierarchy', () => {
    expect(uploadOrder([record('A'), record('B'), record('C', 'elsewhere')])).toEqual([0, 1, 2])
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
    expect(uploadOrder(records)).toEqual([2, 1, 4, 0, 5])
  })

  test('terminates on manager cycles', () => {
    expect(uploadOrder([record('A', 'B'), record('B', 'A'), record('C', 'C')]).sort()).toEqual([0, 1, 2])
  })

  test('handles a 100,000-deep chain without recursion', () => {
    const records = Array.from({ length: 100_000 }, (_, i) => record(`E${i}`, i > 0 ? `E${i - 1}` : undefined)).reverse()
    const order = uploadOrder(records)
    expect(order[0]).toBe(99_999)
    expect(order.at(-1)).toBe(0)
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

describe('renderBulkRequest', () => {
  test('renders the BulkRequest exactly as bulkUpload expects', () => {
    const records = [record('E1'), { ...record('E"2'), payload: 1 }]
    const payloads = ['{"externalId":"E1"}', '{"externalId":"E\\"2"}']
    const body = JSON.parse(renderBulkRequest({ records: [0, 1] }, records, { get: (handle) => payloads[handle] as string }))
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', bulkId: 'E1', path: '/Users', data: { externalId: 'E1' } },
        { method: 'POST', bulkId: 'E"2', path: '/Users', data: { externalId: 'E"2' } }
      ],
      failOnErrors: null
    })
  })
})
