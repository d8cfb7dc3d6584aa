/**
 * JSON and JSON Lines readers.
 *
 * - `.json` holds an array of objects. It is streamed (json-array.ts), twice: once when opened, to check the
 *   structure and collect the keys (the headers must be known before any record is read), and again when the
 *   records are iterated. Each record has the line where its object starts.
 * - `.jsonl` / `.ndjson` holds one object per line, streamed the same two times. A line that is not a JSON object
 *   becomes a record with an error diagnostic.
 *
 * Values become strings: numbers keep their source text (`1.50` stays `1.50`, long IDs keep every digit), booleans
 * become `true`/`false`, `null` and absent keys become `''`. An object or array value, or a NUL character, is an
 * error on that record. Headers are the union of the keys, trimmed, in order of first appearance (in a `.jsonl`,
 * integer-like keys such as `"42"` come first within an object, as in every JavaScript object).
 */
import { InputError } from '../common/diagnostics.ts'
import type { Diagnostic } from '../common/diagnostics.ts'
import { countLineBreaks } from './csv.ts'
import { checkHeaderNames } from './headers.ts'
import { jsonElements, MAX_JSON_DEPTH } from './json-array.ts'
import { TextChunkReader } from './text.ts'
import { NUL, nulInValue } from './nul-check.ts'
import type { SourceFile, SourceRecord } from './source-file.ts'
import { shorten } from '../common/shorten.ts'

export interface JsonOptions {
  /** Bytes per read (default 64 KiB); tests use tiny values. */
  chunkSize?: number
  /** `.json` only: longest element of the array in characters (default 64 Mi); tests use small values. */
  maxElementLength?: number
}

type JsonObject = Record<string, unknown>

/**
 * Opens a `.json` file: an array of objects. The file is streamed twice, as a `.jsonl` is: once now, to check its
 * structure and collect the keys, and again when the records are iterated.
 */
export async function openJson(
  absolute: string,
  file: string,
  options: JsonOptions = {}
): Promise<SourceFile> {
  const keys = new KeyCollector(file)
  const problems: Diagnostic[] = []
  let encoding: SourceFile['encoding'] = 'utf-8'
  const opened = (reader: TextChunkReader): void => {
    encoding = reader.encoding
  }
  for await (const elements of jsonElements(absolute, file, { ...options, opened })) {
    for (const element of elements) {
      if (element.kind === 'object') keys.add(element.members.keys(), element.line)
      else problems.push(notObject(file, element.line, undefined, element.index))
    }
  }
  if (problems.length > 0) throw new InputError(problems)
  keys.check()
  return {
    file,
    format: 'json',
    headers: keys.headers,
    headerLine: 1,
    encoding,
    chunks: iterateOnce(file, async function* () {
      for await (const elements of jsonElements(absolute, file, options)) {
        const batch: SourceRecord[] = []
        for (const element of elements) {
          if (element.kind === 'object') batch.push(keys.record(element.members, element.line))
        }
        if (batch.length > 0) yield batch
      }
    })
  }
}

/** Opens a `.jsonl` / `.ndjson` file: one object per line, blank lines ignored. */
export async function openJsonl(
  absolute: string,
  file: string,
  options: JsonOptions = {}
): Promise<SourceFile> {
  // First pass: the keys, for the headers.
  const keys = new KeyCollector(file)
  let objects = 0
  const first = await TextChunkReader.open(absolute, file, options.chunkSize)
  try {
    const pass = forEachLine(first, (lines) => {
      for (const { text, line } of lines) {
        if (text.trim() === '') continue
        objects++
        let value: unknown
        try {
          value = JSON.parse(text, keepNumberSource)
        } catch {
          continue // reported on its record
        }
        if (isObject(value)) keys.add(Object.keys(value), line)
      }
    })
    for await (const _ of pass) {
      // the callback does the work
    }
  } finally {
    await first.close()
  }
  if (objects === 0)
    throw jsonError(file, 'json-empty', 'The file is empty: it must hold one JSON object per line.', 1)
  keys.check()

  return {
    file,
    format: 'jsonl',
    headers: keys.headers,
    headerLine: 1,
    encoding: first.encoding,
    chunks: iterateOnce(file, async function* () {
      // Second pass: the records.
      const reader = await TextChunkReader.open(absolute, file, options.chunkSize)
      try {
        const queue: SourceRecord[][] = []
        const pump = forEachLine(reader, (lines) => {
          const batch: SourceRecord[] = []
          for (const { text, line } of lines)
            if (text.trim() !== '') batch.push(jsonlRecord(text, line, keys, file))
          if (batch.length > 0) queue.push(batch)
        })
        // forEachLine calls back once per chunk read; yield between reads so memory stays at one chunk.
        for await (const _ of pump) {
          while (queue.length > 0) yield queue.shift() as SourceRecord[]
        }
        while (queue.length > 0) yield queue.shift() as SourceRecord[]
      } finally {
        await reader.close()
      }
    })
  }
}

