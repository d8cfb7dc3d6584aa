/**
 * Streaming reader of a `.json` file holding an array of objects, on stream-json's tokenizer (`jsonParser`, which
 * consumes text piece by piece and keeps numbers as their source text). The text is fed one line at a time, so
 * every token is known to come from the line being fed: that gives each element the line where it starts without
 * holding the file in memory. Memory stays at one read buffer plus one element, whatever the file size.
 *
 * stream-json reports a syntax error without a position; the file is then read again with stream-json's verifier,
 * which gives the line and column, and its wording is turned into ours. Neither quotes the text (it is personal
 * data).
 */
import { getManyValues, isMany, none } from 'stream-chain/defs.js'
import { jsonParser } from 'stream-json/core/parser.js'
import { jsonVerifier } from 'stream-json/core/utils/verifier.js'
import type { Diagnostic } from '../common/diagnostics.ts'
import { InputError } from '../common/diagnostics.ts'
import { TextChunkReader } from './text.ts'

/**
 * Deepest nesting accepted (the array is level 1, its objects level 2). Values nested deeper than level 2 are
 * already an error on their record; past this limit the file is refused rather than walked any further.
 */
export const MAX_JSON_DEPTH = 64

/**
 * Longest element of the array accepted, in characters (as CSV's longest record). stream-json keeps a string whole
 * until it ends, so one huge value would otherwise hold the memory the streaming saves.
 */
export const MAX_ELEMENT_LENGTH = 64 * 1024 * 1024

export interface JsonElementOptions {
  /** Bytes per read (default 64 KiB). */
  chunkSize?: number
  /** Longest element in characters (default MAX_ELEMENT_LENGTH); tests use small values. */
  maxElementLength?: number
  /** Called with the reader once the file is open (its encoding). */
  opened?: (reader: TextChunkReader) => void
}

/** One element of the top-level array: an object (its members, in file order) or anything else. */
export type JsonElement =
  | { readonly kind: 'object'; readonly line: number; readonly members: Map<string, unknown> }
  | { readonly kind: 'other'; readonly line: number; readonly index: number }

type Token = { name: string; value?: unknown }
/** stream-json's stages take text, then `none` to end it. */
type Stage = (input: string | typeof none) => unknown

/** A problem with the file's structure, found while walking its tokens. */
class StructureError extends Error {
  readonly rule: string
  readonly line: number
  constructor(rule: string, message: string, line: number) {
    super(message)
    this.rule = rule
    this.line = line
  }
}

/** Turns the tokens of one array of objects into elements, each with its line. */
class ArrayWalker {
  readonly #parse = jsonParser({ packValues: true, streamValues: false }) as Stage
  #depth = 0
  #line = 1
  /** The previous piece ended with `\r`: a `\n` starting the next one ends the same line. */
  #afterCr = false
  #elements = 0
  #object: { line: number; members: Map<string, unknown> } | undefined
  #key: string | undefined
  /** Characters fed since the current element of the array started (or since the last one ended). */
  #elementLength = 0
  readonly #maxElementLength: number
  /** Anything other than white space was seen. */
  content = false
  #out: JsonElement[] = []

  constructor(maxElementLength: number) {
    this.#maxElementLength = maxElementLength
  }

  /** Feeds a piece of text; returns the elements it completed. */
  write(text: string): JsonElement[] {
    if (!this.content && /[^ \t\r\n]/.test(text)) this.content = true
    let from = 0
    if (this.#afterCr && text.charCodeAt(0) === 10) from = 1
    this.#afterCr = false
    const breaks = /\r\n?|\n/g
    breaks.lastIndex = from
    for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
      const end = match.index + match[0].length
      this.#feed(text.slice(from, end))
      this.#line++
      from = end
    }
    if (text.endsWith('\r')) this.#afterCr = true
    if (from < text.length) this.#feed(text.slice(from))
    return this.#take()
  }

  /** Ends the text; returns the elements it completed. */
  end(): JsonElement[] {
    this.#tokens(this.#parse(none))
    return this.#take()
  }

