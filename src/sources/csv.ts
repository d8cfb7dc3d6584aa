/**
 * CSV reader: streams the file through papaparse's chunk-level parser (`Papa.Parser`, positional arrays, no
 * `header: true`), keeping the 1-based file line where each record starts.
 *
 * How lines are kept cheaply: papaparse returns the rows of a chunk but not where they start. For each chunk we
 * count the line breaks in the text it consumed (`\n`, `\r\n` and a lone `\r` each count as one). When that count
 * equals the number of rows the chunk ended, no row spans two lines and the lines are consecutive, which is the
 * common case and costs one `indexOf` per line. Otherwise (quoted values with line breaks) the line breaks inside
 * the values are counted; if even that does not add up (line breaks dropped by papaparse in malformed input), the
 * chunk is parsed again with a `step` callback, which gives the exact offset where every row starts.
 */
import Papa from 'papaparse'
import { InputError } from '../common/diagnostics.ts'
import type { Diagnostic } from '../common/diagnostics.ts'
import { checkHeaderNames, cleanHeaderName } from './headers.ts'
import { unguardFormulas } from './spreadsheet.ts'
import { TextChunkReader, type ByteRange } from './text.ts'
import type { SourceFile, SourceRecord } from './source-file.ts'
import type { DelimiterSetting } from '../settings/settings.ts'
import { shorten } from '../common/shorten.ts'
import { NUL, nulInValue } from './nul-check.ts'

export interface CsvOptions {
  delimiter: DelimiterSetting
  /** Bytes per read (default 64 KiB). Tests use tiny values to put chunk boundaries everywhere. */
  chunkSize?: number
  /**
   * Longest record accepted, in characters (default 64 Mi). A longer one almost always means a quote that is never
   * closed; iterating `chunks` then throws an InputError instead of buffering the rest of the file.
   */
  maxRecordLength?: number
  /** Read only this part of the file (bytes); the header must be in it. */
  range?: ByteRange
}

/** A later part of a CSV file whose header was read elsewhere: where it starts and what came before. */
export interface CsvPart {
  delimiter: string
  newline: '\n' | '\r\n' | '\r'
  headers: string[]
  headerLine: number
  /** Line of the first record of the part. */
  firstLine: number
  /** Byte range of the part; `start` must be where a record starts. */
  start: number
  end: number
  chunkSize?: number
}

/** Delimiters tried by auto-detection, in papaparse's order of preference for ties. */
const DELIMITERS_TO_GUESS = [',', ';', '\t', '|']
/** Read ahead at least this much text (or this many lines) before detecting the delimiter and line ending. */
const SAMPLE_CHARS = 64 * 1024
const SAMPLE_LINE_BREAKS = 22
/** A record left unfinished at the end of a chunk and longer than this is parsed again only when the text doubles. */
const LONG_RECORD = 64 * 1024
const DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024

interface PapaError {
  code: string
  row?: number
}

/** Opens a CSV file, reads ahead until its header row is known, and returns it with its records still unread. */
export async function openCsv(absolute: string, file: string, options: CsvOptions): Promise<SourceFile> {
  const reader = await TextChunkReader.open(absolute, file, options.chunkSize, options.range)
  let parser: CsvChunkParser
  let first: SourceRecord[] = []
  let eof = false
  let detection: Detection
  try {
    let sample = ''
    let breaks = 0
    // Enough lines to detect the delimiter, past any blank lines at the top.
    while ((sample.length < SAMPLE_CHARS && breaks < SAMPLE_LINE_BREAKS) || /^\s*$/.test(sample)) {
      const text = await reader.read()
      if (text === undefined) {
        eof = true
        break
      }
      sample += text
      breaks += countChar(text, '\n') + countChar(text, '\r')
    }
    if (sample.trim() === '') throw emptyFile(file)
    detection = detect(sample.trimStart(), options.delimiter, file)
    parser = new CsvChunkParser(file, detection.delimiter, detection.newline, options.maxRecordLength)
    first = parser.feed(sample, eof)
    while (parser.headers === undefined && !eof) {
      const text = await reader.read()
      if (text === undefined) eof = true
      first = first.concat(parser.feed(text ?? '', eof))
    }
    if (parser.headers === undefined) throw emptyFile(file)
  } finally {
    // Release the file now; iterating `chunks` reopens it where reading stopped.
    await reader.close()
  }

  const headers = parser.headers
  let iterated = false
  async function* records(): AsyncGenerator<readonly SourceRecord[]> {
    try {
      if (first.length > 0) yield first
      first = []
      while (!eof) {
        const text = await reader.read()
        if (text === undefined) eof = true
        const batch = parser.feed(text ?? '', eof)
        if (batch.length > 0) yield batch
      }
    } finally {
      await reader.close()
    }
  }

  const source: SourceFile = {
    file,
    format: 'csv',
    headers,
    headerLine: parser.headerLine,
    delimiter: detection.delimiter,
    encoding: reader.encoding,
    layout: { absolute, newline: detection.newline, size: reader.size },
    chunks: {
      [Symbol.asyncIterator]() {
        if (iterated) throw new Error(`${file}: the records of a source file can be iterated only once`)
        iterated = true
        return records()
      }
    }
  }
  if (detection.warning) source.diagnostics = [detection.warning]
  return source
}