function jsonlRecord(text: string, line: number, keys: KeyCollector, file: string): SourceRecord {
  let value: unknown
  try {
    value = JSON.parse(text, keepNumberSource)
  } catch {
    const problem = findJsonError(text)
    const diagnostic: Diagnostic = {
      severity: 'error',
      rule: 'json-syntax',
      message: `Invalid JSON on this line: ${problem?.message ?? 'syntax error'}.`,
      file,
      line
    }
    if (problem) diagnostic.column = position(text, problem.offset).column
    return { line, values: keys.headers.map(() => ''), diagnostics: [diagnostic] }
  }
  if (!isObject(value)) {
    return {
      line,
      values: keys.headers.map(() => ''),
      diagnostics: [notObject(file, line, firstNonSpace(text) + 1)]
    }
  }
  return keys.record(Object.entries(value), line)
}

/** Collects keys in first-appearance order and turns objects into positional records. */
class KeyCollector {
  readonly headers: string[] = []
  readonly #file: string
  readonly #lines: number[] = []
  /** Raw key → header index. */
  readonly #index = new Map<string, number>()

  constructor(file: string) {
    this.#file = file
  }

  add(keys: Iterable<string>, line: number): void {
    for (const key of keys) {
      if (this.#index.has(key)) continue
      this.#index.set(key, this.headers.length)
      this.headers.push(key.trim())
      this.#lines.push(line)
    }
  }

  /** Empty keys and keys equal ignoring case and surrounding spaces make the file unusable. */
  check(): void {
    checkHeaderNames(this.headers, {
      file: this.#file,
      rule: 'json-key',
      lineOf: (index) => this.#lines[index] ?? 1
    })
  }

  /** A record from an object's members (key, value), in any order; a later duplicate key wins. */
  record(members: Iterable<[string, unknown]>, line: number): SourceRecord {
    const values = new Array<string>(this.headers.length).fill('')
    let diagnostics: Diagnostic[] | undefined
    for (const [key, value] of members) {
      const index = this.#index.get(key)
      if (index === undefined) continue // only if the file changed between the two passes
      if (typeof value === 'string') {
        values[index] = value
        if (value.indexOf(NUL) !== -1) {
          ;(diagnostics ??= []).push(
            nulInValue(this.#file, line, `The value of '${shorten(this.headers[index] ?? '')}'`)
          )
        }
        if (value.indexOf('\uFFFD') !== -1) {
          ;(diagnostics ??= []).push({
            severity: 'error',
            rule: 'encoding-invalid',
            message:
              `The value of '${shorten(this.headers[index] ?? '')}' holds bytes that are not valid UTF-8 (decoded as U+FFFD "�"). ` +
              'Save the file as UTF-8.',
            file: this.#file,
            line
          })
        }
      } else if (typeof value === 'number' || typeof value === 'boolean') {
        values[index] = String(value)
      } else if (value !== null && value !== undefined) {
        ;(diagnostics ??= []).push({
          severity: 'error',
          rule: 'json-nested-value',
          message:
            `The value of '${shorten(this.headers[index] ?? '')}' is ${Array.isArray(value) ? 'an array' : 'an object'}; only ` +
            'strings, numbers, booleans and null can be mapped. Flatten it into separate keys.',
          file: this.#file,
          line
        })
      }
    }
    return diagnostics === undefined ? { line, values } : { line, values, diagnostics }
  }
}

/** JSON.parse reviver: a number keeps its source text (exact digits), where the runtime provides it (Node ≥ 21). */
function keepNumberSource(_key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && typeof context?.source === 'string' ? context.source : value
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function iterateOnce(
  file: string,
  generate: () => AsyncGenerator<readonly SourceRecord[]>
): AsyncIterable<readonly SourceRecord[]> {
  let iterated = false
  return {
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error(`${file}: the records of a source file can be iterated only once`)
      iterated = true
      return generate()
    }
  }
}

interface NumberedLine {
  text: string
  line: number
}

/**
 * Reads `reader` to the end, calling `onLines` with the complete lines of each chunk (`\n` or `\r\n` endings; JSON
 * text cannot hold a raw line break, so this split is exact). Yields after each call, so a consumer can pause it.
 */
async function* forEachLine(
  reader: TextChunkReader,
  onLines: (lines: NumberedLine[]) => void
): AsyncGenerator<void> {
  let rest = ''
  let line = 1
  for (;;) {
    const piece = await reader.read()
    const text = piece === undefined ? rest : rest + piece
    const lines: NumberedLine[] = []
    let from = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
      const cut = end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end
      lines.push({ text: text.slice(from, cut), line: line++ })
      from = end + 1
    }
    rest = text.slice(from)
    if (piece === undefined && rest !== '') lines.push({ text: rest, line })
    if (lines.length > 0) onLines(lines)
    yield
    if (piece === undefined) return
  }
}

function firstNonSpace(text: string): number {
  const match = /[^\s\ufeff]/.exec(text)
  return match ? match.index : 0
}

/** 1-based line and column of `offset` (line breaks: `\n`, `\r\n`, lone `\r`). */
function position(text: string, offset: number): { line: number; column: number } {
  const line = 1 + countLineBreaks(text, 0, offset)
  let lineStart = 0
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) {
      lineStart = i + 1
      break
    }
  }
  return { line, column: offset - lineStart + 1 }
}

