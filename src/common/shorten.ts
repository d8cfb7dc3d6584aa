/**
 * Cutting text quoted from the repository's content (header names, keys, column names, file names, patterns,
 * expressions) to a readable length before it goes into a message. A hostile file can hold a 5 MB header name;
 * echoed whole into logs, annotations and the job summary, it floods the log and pushes the summary over GitHub's
 * size limit, so the problem would not be shown at all. Every message that quotes such text goes through here.
 */

/** Characters kept of a quoted value; the rest is replaced by a note of the full length. */
export const QUOTE_LIMIT = 80

/** `value`, or its first characters followed by `… (N characters)` when longer than `limit`. */
export function shorten(value: string, limit = QUOTE_LIMIT): string {
  if (value.length <= limit) return value
  let cut = limit - 1
  // Never split a surrogate pair.
  const code = value.charCodeAt(cut - 1)
  if (code >= 0xd800 && code <= 0xdbff) cut--
  return `${value.slice(0, cut)}… (${value.length.toLocaleString('en-US')} characters)`
}

/** A list of quoted values cut to a readable length, each value shortened and at most `count` shown. */
export function shortenList(values: readonly string[], count = 20, separator = ', '): string {
  const shown = values.slice(0, count).map((value) => shorten(value))
  return values.length > count
    ? `${shown.join(separator)}${separator}… (${values.length} in all)`
    : shown.join(separator)
}
