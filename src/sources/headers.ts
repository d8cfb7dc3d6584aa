/** Checks shared by every reader on the column names of a file (CSV header row, JSON keys). */
import { InputError } from '../common/diagnostics.ts'
import type { Diagnostic } from '../common/diagnostics.ts'
import { shorten } from '../common/shorten.ts'

/** A header cell as written: surrounding spaces trimmed, surrounding quotes removed (`""` inside undoubled). */
export function cleanHeaderName(raw: string): string {
  let name = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
  name = name.trim()
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"'))
    name = name.slice(1, -1).replaceAll('""', '"').trim()
  return name
}

export interface HeaderCheckContext {
  file: string
  /** Rule prefix: `csv-header` for CSV, `json-key` for JSON and JSONL. */
  rule: 'csv-header' | 'json-key'
  /** Line of the header row, or of the object where the key first appears. */
  lineOf: (index: number) => number
  /** 1-based character column of the name in that line, when known. */
  columnOf?: (index: number) => number | undefined
}

/**
 * Empty names and duplicates (exact, or differing only in letter case, because mapping lookups of `[Column]` may
 * be case-insensitive) make a file unusable: every problem found is thrown at once as one InputError.
 */
export function checkHeaderNames(names: readonly string[], context: HeaderCheckContext): void {
  const problems: Diagnostic[] = []
  const seen = new Map<string, number>()
  const csv = context.rule === 'csv-header'
  const what = (index: number): string =>
    csv ? `column ${index + 1}` : `first at line ${context.lineOf(index)}`
  const at = (index: number): Pick<Diagnostic, 'file' | 'line' | 'column'> => {
    const where: Pick<Diagnostic, 'file' | 'line' | 'column'> = {
      file: context.file,
      line: context.lineOf(index)
    }
    const column = context.columnOf?.(index)
    if (column !== undefined) where.column = column
    return where
  }
  names.forEach((name, index) => {
    if (name === '') {
      const last = csv && index === names.length - 1 && index > 0
      problems.push({
        severity: 'error',
        rule: `${context.rule}-empty`,
        message: csv
          ? `The header name of column ${index + 1} is empty; give every column a name` +
            (last ? ' (if every line ends with a delimiter, remove the trailing delimiter).' : '.')
          : 'An object has an empty key; give every property a name.',
        ...at(index)
      })
      return
    }
    const key = name.toLowerCase()
    const first = seen.get(key)
    if (first === undefined) {
      seen.set(key, index)
      return
    }
    const other = names[first] ?? ''
    const sameCase = other === name
    problems.push({
      severity: 'error',
      rule: `${context.rule}-duplicate`,
      message:
        `${csv ? 'Header' : 'Key'} '${shorten(name)}' (${what(index)}) ${sameCase ? 'repeats' : 'differs only in letter case from'} ` +
        `'${shorten(other)}' (${what(first)}); names are compared ignoring case, rename one of them.`,
      ...at(index)
    })
  })
  if (problems.length > 0) throw new InputError(problems)
}
