/**
 * The writeback file: what Entra gave each record (object id, userPrincipalName, mail), keyed by externalId with
 * the HR file and line, for the HR system to take back. Personal data: it is written only where the `writeback-file`
 * input says, never to the summary or the logs. Cells are spreadsheet-safe: a value that a spreadsheet would run as
 * a formula is prefixed with an apostrophe, and fields are quoted per RFC 4180.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ActionIO } from '../common/runner-port.ts'
import { confinePath } from '../common/confine.ts'
import { InputError } from '../common/diagnostics.ts'
import { plural } from '../common/markdown.ts'
import { csvField } from './failed-csv.ts'
import type { OutcomeKind, RecordOutcome } from './outcome.ts'

export type WritebackRecords = 'changed' | 'all'

export const WRITEBACK_COLUMNS = [
  'externalId',
  'file',
  'line',
  'objectId',
  'userPrincipalName',
  'mail',
  'outcome'
] as const

/** Outcomes that mean Entra wrote the user in this run. A warning counts when the user exists (an object id). */
const CHANGED: ReadonlySet<OutcomeKind> = new Set(['created', 'updated', 'enabled', 'disabled'])

/** changed: written in this run; all: every record the logs showed (not those never seen). Sorted by file and line. */
export function selectWriteback(
  outcomes: readonly RecordOutcome[],
  which: WritebackRecords
): RecordOutcome[] {
  const selected = outcomes.filter((o) =>
    which === 'all'
      ? o.outcome !== 'not-seen'
      : CHANGED.has(o.outcome) || (o.outcome === 'warning' && o.targetId !== undefined)
  )
  return selected.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
}

/** A cell a spreadsheet shows as text (csvField guards = + - @ and control characters at the start). */
export const spreadsheetCell = csvField

export function renderWritebackCsv(rows: readonly RecordOutcome[]): string {
  const lines = [WRITEBACK_COLUMNS.join(',')]
  for (const row of rows)
    lines.push(
      [
        row.externalId,
        row.file,
        String(row.line),
        row.targetId ?? '',
        row.userPrincipalName ?? '',
        row.mail ?? '',
        row.outcome
      ]
        .map(spreadsheetCell)
        .join(',')
    )
  return `${lines.join('\n')}\n`
}

/**
 * Writes the CSV at `file`, which must lead inside the workspace or RUNNER_TEMP also through symbolic links
 * (confinePath); the file is created readable by its owner only.
 */
export async function writeWritebackFile(
  file: string,
  rows: readonly RecordOutcome[],
  roots: readonly string[]
): Promise<void> {
  const real = await confinePath(file, { roots, what: "Input 'writeback-file'" })
  await mkdir(path.dirname(real), { recursive: true })
  await writeFile(real, renderWritebackCsv(rows), { encoding: 'utf8', mode: 0o600 })
}

export interface WritebackResult {
  outputs: Record<string, string>
  /** Why the file could not be written; the step fails with it. */
  failure: string | undefined
}

/** Selects, writes and logs the writeback file (counts only: the file is personal data). */
export async function writeback(
  setting: { file: string; records: WritebackRecords },
  outcomes: readonly RecordOutcome[],
  roots: readonly string[],
  io: Pick<ActionIO, 'info' | 'annotate'>
): Promise<WritebackResult> {
  const rows = selectWriteback(outcomes, setting.records)
  try {
    await writeWritebackFile(setting.file, rows, roots)
  } catch (error) {
    const reason =
      error instanceof InputError
        ? error.diagnostics.map((d) => d.message).join(' ')
        : error instanceof Error
          ? error.message
          : String(error)
    const message = `The writeback file was not written: ${reason}`
    io.annotate({ severity: 'error', title: 'writeback-file', message })
    return { outputs: {}, failure: message }
  }
  const known = rows.filter((row) => row.targetId !== undefined).length
  io.info(
    `Writeback: ${plural(rows.length, 'record')} (${setting.records}) written to ${setting.file}, ${known} with an Entra object id. It holds personal data: keep it out of public places.`
  )
  return { outputs: { 'writeback-file': setting.file }, failure: undefined }
}
