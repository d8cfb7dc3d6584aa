/**
 * A CSV of the records that failed in Entra, in the input's own columns, ready to be fed back as input (`files`).
 * The rows are re-read from the HR files by line (the run keeps no values of records once they are sent, and report
 * mode never had them): each file that holds a failure is read again with the same reader, and the records starting
 * on a failed line are written. Columns are the union of those files' headers in first-appearance order; the output
 * is comma-separated UTF-8 with RFC 4180 quoting, and cells a spreadsheet would run as formulas start with an
 * apostrophe (the CSV reader removes it). A file that is gone, changed or leads outside the workspace is named in
 * `missing`.
 */
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import { confinePath } from '../common/confine.ts'
import { openSource } from '../sources/open-source.ts'
import { guardFormula } from '../sources/spreadsheet.ts'
import type { DelimiterSetting } from '../settings/settings.ts'

export interface FailedRow {
  file: string
  line: number
  externalId: string
}

export interface FailedCsvResult {
  /** Rows written. */
  rows: number
  /** Failed records whose row could not be read back (file missing, or no record starts on that line any more). */
  missing: FailedRow[]
}

export async function writeFailedCsv(
  target: string,
  failed: readonly FailedRow[],
  options: { workspace: string; delimiter: DelimiterSetting }
): Promise<FailedCsvResult> {
  const byFile = new Map<string, FailedRow[]>()
  for (const row of failed) {
    const list = byFile.get(row.file) ?? []
    list.push(row)
    byFile.set(row.file, list)
  }
  const headers: string[] = []
  const headerIndex = new Map<string, number>()
  const rows: Array<Map<string, string>> = []
  const missing: FailedRow[] = []
  for (const [file, wanted] of byFile) {
    const lines = new Map(wanted.map((w) => [w.line, w]))
    try {
      // The file names may come from a report file (mode report): they must lead to files in the workspace.
      const real = await confinePath(file, { roots: [options.workspace], what: 'A failed record' })
      const source = await openSource({ absolute: real, relative: file }, { delimiter: options.delimiter })
      for (const name of source.headers)
        if (!headerIndex.has(name.toLowerCase())) {
          headerIndex.set(name.toLowerCase(), headers.length)
          headers.push(name)
        }
      for await (const chunk of source.chunks)
        for (const record of chunk) {
          if (!lines.has(record.line)) continue
          lines.delete(record.line)
          rows.push(new Map(source.headers.map((h, i) => [h.toLowerCase(), record.values[i] ?? ''])))
        }
      missing.push(...lines.values())
    } catch {
      missing.push(...wanted)
    }
  }
  await mkdir(path.dirname(target), { recursive: true })
  const out = createWriteStream(target, { encoding: 'utf8' })
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  await write(headers.map(csvField).join(',') + '\n')
  for (const row of rows)
    await write(headers.map((h) => csvField(row.get(h.toLowerCase()) ?? '')).join(',') + '\n')
  out.end()
  await once(out, 'finish')
  return { rows: rows.length, missing }
}

/**
 * RFC 4180: quote a field holding a comma, a quote, a line break or surrounding spaces; double the quotes. A value a
 * spreadsheet would run as a formula gets a leading apostrophe first (src/sources/spreadsheet.ts).
 */
export function csvField(value: string): string {
  const safe = guardFormula(value)
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
