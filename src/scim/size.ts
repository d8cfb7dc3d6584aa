/**
 * The size in bytes of a record's bulk operation, without rendering it: an upper bound (every mapped key counted as
 * present, every empty value as an explicit null). For a small record the bound comes from the values' lengths
 * alone; for a large one it is exact for the values. Batches are packed by it, and a record whose operation alone
 * would not fit in a request is an error on its line.
 */
import type { MappedAttribute } from '../mapping/load.ts'
import { jsonString } from '../common/json-string.ts'
import { createPayloadWriter, type MappedValue } from './user.ts'
import { MAX_OPERATIONS_PER_REQUEST, MAX_REQUEST_BYTES } from '../common/service-limits.ts'

const OPERATION_FRAME = `{"method":"POST","bulkId":,"path":"/Users","data":},`.length
/** `null` (an explicit clear) is 4 bytes where the skeleton counts `""` (2). */
const NULL_EXTRA = 2

export type SizeEstimator = (values: readonly MappedValue[], externalId: string | undefined) => number

/** JSON writes one UTF-16 unit as at most 6 bytes (`\u001f`); a character outside the BMP is 2 units, 4 bytes. */
const MAX_BYTES_PER_UNIT = 6

export function createSizeEstimator(
  attributes: readonly MappedAttribute[],
  /** Below this, the cheap bound (every character as 6 bytes) is returned as it is: any batch of such records fits. */
  roughUnder = Math.floor(MAX_REQUEST_BYTES / MAX_OPERATIONS_PER_REQUEST)
): SizeEstimator {
  // The payload with every attribute present and empty: keys, nesting and punctuation, values aside.
  const skeleton = Buffer.byteLength(createPayloadWriter(attributes)(attributes.map(() => '')), 'utf8')
  const fixed = OPERATION_FRAME + skeleton + 2 + NULL_EXTRA * attributes.length
  return (values, externalId) => {
    // Most records are small: a bound from lengths alone costs one pass over the values and no allocation.
    let units = externalId === undefined ? 0 : externalId.length
    for (const value of values) if (typeof value === 'string') units += value.length
    const rough = fixed + MAX_BYTES_PER_UNIT * units + 3 * values.length
    if (rough < roughUnder) return rough
    let bytes = fixed + (externalId === undefined ? 0 : jsonBytes(externalId) - 2)
    for (const value of values) {
      if (typeof value === 'boolean') bytes += 3
      else if (value !== undefined) bytes += jsonBytes(value) - 2
    }
    return bytes
  }
}

/** Bytes of a string written as JSON (quotes and escapes included), in UTF-8. */
export function jsonBytes(value: string): number {
  return Buffer.byteLength(jsonString(value), 'utf8')
}
