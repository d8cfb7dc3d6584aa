/**
 * Packs valid records into bulk requests of at most 50 operations, managers before their reports, and renders a
 * request exactly as it is sent to bulkUpload.
 */
import type { Batch, PlannedRecord } from '../plan/types.ts'
import { BULK_REQUEST_SCHEMA, MAX_OPERATIONS_PER_REQUEST } from './limits.ts'

/**
 * Upload order: by depth in the manager hierarchy found in the run (people without a manager in the run first, then
 * their reports, …), file order within a depth. Entra sets a manager only if it processed the manager first.
 */
export function uploadOrder(records: readonly PlannedRecord[]): number[] {
  const byId = new Map<string, number>()
  records.forEach((record, index) => {
    if (record.status === 'valid' && record.externalId !== undefined) byId.set(record.externalId, index)
  })
  const depth = new Int32Array(records.length).fill(-1)
  const depthOf = (start: number): number => {
    // Iterative walk up the chain; a cycle (already reported by validation) is cut where it closes.
    const chain: number[] = []
    const onChain = new Set<number>()
    let current: number | undefined = start
    while (current !== undefined && depth[current] === -1 && !onChain.has(current)) {
      chain.push(current)
      onChain.add(current)
      const managerId: string | undefined = records[current]!.managerId
      current = managerId === undefined ? undefined : byId.get(managerId)
    }
    let next = current !== undefined && depth[current]! >= 0 ? depth[current]! + 1 : 0
    for (let i = chain.length - 1; i >= 0; i--) depth[chain[i]!] = next++
    return depth[start]!
  }

  const valid: number[] = []
  let maxDepth = 0
  records.forEach((record, index) => {
    if (record.status !== 'valid') return
    valid.push(index)
    maxDepth = Math.max(maxDepth, depthOf(index))
  })
  if (maxDepth === 0) return valid
  // Counting sort by depth keeps file order within a depth and stays linear on big runs.
  const buckets: number[][] = Array.from({ length: maxDepth + 1 }, () => [])
  for (const index of valid) buckets[depth[index]!]!.push(index)
  return buckets.flat()
}

export function packBatches(order: readonly number[], batchSize: number): Batch[] {
  const size = Math.min(Math.max(1, Math.floor(batchSize)), MAX_OPERATIONS_PER_REQUEST)
  const batches: Batch[] = []
  for (let start = 0; start < order.length; start += size) {
    batches.push({ records: order.slice(start, start + size) })
  }
  return batches
}

/**
 * The body of one bulkUpload call. The bulkId is the record's externalId: unique in the run (duplicates are never
 * sent), stable across runs, and what the provisioning logs report back as the source identity.
 */
export function renderBulkRequest(batch: Batch, records: readonly PlannedRecord[]): string {
  const operations = batch.records.map((index) => {
    const record = records[index]!
    return `{"method":"POST","bulkId":${JSON.stringify(record.externalId)},"path":"/Users","data":${record.payload}}`
  })
  return `{"schemas":["${BULK_REQUEST_SCHEMA}"],"Operations":[${operations.join(',')}],"failOnErrors":null}`
}
