/**
 * Plans a big CSV file in parts, one per core: worker threads and the main thread each read a byte range, map and
 * validate its records, and keep their keys and diagnostics; the caller then checks across records as usual. A
 * million-row export is planned in about half the time on a 2-core runner.
 *
 * Parts start where a record starts. A split point is a line break after an even number of quotes (outside any
 * quoted value, for RFC 4180 files); whether it really was is checked afterwards: a part that ends inside a quoted
 * value means it was not, and the file is then planned on the main thread instead. Any failure of a worker falls
 * back the same way, so parallel planning never changes a result.
 *
 * The worker runs this same module: from source, this file; bundled, dist/index.js (index.ts starts the action only
 * on the main thread).
 */
import { open } from 'node:fs/promises'
import os from 'node:os'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { Diagnostic } from '../common/diagnostics.ts'
import type { EvaluationContext } from '../mapping/expression/index.ts'
import { loadMapping, type Mapping } from '../mapping/load.ts'
import type { RuleSeverity } from '../settings/settings.ts'
import { openCsv, openCsvPart, type CsvPart } from '../sources/csv.ts'
import type { SourceFile } from '../sources/source-file.ts'
import type { DelimiterSetting } from '../settings/settings.ts'
import { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import { planSource, type RecordSink } from './plan-source.ts'
import type { PlannedRecord, RecordStatus } from './model.ts'

const TASK_KIND = 'entra-hr-sync/plan-part'
const DEFAULT_MIN_BYTES = 16 * 1024 * 1024
const MAX_PARTS = 4
const SCAN_BLOCK = 8 * 1024 * 1024
const WORKER_YOUNG_GENERATION_MB = 64

interface PartTask {
  kind: typeof TASK_KIND
  mapping: { text: string; file: string }
  rules: Array<[string, RuleSeverity]>
  absolute: string
  file: string
  delimiter: string
  /** A part after the first: it continues after the header, which the main thread read. */
  part: CsvPart
}

interface PartResult {
  lines: Int32Array
  statuses: Uint8Array
  bytes: Float64Array
  externalIds: Array<string | undefined>
  userNames: Array<string | undefined>
  managerIds: Array<string | undefined>
  diagnostics: Diagnostic[]
  /** The part ended inside a quoted value: its split point was not a record boundary. */
  endsInQuote: boolean
}

const STATUSES: readonly RecordStatus[] = ['valid', 'invalid', 'ignored']

/** planSourceInParallel gave up after feeding records: the caller drops them and plans the file serially. */
export const ABANDONED = -1

/**
 * Plans `source` in parallel and feeds every record to `sink` in file order. Returns the number of parts; 0 (having
 * fed nothing) when the file is not worth or not fit for it (small, not UTF-8, lone-CR line ends, a single core);
 * or ABANDONED when a split turned out to fall inside a quoted value, or a part failed, after some records were fed.
 */
export async function planSourceInParallel(
  mapping: Mapping,
  source: SourceFile,
  fileIndex: number,
  options: {
    context: EvaluationContext
    diagnostics: DiagnosticFactory
    parallelMinBytes?: number
    /** Told how many records the file probably holds (from the lines before the first split), to size indexes. */
    reserve?: (records: number) => void
  },
  sink: RecordSink
): Promise<number> {
  const layout = source.layout
  const minBytes = options.parallelMinBytes ?? DEFAULT_MIN_BYTES
  if (!layout || source.encoding !== 'utf-8' || layout.newline === '\r' || layout.size < minBytes) return 0
  const parts = Math.min(os.availableParallelism(), MAX_PARTS, Math.floor(layout.size / (minBytes / 2)))
  if (parts < 2) return 0

  const splits = await findSplits(layout.absolute, layout.size, parts, layout.newline)
  if (!splits) return 0
  const first = splits[1] as { offset: number; line: number }
  options.reserve?.(Math.ceil(((first.line - 1) * layout.size) / first.offset))
  const delimiter = source.delimiter ?? ','
  const tasks: PartTask[] = splits.slice(1).map((split, i) => ({
    kind: TASK_KIND,
    mapping: { text: mapping.text, file: mapping.file },
    rules: options.diagnostics.overrides,
    absolute: layout.absolute,
    file: source.file,
    delimiter,
    part: {
      delimiter,
      newline: layout.newline,
      headers: source.headers,
      headerLine: source.headerLine,
      firstLine: split.line,
      start: split.offset,
      end: splits[i + 2]?.offset ?? layout.size
    }
  }))

  // Workers plan every part but the first; this thread plans the first meanwhile, feeding the sink as it goes.
  const workers = tasks.map(startWorker)
  const stop = (): number => {
    for (const worker of workers) void worker.thread.terminate()
    return ABANDONED
  }
  let endsInQuote = false
  try {
    const firstPart = await openCsv(layout.absolute, source.file, {
      delimiter: delimiter as DelimiterSetting,
      range: { end: first.offset }
    })
    await planSource(
      mapping,
      firstPart,
      fileIndex,
      options.context,
      options.diagnostics,
      (record, values, found) => {
        endsInQuote = found.length > 0 && found.some((d) => d.rule === 'csv-quote')
        sink(record, values, found)
      }
    )
  } catch {
    return stop()
  }
  if (endsInQuote) return stop()

  for (const [k, worker] of workers.entries()) {
    let result: PartResult
    try {
      result = await worker.result
    } catch {
      return stop()
    }
    // A part that ends inside a quoted value means the next one did not start at a record.
    if (k < workers.length - 1 && result.endsInQuote) return stop()
    feed(result, fileIndex, sink)
  }
  return splits.length
}

function feed(result: PartResult, fileIndex: number, sink: RecordSink): void {
  const byLine = new Map<number, Diagnostic[]>()
  for (const diagnostic of result.diagnostics) {
    const list = byLine.get(diagnostic.line ?? 0)
    if (list) list.push(diagnostic)
    else byLine.set(diagnostic.line ?? 0, [diagnostic])
  }
  for (let i = 0; i < result.lines.length; i++) {
    const line = result.lines[i] as number
    const record: PlannedRecord = {
      fileIndex,
      line,
      externalId: result.externalIds[i],
      userName: result.userNames[i],
      managerId: result.managerIds[i],
      status: STATUSES[result.statuses[i] as number] as RecordStatus,
      values: undefined,
      // Sizes are whole numbers, so Math.trunc changes no value; but V8 keeps its result as a small integer, while a
      // number read from a Float64Array as it is makes V8 switch every record's `bytes` to a boxed double, and
      // convert each record already made (the main thread's part) when it is next read: 0.3 s on a million rows.
      bytes: Math.trunc(result.bytes[i] as number)
    }
    sink(record, undefined, byLine.get(line) ?? [])
  }
}

/** Byte offset and line of each part's first record; the first part starts at the top (its header included). */
async function findSplits(
  absolute: string,
  size: number,
  parts: number,
  newline: string
): Promise<Array<{ offset: number; line: number }> | undefined> {
  const splits = [{ offset: 0, line: 1 }]
  // The main thread's part (the first) is a little larger: workers start later, loading the action first.
  const firstShare = Math.min(0.9, 1.1 / parts)
  const targetOf = (k: number): number =>
    Math.floor(size * (firstShare + ((k - 1) * (1 - firstShare)) / (parts - 1)))
  const handle = await open(absolute, 'r')
  try {
    const block = Buffer.allocUnsafe(SCAN_BLOCK)
    let quotes = 0
    let lines = 1
    let position = 0
    let target = targetOf(1)
    while (splits.length < parts && position < size) {
      const { bytesRead } = await handle.read(block, 0, block.length, position)
      if (bytesRead === 0) break
      const bytes = block.subarray(0, bytesRead)
      // Lone CRs would count as line breaks for the parser; such files are planned serially.
      if (hasLoneCr(bytes, newline, position + bytesRead === size)) return undefined
      if (position + bytesRead < target) {
        // Far from the next split: count in bulk.
        quotes += count(bytes, 0x22, 0, bytesRead)
        lines += count(bytes, 0x0a, 0, bytesRead)
        position += bytesRead
        continue
      }
      let from = 0
      while (from < bytesRead) {
        const lf = bytes.indexOf(0x0a, from)
        const stop = lf === -1 ? bytesRead : lf
        quotes += count(bytes, 0x22, from, stop)
        if (lf === -1) break
        lines++
        if (position + lf + 1 >= target && quotes % 2 === 0) {
          splits.push({ offset: position + lf + 1, line: lines })
          if (splits.length === parts) break
          target = targetOf(splits.length)
        }
        from = lf + 1
      }
      position += bytesRead
    }
  } finally {
    await handle.close()
  }
  return splits.length === parts ? splits : undefined
}

function count(bytes: Buffer, byte: number, from: number, to: number): number {
  let found = 0
  for (let at = bytes.indexOf(byte, from); at !== -1 && at < to; at = bytes.indexOf(byte, at + 1)) found++
  return found
}

function hasLoneCr(bytes: Buffer, newline: string, last: boolean): boolean {
  for (let at = bytes.indexOf(0x0d); at !== -1; at = bytes.indexOf(0x0d, at + 1)) {
    if (newline !== '\r\n') return true
    // A CR at the end of a block is followed by the next block's first byte: treat it as lone, unless it ends the file.
    if (at + 1 >= bytes.length ? !last : bytes[at + 1] !== 0x0a) return true
  }
  return false
}

function startWorker(task: PartTask): { thread: Worker; result: Promise<PartResult> } {
  // A young generation larger than the default: fewer of the rows' short-lived strings are promoted before they
  // die, which cut the worker's time by about a tenth and the peak RSS by about 60 MiB on a million rows.
  const thread = new Worker(new URL(import.meta.url), {
    workerData: task,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }
  })
  const result = new Promise<PartResult>((resolve, reject) => {
    thread.once('message', (message: PartResult) => resolve(message))
    thread.once('error', reject)
    thread.once('exit', (code) => reject(new Error(`plan worker exited with code ${code}`)))
  })
  result.catch(() => undefined) // awaited in order later; an early failure must not go unhandled meanwhile
  return { thread, result }
}

