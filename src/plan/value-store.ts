/**
 * Where the mapped values of every valid record wait until their SCIM payload is rendered (to be written or sent).
 * Each record's values are appended to a scratch file in RUNNER_TEMP as one compact JSON array and read back by
 * position, so a million-record run keeps a flat memory profile instead of holding hundreds of megabytes of JSON
 * on the heap. Storing values rather than payloads keeps plan mode cheap: a payload is rendered only when needed.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import type { MappedValue } from '../scim/user.ts'

const BLOCK_BYTES = 4 * 1024 * 1024

export class ValueStore {
  readonly #file: string
  readonly #fd: number
  #block = Buffer.allocUnsafe(BLOCK_BYTES)
  #blockUsed = 0
  #fileBytes = 0
  #offsets: number[] = []
  #lengths: number[] = []
  #closed = false

  constructor(file: string) {
    this.#file = file
    this.#fd = openSync(file, 'w+', 0o600)
  }

  /** Appends a record's values and returns its handle. */
  add(values: readonly MappedValue[]): number {
    // JSON.stringify of a flat array is one fast native call; absent values become null.
    return this.addText(JSON.stringify(values))
  }

  get(handle: number): MappedValue[] {
    return (JSON.parse(this.getText(handle)) as Array<MappedValue | null>).map((value) => value ?? undefined)
  }

  /** Appends raw text and returns its handle. */
  addText(json: string): number {
    const bytes = Buffer.byteLength(json)
    if (this.#blockUsed + bytes > this.#block.length) {
      this.#flush()
      if (bytes > this.#block.length) this.#block = Buffer.allocUnsafe(bytes)
    }
    this.#block.write(json, this.#blockUsed)
    this.#offsets.push(this.#fileBytes + this.#blockUsed)
    this.#lengths.push(bytes)
    this.#blockUsed += bytes
    return this.#offsets.length - 1
  }

  getText(handle: number): string {
    const offset = this.#offsets[handle]
    const length = this.#lengths[handle]
    if (offset === undefined || length === undefined)
      throw new RangeError(`no stored values for handle ${handle}`)
    if (offset >= this.#fileBytes) {
      const start = offset - this.#fileBytes
      return this.#block.toString('utf8', start, start + length)
    }
    const buffer = Buffer.allocUnsafe(length)
    let read = 0
    while (read < length) read += readSync(this.#fd, buffer, read, length - read, offset + read)
    return buffer.toString('utf8')
  }

  get size(): number {
    return this.#offsets.length
  }

  /** Closes and deletes the scratch file. */
  dispose(): void {
    if (this.#closed) return
    this.#closed = true
    closeSync(this.#fd)
    rmSync(this.#file, { force: true })
  }

  #flush(): void {
    let written = 0
    while (written < this.#blockUsed) {
      written += writeSync(
        this.#fd,
        this.#block,
        written,
        this.#blockUsed - written,
        this.#fileBytes + written
      )
    }
    this.#fileBytes += this.#blockUsed
    this.#blockUsed = 0
  }
}
