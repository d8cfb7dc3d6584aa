/**
 * Where the SCIM payloads of a plan wait until they are written or sent. Payloads are appended to a scratch file
 * in RUNNER_TEMP and read back by position, so a million-record run keeps a flat memory profile instead of holding
 * hundreds of megabytes of JSON on the heap.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'

const BLOCK_BYTES = 4 * 1024 * 1024

export class PayloadStore {
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

  /** Appends a payload and returns its handle. */
  add(json: string): number {
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

  get(handle: number): string {
    const offset = this.#offsets[handle]
    const length = this.#lengths[handle]
    if (offset === undefined || length === undefined) throw new RangeError(`no payload ${handle}`)
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
      written += writeSync(this.#fd, this.#block, written, this.#blockUsed - written, this.#fileBytes + written)
    }
    this.#fileBytes += this.#blockUsed
    this.#blockUsed = 0
  }
}
