/**
 * The size in bytes of a record's bulk operation, without rendering it: a bound that is exact for the values and
 * generous for the keys (every mapped key counted as present, every empty value as an explicit null). Batches are
 * packed by it, and a record whose operation alone would not fit in a request is an error on its line.
 */
import type { MappedAttribute } from '../mapping/load.ts'
import { jsonString } from '../json-string.ts'
import { createPayloadWriter, type MappedValue } from './user.ts'

const OPERATION_FRAME = `{"method":"POST","bulkId":,"path":"/Users","data":},`.length
/** `null` (an explicit clear) is 4 bytes where the skeleton counts `""` (2). */
const NULL_EXTRA = 2

export type SizeEstimator = (values: readonly MappedValue[], externalId: string | undefined) => number

export function createSizeEstimator(attributes: readonly MappedAttribute[]): SizeEstimator {
  // The payload with every attribute present and empty: keys, nesting and punctuation, values aside.
  const skeleton = Buffer.byteLength(createPayloadWriter(attributes)(attributes.map(() => '')), 'utf8')
  const fixed = OPERATION_FRAME + skeleton
  return (values, externalId) => {
    let bytes = fixed + (externalId === undefined ? 2 : jsonBytes(externalId))
    for (const value of values) {
      if (value === undefined) bytes += NULL_EXTRA
      else if (typeof value === 'boolean') bytes += 3
      else bytes += jsonBytes(value) - 2
    }
    return bytes
  }
}

/** Bytes of a string written as JSON (quotes and escapes included), in UTF-8. */
export function jsonBytes(value: string): number {
  return Buffer.byteLength(jsonString(value), 'utf8')
}