/** Opens a later part of a CSV file (see CsvPart): no header, no detection; lines continue from `firstLine`. */
export async function openCsvPart(absolute: string, file: string, part: CsvPart): Promise<SourceFile> {
  const reader = await TextChunkReader.open(absolute, file, part.chunkSize, {
    start: part.start,
    end: part.end
  })
  const parser = new CsvChunkParser(file, part.delimiter, part.newline)
  parser.continueAfterHeader(part.headers, part.headerLine, part.firstLine)
  async function* records(): AsyncGenerator<readonly SourceRecord[]> {
    try {
      for (;;) {
        const text = await reader.read()
        const batch = parser.feed(text ?? '', text === undefined)
        if (batch.length > 0) yield batch
        if (text === undefined) return
      }
    } finally {
      await reader.close()
    }
  }
  return {
    file,
    format: 'csv',
    headers: part.headers,
    headerLine: part.headerLine,
    delimiter: part.delimiter,
    encoding: reader.encoding,
    chunks: { [Symbol.asyncIterator]: records }
  }
}

interface Detection {
  delimiter: string
  newline: '\n' | '\r\n' | '\r'
  warning?: Diagnostic
}

/** Delimiter (configured or guessed by papaparse) and line ending (guessed by papaparse) from the first text. */
function detect(sample: string, setting: DelimiterSetting, file: string): Detection {
  const result = Papa.parse<string[]>(sample, {
    delimiter: setting === 'auto' ? '' : setting,
    delimitersToGuess: DELIMITERS_TO_GUESS,
    skipEmptyLines: true,
    preview: 10
  })
  const newline =
    result.meta.linebreak === '\r\n' || result.meta.linebreak === '\r' ? result.meta.linebreak : '\n'
  const delimiter = setting === 'auto' ? result.meta.delimiter : setting
  const detection: Detection = { delimiter, newline }
  if (setting === 'auto' && result.errors.some((error) => error.code === 'UndetectableDelimiter')) {
    detection.warning = {
      severity: 'warning',
      rule: 'csv-delimiter-undetected',
      message:
        `Could not detect the delimiter (tried ${DELIMITERS_TO_GUESS.map(describeDelimiter).join(', ')}), ` +
        `so the file is read as ${describeDelimiter(delimiter)}-separated with a single column per line ` +
        'unless it contains commas; set the delimiter input if the file uses another one.',
      file,
      line: 1
    }
  }
  return detection
}

/** Parses decoded text fed chunk by chunk into records that know their line. */
export class CsvChunkParser {
  /** Header names, once the header row has been parsed. */
  headers: string[] | undefined
  headerLine = 0
  readonly #file: string
  readonly #delimiter: string
  readonly #newline: string
  readonly #maxRecordLength: number
  readonly #parser: Papa.Parser
  /** Text not parsed yet: the start of a record that the last chunk cut. */
  #pending = ''
  /** Line where `#pending` starts. */
  #line = 1
  /** The last text ended with `\r` whose line break was counted: a `\n` right after it is the same line break. */
  #crCounted = false
  /** Parse again only when `#pending` is this long (grows with very long records, so parsing stays linear). */
  #minLength = 0

