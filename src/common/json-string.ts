/**
 * JSON.stringify for one string, with a fast path for the common case of nothing to escape: a million-record run
 * writes tens of millions of values, and skipping the general serializer for plain text halves that cost.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`
}
