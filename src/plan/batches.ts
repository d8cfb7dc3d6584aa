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
  // Typed arrays and arrays made at their final length: on a million records, growing arrays push by push costs
  // more than the rest of the ordering.
  const valid = new Int32Array(records.length)
  const position = new Int32Array(records.length).fill(-1)
  let count = 0
  for (let index = 0; index < records.length; index++) {
    if ((records[index] as PlannedRecord).status !== 'valid') continue
    position[index] = count
    valid[count++] = index
  }
  // Only a manager that is sent can come first.
  const managerPositions = new Int32Array(count)
  for (let k = 0; k < count; k++) {
    const manager = managers[valid[k] as number] as number
    managerPositions[k] = manager >= 0 ? (position[manager] as number) : -1
  }
  const order = depthOrder(count, managerPositions)
  const result = new Array<number>(count)
  for (let k = 0; k < count; k++) result[k] = valid[order[k] as number] as number
  return result
}

/**
 * Positions 0…count-1 by depth in a hierarchy given by `managerOf` (roots first), in position order within a depth.
 * Iterative, so a chain of any length is fine; a cycle (reported by validation) is cut where it closes.
 */
export function hierarchyOrder(count: number, managerOf: (position: number) => number | undefined): number[] {
  const managers = new Int32Array(count)
  for (let k = 0; k < count; k++) managers[k] = managerOf(k) ?? -1
  return Array.from(depthOrder(count, managers))
}

/** hierarchyOrder with each position's manager position (-1 for none) in a typed array. */
function depthOrder(count: number, managerOf: Int32Array): Int32Array {
  const UNKNOWN = -1
  const ON_CHAIN = -2
  const depth = new Int32Array(count).fill(UNKNOWN)
  const chain = new Int32Array(count) // the current walk up the hierarchy, one array for all walks
  let maxDepth = 0
  for (let start = 0; start < count; start++) {
    let length = 0
    let current = start
    while (current >= 0 && depth[current] === UNKNOWN) {
      chain[length++] = current
      depth[current] = ON_CHAIN
      current = managerOf[current] as number
    }
    let below = current >= 0 && (depth[current] as number) >= 0 ? (depth[current] as number) + 1 : 0
    for (let i = length - 1; i >= 0; i--) depth[chain[i] as number] = below++
    maxDepth = Math.max(maxDepth, depth[start] as number)
  }
  // Counting sort by depth keeps position order within a depth and stays linear on big runs.
  // next[d]: where the next position of depth d goes (the count of shallower positions, then onwards).
  const next = new Int32Array(maxDepth + 2)
  for (let k = 0; k < count; k++) {
    const d = depth[k] as number
    next[d + 1] = (next[d + 1] as number) + 1
  }
  for (let d = 1; d < next.length; d++) next[d] = (next[d] as number) + (next[d - 1] as number)
  const order = new Int32Array(count)
  for (let k = 0; k < count; k++) {
    const d = depth[k] as number
    order[next[d] as number] = k
    next[d] = (next[d] as number) + 1
  }
  return order
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
