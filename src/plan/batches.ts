/**
 * Packs valid records into bulk requests of at most 50 operations and MAX_REQUEST_BYTES, managers before their
 * reports, and renders a
 * request exactly as it is sent to bulkUpload.
 */
import type { Batch, Plan, PlannedRecord } from './model.ts'
import { createPayloadWriter, type MappedValue } from '../scim/user.ts'
import {
  BULK_REQUEST_SCHEMA,
  MAX_OPERATIONS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  REQUEST_ENVELOPE_BYTES
} from '../common/service-limits.ts'

/**
 * Upload order: by depth in the manager hierarchy found in the run (people without a manager in the run first, then
 * their reports, …), file order within a depth. Entra sets a manager only if it processed the manager first.
 */
export function uploadOrder(records: readonly PlannedRecord[], managers: Int32Array): number[] {
  const valid: number[] = []
  const position = new Int32Array(records.length).fill(-1)
  records.forEach((record, index) => {
    if (record.status !== 'valid') return
    position[index] = valid.length
    valid.push(index)
  })
  // Only a manager that is sent can come first.
  const order = hierarchyOrder(valid.length, (k) => {
    const manager = managers[valid[k]!]!
    return manager >= 0 && position[manager]! >= 0 ? position[manager] : undefined
  })
  return order.map((k) => valid[k]!)
}

/**
 * Positions 0…count-1 by depth in a hierarchy given by `managerOf` (roots first), in position order within a depth.
 * Iterative, so a chain of any length is fine; a cycle (reported by validation) is cut where it closes.
 */
export function hierarchyOrder(count: number, managerOf: (position: number) => number | undefined): number[] {
  const UNKNOWN = -1
  const ON_CHAIN = -2
  const depth = new Int32Array(count).fill(UNKNOWN)
  const chain: number[] = []
  let maxDepth = 0
  for (let start = 0; start < count; start++) {
    chain.length = 0
    let current: number | undefined = start
    while (current !== undefined && depth[current] === UNKNOWN) {
      chain.push(current)
      depth[current] = ON_CHAIN
      current = managerOf(current)
    }
    let next = current !== undefined && depth[current]! >= 0 ? depth[current]! + 1 : 0
    for (let i = chain.length - 1; i >= 0; i--) depth[chain[i]!] = next++
    maxDepth = Math.max(maxDepth, depth[start]!)
  }
  const order = Array.from({ length: count }, (_, k) => k)
  if (maxDepth === 0) return order
  // Counting sort by depth keeps position order within a depth and stays linear on big runs.
  const buckets: number[][] = Array.from({ length: maxDepth + 1 }, () => [])
  for (const k of order) buckets[depth[k]!]!.push(k)
  return buckets.flat()
}

/**
 * Cuts the upload order into requests of at most `batchSize` operations and at most `maxBytes` bytes, given each
 * record's operation size (`bytesOf`, 0 when unknown). A record too large for any request is never in the order:
 * validation makes it an error on its line.
 */
export function packBatches(
  order: readonly number[],
  batchSize: number,
  bytesOf: (record: number) => number = () => 0,
  maxBytes = MAX_REQUEST_BYTES
): Batch[] {
  const size = Math.min(Math.max(1, Math.floor(batchSize)), MAX_OPERATIONS_PER_REQUEST)
  const batches: Batch[] = []
  let current: number[] = []
  let bytes = REQUEST_ENVELOPE_BYTES
  for (const record of order) {
    const next = bytesOf(record)
    if (current.length === size || (current.length > 0 && bytes + next > maxBytes)) {
      batches.push({ records: current })
      current = []
      bytes = REQUEST_ENVELOPE_BYTES
    }
    current.push(record)
    bytes += next
  }
  if (current.length > 0) batches.push({ records: current })
  return batches
}

/**
 * Renders the body of a bulkUpload call from a plan, exactly as it is sent. The bulkId is the record's externalId:
 * unique in the run (duplicates are never sent), stable across runs, and what the provisioning logs report back as
 * the source identity.
 */
export function createRequestRenderer(
  plan: Pick<Plan, 'records' | 'files' | 'mappings' | 'values' | 'emptyValues'>
): (batch: Batch) => string {
  // One writer per mapping: each source's records are rendered with the mapping they were made with.
  const writers = plan.mappings.map((mapping) =>
    createPayloadWriter(mapping.attributes, plan.emptyValues ?? 'omit')
  )
  const payload = (record: PlannedRecord, values: readonly MappedValue[]): string =>
    (writers[plan.files[record.fileIndex]?.mapping ?? 0] as (values: readonly MappedValue[]) => string)(
      values
    )
  const values = plan.values
  if (!values) throw new Error('this plan keeps no values: build it with a ValueStore to render requests')
  return (batch) => {
    const operations = batch.records.map((index) => {
      const record = plan.records[index] as PlannedRecord
      const data = payload(record, values.get(record.values as number))
      return `{"method":"POST","bulkId":${JSON.stringify(record.externalId)},"path":"/Users","data":${data}}`
    })
    return `{"schemas":["${BULK_REQUEST_SCHEMA}"],"Operations":[${operations.join(',')}],"failOnErrors":null}`
  }
}