/** The worker side: plans one part. */
async function planPart(task: PartTask, context: EvaluationContext): Promise<PartResult> {
  const mapping = loadMapping(task.mapping.text, task.mapping.file)
  const factory = new DiagnosticFactory(new Map(task.rules))
  const source = await openCsvPart(task.absolute, task.file, task.part)
  const lines = new NumberColumn((size) => new Int32Array(size))
  const statuses = new NumberColumn((size) => new Uint8Array(size))
  const bytes = new NumberColumn((size) => new Float64Array(size))
  const result: PartResult = {
    lines: new Int32Array(0),
    statuses: new Uint8Array(0),
    bytes: new Float64Array(0),
    externalIds: [],
    userNames: [],
    managerIds: [],
    diagnostics: [],
    endsInQuote: false
  }
  let lastLine = 0
  await planSource(mapping, source, 0, context, factory, (record, _values, found) => {
    lines.push(record.line)
    statuses.push(STATUSES.indexOf(record.status))
    bytes.push(record.bytes ?? 0)
    result.externalIds.push(record.externalId)
    result.userNames.push(record.userName)
    result.managerIds.push(record.managerId)
    for (const diagnostic of found) result.diagnostics.push(diagnostic)
    lastLine = record.line
  })
  result.lines = lines.done()
  result.statuses = statuses.done()
  result.bytes = bytes.done()
  result.endsInQuote = result.diagnostics.some((d) => d.rule === 'csv-quote' && d.line === lastLine)
  return result
}

/** A number per record in a typed array that doubles as needed: cheaper than growing a plain array push by push. */
class NumberColumn<A extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Float64Array<ArrayBuffer>> {
  readonly #make: (size: number) => A
  #values: A
  #length = 0

  constructor(make: (size: number) => A) {
    this.#make = make
    this.#values = make(1 << 12)
  }

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = this.#make(this.#length * 2)
      grown.set(this.#values)
      this.#values = grown
    }
    this.#values[this.#length++] = value
  }

  /** The values in an array of their own (its buffer is transferred to the main thread). */
  done(): A {
    return this.#values.slice(0, this.#length) as A
  }
}

if (!isMainThread && (workerData as PartTask | undefined)?.kind === TASK_KIND) {
  const result = await planPart(workerData as PartTask, { now: () => new Date() })
  parentPort?.postMessage(result, [
    result.lines.buffer as ArrayBuffer,
    result.statuses.buffer as ArrayBuffer,
    result.bytes.buffer as ArrayBuffer
  ])
  parentPort?.close()
}
