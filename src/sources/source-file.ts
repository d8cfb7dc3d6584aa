/** What every reader (CSV, JSON, JSONL) produces. */
import type { Diagnostic } from '../common/diagnostics.ts'

/** One data row of an HR file. Values are positional, matching `SourceFile.headers`, for speed on large files. */
export interface SourceRecord {
  /** 1-based line of the file where the record starts (correct after multi-line quoted fields). */
  line: number
  /** Cell values in header order; a missing trailing cell is `''`. */
  values: string[]
  /** Problems with this row found while reading (e.g. wrong number of fields); an error here means the row is not sent. */
  diagnostics?: Diagnostic[]
}

export type SourceFormat = 'csv' | 'json' | 'jsonl'

export interface SourceFile {
  /** Workspace-relative POSIX path, as shown in reports and annotations. */
  file: string
  format: SourceFormat
  /** Column names, trimmed and unquoted; known before any record is read. */
  headers: string[]
  /** 1-based line of the header row (CSV) or 1 (JSON). */
  headerLine: number
  /** The records in file order, read lazily in chunks (fast on million-row files): iterate once. */
  chunks: AsyncIterable<readonly SourceRecord[]>
  /** Delimiter used (CSV only), detected or configured. */
  delimiter?: string
  /** Encoding detected from the BOM: utf-8, utf-16le or utf-16be. */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be'
  /** Problems with the whole file that do not stop it from being read (e.g. a delimiter that could not be detected). */
  diagnostics?: Diagnostic[]
  /** CSV only: where the file is and how its lines end, so parts of a big file can be read in parallel. */
  layout?: { absolute: string; newline: '\n' | '\r\n' | '\r'; size: number }
}
