/**
 * One shape for every problem the action finds, from a CSV quote to a provisioning-log failure,
 * so the report stage renders them all the same way.
 */
export type Severity = 'error' | 'warning' | 'notice'

export interface Diagnostic {
  severity: Severity
  /** Stable rule name, e.g. `externalId-duplicate`, `csv-quote`, `mapping-unknown-column`. */
  rule: string
  /** Message safe to show publicly: it names records by externalId, file and line, never by personal data. */
  message: string
  /** Workspace-relative POSIX path of the file the problem is in (HR file or mapping file). */
  file?: string
  /** 1-based line in that file. */
  line?: number
  /** 1-based column in that line, when known. */
  column?: number
  /** externalId of the record concerned, when there is one. */
  externalId?: string
  /**
   * Personal data that explains the problem (the offending value). Shown only with `summary-detail: full`,
   * never in annotations or logs by default.
   */
  detail?: string
  /** Further lines involved (e.g. the other occurrences of a duplicate). */
  related?: ReadonlyArray<{ file: string; line: number }>
}

/** A problem that stops the run before any record is processed (bad input, bad mapping). */
export class InputError extends Error {
  readonly diagnostics: readonly Diagnostic[]
  constructor(diagnostics: readonly Diagnostic[] | Diagnostic) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic]
    super(list.map(formatLocation).join('\n'))
    this.name = 'InputError'
    this.diagnostics = list
  }
}

/** `file:line:column: message`, the form compilers and editors understand. */
export function formatLocation(d: Diagnostic): string {
  const where = formatWhere(d)
  return where ? `${where}: ${d.message}` : d.message
}

/** `file:line:column`, as far as the diagnostic has them ('' when it has none). */
export function formatWhere(d: Diagnostic): string {
  return [d.file, d.line, d.column].filter((part) => part !== undefined).join(':')
}