class JsonSyntax {
  readonly offset: number
  readonly message: string
  constructor(offset: number, message: string) {
    this.offset = offset
    this.message = message
  }
}

/**
 * Where JSON.parse failed, and why, in words that quote nothing from the file (its values are personal data).
 * JSON.parse's own messages include a piece of the text, so they are never shown.
 */
export function findJsonError(text: string): { offset: number; message: string } | undefined {
  try {
    new JsonChecker(text).document()
    return undefined
  } catch (error) {
    if (error instanceof JsonSyntax) return { offset: error.offset, message: error.message }
    return undefined
  }
}

/** A recursive-descent reader of JSON that only checks it: throws JsonSyntax where the text stops being JSON. */
class JsonChecker {
  private readonly text: string
  private i = 0
  private depth = 0

  constructor(text: string) {
    this.text = text
  }

  /** The whole text: one value, with only white space around it. */
  document(): void {
    this.value()
    this.space()
    if (this.i < this.text.length) this.fail('unexpected text after the end of the JSON value')
  }

  private value(): void {
    this.space()
    const c = this.text[this.i]
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_JSON_DEPTH) {
        this.fail(`the JSON is nested more than ${MAX_JSON_DEPTH} levels deep`)
      }
      if (c === '{') this.object()
      else this.array()
      this.depth--
    } else if (c === '"') {
      this.string()
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      this.number()
    } else {
      this.literal()
    }
  }

  private object(): void {
    this.i++ // {
    this.space()
    if (this.text[this.i] === '}') {
      this.i++
      return
    }
    for (;;) {
      this.space()
      if (this.text[this.i] !== '"') this.fail('expected a property name in double quotes')
      this.string()
      this.space()
      if (this.text[this.i] !== ':') this.fail("expected ':' after a property name")
      this.i++
      this.value()
      this.space()
      if (this.text[this.i] === ',') {
        this.i++
        continue
      }
      if (this.text[this.i] === '}') {
        this.i++
        return
      }
      this.fail("expected ',' or '}' after a property value")
    }
  }

  private array(): void {
    this.i++ // [
    this.space()
    if (this.text[this.i] === ']') {
      this.i++
      return
    }
    for (;;) {
      this.value()
      this.space()
      if (this.text[this.i] === ',') {
        this.i++
        continue
      }
      if (this.text[this.i] === ']') {
        this.i++
        return
      }
      this.fail("expected ',' or ']' after an array element")
    }
  }

  private string(): void {
    const start = this.i
    this.i++ // opening quote
    for (;;) {
      if (this.i >= this.text.length) throw new JsonSyntax(start, 'a string is not closed')
      const c = this.text.charCodeAt(this.i)
      if (c === 34) {
        this.i++
        return
      }
      if (c < 32) this.fail('a string holds a control character or line break (write it as \\n, \\t...)')
      if (c === 92) this.escape()
      else this.i++
    }
  }

  /** A backslash escape inside a string. */
  private escape(): void {
    const e = this.text[this.i + 1] ?? ''
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6)))
        this.fail('invalid \\u escape in a string')
      this.i += 6
    } else if ('"\\/bfnrt'.includes(e) && e !== '') {
      this.i += 2
    } else {
      this.fail('invalid escape sequence in a string (a backslash must be written \\\\)')
    }
  }

  private number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400))
    if (!match) this.fail('invalid number')
    this.i += match[0].length
  }

  /** true, false or null; anything else here is not a value. */
  private literal(): void {
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.i)) {
        this.i += literal.length
        return
      }
    }
    this.fail(
      'expected a value (a string in double quotes, a number, true, false, null, an object or an array)'
    )
  }

  /** JSON white space, and a byte order mark at the very start. */
  private space(): void {
    const text = this.text
    while (this.i < text.length) {
      const c = text.charCodeAt(this.i)
      if (c === 32 || c === 9 || c === 10 || c === 13 || (this.i === 0 && c === 0xfeff)) this.i++
      else break
    }
  }

  /** Stops at the current offset; past the end, whatever was expected, the text just ended too early. */
  private fail(message: string): never {
    throw new JsonSyntax(this.i, this.i >= this.text.length ? 'unexpected end of the text' : message)
  }
}

function notObject(file: string, line: number, column: number | undefined, element?: number): Diagnostic {
  const diagnostic: Diagnostic = {
    severity: 'error',
    rule: 'json-not-object',
    message:
      element === undefined
        ? 'This line is not a JSON object; write one object per line ({"key": "value", ...}).'
        : `Element ${element} of the array is not an object; every element must be an object ({"key": "value", ...}).`,
    file,
    line
  }
  if (column !== undefined) diagnostic.column = column
  return diagnostic
}

function jsonError(file: string, rule: string, message: string, line: number, column?: number): InputError {
  const diagnostic: Diagnostic = { severity: 'error', rule, message, file, line }
  if (column !== undefined) diagnostic.column = column
  return new InputError(diagnostic)
}