  #take(): JsonElement[] {
    const out = this.#out
    this.#out = []
    return out
  }

  #feed(piece: string): void {
    this.#elementLength += piece.length
    if (this.#elementLength > this.#maxElementLength) {
      throw new StructureError(
        'json-element-too-long',
        `An element of the array is longer than ${this.#maxElementLength} characters; an HR record is far ` +
          'smaller. Check that the file is an array of flat objects.',
        this.#object?.line ?? this.#line
      )
    }
    this.#tokens(this.#parse(piece))
  }

  #tokens(result: unknown): void {
    if (!isMany(result)) return
    for (const token of getManyValues(result) as Token[]) this.#token(token)
  }

  #token(token: Token): void {
    const line = this.#line
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        return this.#open(token.name === 'startObject', line)
      case 'endObject':
      case 'endArray':
        if (this.#depth === 2 && this.#object !== undefined) {
          this.#out.push({ kind: 'object', ...this.#object })
          this.#object = undefined
        }
        if (this.#depth === 2) this.#elementLength = 0
        this.#depth--
        return
      case 'keyValue':
        if (this.#depth === 2) this.#key = token.value as string
        return
      default:
        // A string, number (its source text), true, false or null.
        if (this.#depth === 0) throw notArray(line)
        if (this.#depth === 1) this.#out.push({ kind: 'other', line, index: ++this.#elements })
        else if (this.#depth === 2) this.#member(token.value)
    }
  }

  #open(object: boolean, line: number): void {
    this.#depth++
    if (this.#depth > MAX_JSON_DEPTH) {
      throw new StructureError(
        'json-too-deep',
        `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep; an HR file is an array of flat objects.`,
        line
      )
    }
    if (this.#depth === 1 && !object) return
    if (this.#depth === 1) throw notArray(line)
    if (this.#depth === 2) {
      this.#elementLength = 0
      this.#elements++
      if (object) this.#object = { line, members: new Map() }
      else this.#out.push({ kind: 'other', line, index: this.#elements })
    } else if (this.#depth === 3) {
      // A nested value: kept as an empty one of its kind, which makes an error on the record.
      this.#member(object ? {} : [])
    }
  }

  #member(value: unknown): void {
    if (this.#object !== undefined && this.#key !== undefined) this.#object.members.set(this.#key, value)
    this.#key = undefined
  }
}

function notArray(line: number): StructureError {
  return new StructureError(
    'json-not-array',
    'The file must hold an array of objects ([{...}, {...}]); use .jsonl for one object per line.',
    line
  )
}

/**
 * The elements of the array in `absolute`, a batch per read. Throws an InputError for a file that is empty, not an
 * array, nested too deep or not valid JSON, at its line (and column for syntax errors).
 */
export async function* jsonElements(
  absolute: string,
  file: string,
  options: JsonElementOptions = {}
): AsyncGenerator<JsonElement[], void, undefined> {
  const { chunkSize } = options
  const reader = await TextChunkReader.open(absolute, file, chunkSize)
  options.opened?.(reader)
  const walker = new ArrayWalker(options.maxElementLength ?? MAX_ELEMENT_LENGTH)
  try {
    for (let piece = await reader.read(); piece !== undefined; piece = await reader.read()) {
      const batch = walker.write(piece)
      if (batch.length > 0) yield batch
    }
    if (!walker.content) {
      throw fileError(file, 'json-empty', 'The file is empty: it must hold an array of objects.', 1)
    }
    const last = walker.end()
    if (last.length > 0) yield last
  } catch (error) {
    if (error instanceof StructureError) throw fileError(file, error.rule, error.message, error.line)
    if (error instanceof InputError) throw error
    throw await locateSyntaxError(absolute, file, chunkSize)
  } finally {
    await reader.close()
  }
}

/** Reads the file again with stream-json's verifier, which tells where the text stops being JSON. */
async function locateSyntaxError(absolute: string, file: string, chunkSize?: number): Promise<InputError> {
  const reader = await TextChunkReader.open(absolute, file, chunkSize)
  const verify = jsonVerifier() as Stage
  let length = 0
  try {
    for (let piece = await reader.read(); piece !== undefined; piece = await reader.read()) {
      length += piece.length
      verify(piece)
    }
    verify(none)
  } catch (error) {
    const { line, pos, offset, message } = error as Error & { line?: number; pos?: number; offset?: number }
    if (typeof line === 'number' && typeof pos === 'number') {
      const atEnd = typeof offset === 'number' && offset >= length
      return fileError(file, 'json-syntax', `Invalid JSON: ${describe(message, atEnd)}.`, line, pos)
    }
  } finally {
    await reader.close()
  }
  return fileError(file, 'json-syntax', 'Invalid JSON: syntax error.', 1)
}

/** The verifier's reason in our words (its messages name tokens, never the file's text). */
function describe(message: string, atEnd: boolean): string {
  if (message.includes('string value')) return 'a string is not closed'
  if (atEnd) return 'unexpected end of the text'
  if (message.includes('expected a value')) {
    return 'expected a value (a string in double quotes, a number, true, false, null, an object or an array)'
  }
  if (message.includes("token ']'")) return "expected a value before ']' (remove the trailing comma)"
  if (message.includes("token '}'")) return "expected a property name before '}' (remove the trailing comma)"
  if (message.includes('object key')) return 'expected a property name in double quotes'
  if (message.includes("expected ':'")) return "expected ':' after a property name"
  if (message.includes("expected ','")) return "expected ',' or the end of the object or array"
  if (message.includes('escaped characters')) {
    return 'a string holds a control character, a line break or an invalid escape (write \\n, \\t, \\\\...)'
  }
  if (message.includes('unexpected characters')) return 'unexpected text after the end of the JSON value'
  if (message.includes('number') || message.includes('exponent')) return 'invalid number'
  return 'syntax error'
}

function fileError(file: string, rule: string, message: string, line: number, column?: number): InputError {
  const diagnostic: Diagnostic = { severity: 'error', rule, message, file, line }
  if (column !== undefined) diagnostic.column = column
  return new InputError(diagnostic)
}