  constructor(file: string, delimiter: string, newline: string, maxRecordLength = DEFAULT_MAX_RECORD_LENGTH) {
    this.#file = file
    this.#delimiter = delimiter
    this.#newline = newline
    this.#maxRecordLength = maxRecordLength
    this.#parser = new Papa.Parser({
      delimiter,
      newline: newline as Papa.ParseConfig['newline'],
      quoteChar: '"'
    })
  }

  /** Starts a parser in the middle of a file, after its header: the next text begins a record on `line`. */
  continueAfterHeader(headers: string[], headerLine: number, line: number): void {
    this.headers = headers
    this.headerLine = headerLine
    this.#line = line
  }

  /** Adds text; `final` marks the end of the file. Returns the records completed by it, in file order. */
  feed(text: string, final: boolean): SourceRecord[] {
    const input = this.#pending.length === 0 ? text : this.#pending + text
    this.#pending = input
    if (!final && input.length < this.#minLength) return []
    if (input.length === 0) return []

    const result = this.#parser.parse(input, 0, !final) as {
      data: string[][]
      errors: PapaError[]
      meta: { cursor: number }
    }
    const rows = result.data
    const consumed = final ? input.length : result.meta.cursor
    const from = this.#crCounted && input.charCodeAt(0) === 10 ? 1 : 0
    const loneCr = input.indexOf('\r') === -1 ? 0 : countLoneCr(input, from, consumed)
    const breaks = countLf(input, from, consumed) + loneCr
    // Every row ends with a line break, except the last one at the end of the file.
    const ended = final ? Math.max(rows.length - 1, 0) : rows.length
    const lines =
      breaks === ended ? undefined : this.#rowLines(input, rows, final, consumed, breaks, from, loneCr > 0)

    const records = this.#records(input, rows, lines, result.errors, final)

    this.#line += breaks
    this.#crCounted = !final && consumed === input.length && input.charCodeAt(consumed - 1) === 13
    this.#pending = consumed === input.length ? '' : input.slice(consumed)
    if (!final && this.#pending.length > this.#maxRecordLength) {
      throw new InputError({
        severity: 'error',
        rule: 'csv-quote',
        message:
          `The record starting at line ${this.#line} is longer than ${this.#maxRecordLength} characters: a quoted ` +
          'value is probably not closed. Close it, and double every quote inside a quoted value ("").',
        file: this.#file,
        line: this.#line
      })
    }
    this.#minLength = this.#pending.length >= LONG_RECORD ? 2 * this.#pending.length : 0
    return records
  }

  /** Lines where the rows start, when some row spans several lines. */
  #rowLines(
    input: string,
    rows: string[][],
    final: boolean,
    consumed: number,
    breaks: number,
    from: number,
    loneCr: boolean
  ): number[] {
    const byLf = !loneCr && this.#newline !== '\r'
    const lines = byLf ? this.#rowLinesByLf(input, rows, final, from, consumed) : undefined
    return (
      lines ?? this.#rowLinesByValues(rows, final, breaks) ?? this.#rowLinesByStep(input, rows, final, from)
    )
  }

  /**
   * Text with LF or CRLF line endings and no lone CR: walks the text line by line beside the rows. A row whose line
   * holds no quote is exactly that line; only a row with quotes has its values searched for line breaks, and then
   * it ends after that many more LFs. Exact unless papaparse dropped a line break (checked at the end).
   */
  #rowLinesByLf(
    input: string,
    rows: string[][],
    final: boolean,
    from: number,
    consumed: number
  ): number[] | undefined {
    const lines = new Array<number>(rows.length)
    let line = this.#line
    let cursor = from
    let quote = input.indexOf('"', cursor)
    for (let i = 0; i < rows.length; i++) {
      lines[i] = line
      let end = input.indexOf('\n', cursor)
      if (quote !== -1 && quote < end) {
        let inside = 0
        for (const value of rows[i] as string[])
          if (value.indexOf('\n') !== -1) inside += countLf(value, 0, value.length)
        for (; inside > 0 && end !== -1; inside--, line++) end = input.indexOf('\n', end + 1)
      }
      if (end === -1) return final && i === rows.length - 1 ? lines : undefined
      line++
      cursor = end + 1
      if (quote !== -1 && quote < cursor) quote = input.indexOf('"', cursor)
    }
    // Every row must end exactly where papaparse stopped; at the end of the file the last row has no line break.
    return !final && cursor === consumed ? lines : undefined
  }

  /** Line breaks inside values counted row by row, if they add up to the line breaks of the text. */
  #rowLinesByValues(rows: string[][], final: boolean, breaks: number): number[] | undefined {
    const lines = new Array<number>(rows.length)
    let line = this.#line
    let total = 0
    for (let i = 0; i < rows.length; i++) {
      lines[i] = line
      let inside = 0
      for (const value of rows[i] as string[])
        if (value.length > 0) inside += countLineBreaks(value, 0, value.length)
      total += inside + (final && i === rows.length - 1 ? 0 : 1)
      line += inside + 1
    }
    return total === breaks ? lines : undefined
  }

  /** Exact in every case, at the cost of a second parse: where every row starts, from papaparse's cursor. */
  #rowLinesByStep(input: string, rows: string[][], final: boolean, from: number): number[] {
    const starts: number[] = []
    let previous = 0
    new Papa.Parser({
      delimiter: this.#delimiter,
      newline: this.#newline as Papa.ParseConfig['newline'],
      quoteChar: '"',
      step: (step: { meta: { cursor: number } }) => {
        starts.push(previous)
        previous = step.meta.cursor
      }
    }).parse(input, 0, !final)
    const lines = new Array<number>(rows.length)
    let line = this.#line
    for (let i = 0; i < rows.length; i++) {
      const start = Math.max(starts[i] ?? input.length, from)
      line += countLineBreaks(input, from, start)
      from = start
      lines[i] = line
    }
    return lines
  }

  #records(
    input: string,
    rows: string[][],
    lines: number[] | undefined,
    errors: PapaError[],
    final: boolean
  ): SourceRecord[] {
    const records: SourceRecord[] = []
    // Errors of the unfinished last row are reported when it is parsed in full.
    const quoteErrors = errors.length > 0 ? errorsByRow(errors, final ? Infinity : rows.length) : undefined
    const replaced = input.indexOf('\uFFFD') !== -1
    const apostrophe = input.indexOf("'") !== -1 // a spreadsheet formula guard (spreadsheet.ts) may be there
    const nul = input.indexOf(NUL) !== -1
    let width = this.headers?.length ?? 0
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as string[]
      if (row.length === 1 && row[0] === '') continue // blank line: ignored, but counted for line numbers
      const line = lines === undefined ? this.#line + i : (lines[i] as number)
      const rowErrors = quoteErrors?.get(i)
      if (this.headers === undefined) {
        width = this.#header(input, rows, i, line, rowErrors, final).length
        continue
      }
      let values = row
      let diagnostics: Diagnostic[] | undefined
      if (row.length !== width) {
        // A quote problem explains the wrong field count: it is reported alone (below).
        if (rowErrors === undefined) diagnostics = [this.#fieldCount(row.length, line)]
        values =
          row.length > width
            ? row.slice(0, width)
            : row.concat(new Array<string>(width - row.length).fill(''))
      }
      if (rowErrors !== undefined) {
        diagnostics ??= []
        for (const code of rowErrors) diagnostics.push(this.#quoteProblem(code, row, line))
      }
      if (replaced) {
        const column = row.findIndex((value) => value.indexOf('\uFFFD') !== -1)
        if (column !== -1) (diagnostics ??= []).push(this.#invalidEncoding(line, column))
      }
      if (nul) {
        const column = row.findIndex((value) => value.indexOf(NUL) !== -1)
        if (column !== -1)
          (diagnostics ??= []).push(nulInValue(this.#file, line, `The value in ${this.#column(column)}`))
      }
      if (apostrophe) unguardFormulas(values)
      records.push(diagnostics === undefined ? { line, values } : { line, values, diagnostics })
    }
    return records
  }

  #header(
    input: string,
    rows: string[][],
    index: number,
    line: number,
    codes: string[] | undefined,
    final: boolean
  ): string[] {
    const row = rows[index] as string[]
    if (codes !== undefined) {
      throw new InputError({
        severity: 'error',
        rule: 'csv-quote',
        message:
          codes[0] === 'MissingQuotes'
            ? 'A quoted header name is never closed: the whole file was read as the header row. Close the quote.'
            : 'A quote in the header row is misplaced; quote whole header names only, and double quotes inside them.',
        file: this.#file,
        line
      })
    }
    const names = row.map(cleanHeaderName)
    unguardFormulas(names)
    let columns: number[] | undefined
    const columnOf = (column: number): number | undefined => {
      columns ??= this.#headerColumns(input, index, final)
      return columns[column]
    }
    checkHeaderNames(names, { file: this.#file, rule: 'csv-header', lineOf: () => line, columnOf })
    const column = names.findIndex((name) => name.indexOf('\uFFFD') !== -1)
    if (column !== -1) throw new InputError(this.#invalidEncoding(line, column, columnOf(column)))
    this.headers = names
    this.headerLine = line
    return names
  }

  /** 1-based character columns where the header's fields start (only computed for error messages). */
  #headerColumns(input: string, index: number, final: boolean): number[] {
    let start = 0
    let previous = 0
    let count = 0
    const parser: Papa.Parser = new Papa.Parser({
      delimiter: this.#delimiter,
      newline: this.#newline as Papa.ParseConfig['newline'],
      quoteChar: '"',
      step: (step: { meta: { cursor: number } }) => {
        if (count++ === index) {
          start = previous
          parser.abort()
        }
        previous = step.meta.cursor
      }
    })
    parser.parse(input, 0, !final)
    const columns: number[] = []
    let lineStart = start
    let inQuotes = false
    let fieldStart = true
    columns.push(1)
    for (let i = start; i < input.length; i++) {
      const c = input[i]
      if (inQuotes) {
        if (c === '"') {
          if (input[i + 1] === '"') i++
          else inQuotes = false
        } else if (c === '\n' || (c === '\r' && input[i + 1] !== '\n')) lineStart = i + 1
        continue
      }
      if (c === '"' && fieldStart) {
        inQuotes = true
        fieldStart = false
      } else if (c === this.#delimiter) {
        columns.push(i + 1 - lineStart + 1)
        fieldStart = true
      } else if (c === '\n' || c === '\r') {
        break
      } else {
        fieldStart = false
      }
    }
    return columns
  }

  #fieldCount(count: number, line: number): Diagnostic {
    const width = this.headers?.length ?? 0
    const detail =
      count < width
        ? `the values from column ${count + 1} (${this.headers?.[count] ?? ''}) on are missing. Check for a missing ` +
          'delimiter or a line break inside an unquoted value'
        : `the values from column ${width + 1} on are extra. Quote values that contain the delimiter ` +
          `(${describeDelimiter(this.#delimiter)})`
    return {
      severity: 'error',
      rule: 'csv-field-count',
      message: `This record has ${count} fields but the header (line ${this.headerLine}) has ${width}: ${detail}.`,
      file: this.#file,
      line
    }
  }

  #quoteProblem(code: string, row: string[], line: number): Diagnostic {
    if (code === 'MissingQuotes') {
      return {
        severity: 'error',
        rule: 'csv-quote',
        message:
          `The quoted value in ${this.#column(row.length - 1)} is never closed, so the rest of the file was read ` +
          'into it. Add the closing quote.',
        file: this.#file,
        line
      }
    }
    const column = row.findIndex((value) => value.indexOf('"') !== -1)
    return {
      severity: 'error',
      rule: 'csv-quote',
      message:
        `A quote is misplaced${column === -1 ? '' : ` in ${this.#column(column)}`}: text follows the closing ` +
        'quote of a quoted value, or a quote inside it is not doubled (""). Quote the whole value and double inner quotes.',
      file: this.#file,
      line
    }
  }

  #invalidEncoding(line: number, column: number, character?: number): Diagnostic {
    const diagnostic: Diagnostic = {
      severity: 'error',
      rule: 'encoding-invalid',
      message:
        `${this.headers === undefined ? 'The header name of ' : ''}${this.#column(column)} holds bytes that are ` +
        'not valid in the file\'s encoding (decoded as U+FFFD "�"). Save the file as UTF-8 (Excel: "CSV UTF-8").',
      file: this.#file,
      line
    }
    if (character !== undefined) diagnostic.column = character
    return diagnostic
  }

  /** `column 3 (Email)`: the field number and its header name, never the value. */
  #column(index: number): string {
    const name = this.headers?.[index]
    return name === undefined ? `column ${index + 1}` : `column ${index + 1} (${shorten(name)})`
  }
}

function errorsByRow(errors: PapaError[], rowCount: number): Map<number, string[]> | undefined {
  let byRow: Map<number, string[]> | undefined
  for (const error of errors) {
    if (error.row === undefined || error.row >= rowCount) continue
    byRow ??= new Map()
    const codes = byRow.get(error.row) ?? []
    if (!codes.includes(error.code)) codes.push(error.code)
    byRow.set(error.row, codes)
  }
  return byRow
}

/**
 * Line breaks in `text[from, to)`: every `\n`, and every `\r` not followed by `\n` (a `\r` at `to` looks at the
 * character after it when there is one).
 */
export function countLineBreaks(text: string, from: number, to: number): number {
  return countLf(text, from, to) + countLoneCr(text, from, to)
}

function countLf(text: string, from: number, to: number): number {
  let count = 0
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++
  return count
}

function countLoneCr(text: string, from: number, to: number): number {
  let count = 0
  for (let i = text.indexOf('\r', from); i !== -1 && i < to; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) count++
  }
  return count
}

function countChar(text: string, char: string): number {
  let count = 0
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) count++
  return count
}

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `'${delimiter}'`
}

function emptyFile(file: string): InputError {
  return new InputError({
    severity: 'error',
    rule: 'csv-empty',
    message:
      'The file is empty or has only blank lines: the first line must be a header row naming the columns.',
    file,
    line: 1
  })
}
