/** Shared by the source reader tests: temporary files and reading every record of a source. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../../../src/common/diagnostics.ts'
import type { Diagnostic } from '../../../src/common/diagnostics.ts'
import type { SourceFile, SourceRecord } from '../../../src/sources/source-file.ts'

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sources')

/** A fresh temporary folder; `cleanup()` removes every folder made. */
const made: string[] = []
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sources-test-'))
  made.push(dir)
  return dir
}
export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

/** Writes `content` (exact bytes) into a new temporary file and returns its absolute path. */
export async function tempFile(name: string, content: string | Uint8Array): Promise<string> {
  const file = path.join(await tempDir(), name)
  await writeFile(file, content)
  return file
}

export async function readAll(source: SourceFile): Promise<SourceRecord[]> {
  const records: SourceRecord[] = []
  for await (const chunk of source.chunks) records.push(...chunk)
  return records
}

/** `[line, values]` pairs, the short form most assertions need. */
export function lines(records: readonly SourceRecord[]): Array<[number, string[]]> {
  return records.map((record) => [record.line, record.values])
}

/** The diagnostics of the InputError thrown by `action` (fails if it throws anything else or nothing). */
export async function inputError(action: () => Promise<unknown>): Promise<readonly Diagnostic[]> {
  try {
    await action()
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics
    throw error
  }
  throw new Error('expected an InputError')
}

/** UTF-16 bytes with a byte order mark. */
export function utf16(text: string, endian: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le')
  if (endian === 'be') le.swap16()
  return Buffer.concat([Buffer.from(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), le])
}
