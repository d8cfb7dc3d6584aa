/**
 * Outcomes in and out of the JSON report: the `outcomes` section a run writes (every record's outcome), the step
 * outputs, and reading a previous run's report (its manifest for mode report, its failed records for resend-from).
 */
import { readFile } from 'node:fs/promises'
import type { SummaryDetail } from '../settings/settings.ts'
import { confinePath, displayPath } from '../common/confine.ts'
import { InputError } from '../common/diagnostics.ts'
import { jsonString } from '../common/json-string.ts'
import { OUTCOMES, outcomeTotals, type RecordOutcome, type SentRecord } from './outcome.ts'
import { publicCode, publicNote, publicText } from './privacy.ts'
import type { CollectResult } from './collect.ts'

/** The `"outcomes": {…}` member of the JSON report, as text lines (records streamed one per line). */
export function* outcomesSection(
  result: Pick<
    CollectResult,
    'outcomes' | 'calls' | 'polls' | 'recordQueries' | 'rounds' | 'resubmitted' | 'problem'
  >,
  context: {
    detail: SummaryDetail
    timeoutMinutes: number
    failedFile: string | undefined
    /** Time the run waited for the logs, counted in full. */
    waitedMs?: number
  }
): Generator<string> {
  const full = context.detail === 'full'
  const header = {
    totals: outcomeTotals(result.outcomes),
    logCalls: result.calls,
    polls: result.polls,
    recordQueries: result.recordQueries,
    resubmitRounds: result.rounds,
    resubmitted: result.resubmitted,
    logsTimeoutMinutes: context.timeoutMinutes,
    logWaitSeconds: Math.round((context.waitedMs ?? 0) / 1000),
    problem: result.problem ?? null,
    failedFile: context.failedFile ?? null
  }
  yield `"outcomes": ${JSON.stringify(header).slice(0, -1)},"records":[`
  let first = true
  for (const o of result.outcomes) {
    const fields: string[] = [
      `"file":${jsonString(o.file)}`,
      `"line":${o.line}`,
      `"externalId":${jsonString(o.externalId)}`,
      `"outcome":"${o.outcome}"`,
      `"sentAt":"${new Date(o.sentAt).toISOString()}"`,
      `"resubmitted":${o.resubmitted}`
    ]
    const add = (name: string, value: string | undefined): void => {
      if (value !== undefined) fields.push(`${jsonString(name)}:${jsonString(value)}`)
    }
    const code = (value: string | undefined): string | undefined =>
      value === undefined ? undefined : publicCode(value, full)
    add('action', code(o.action))
    add('status', code(o.status))
    add('errorCode', code(o.errorCode))
    add('errorCategory', code(o.errorCategory))
    add('reason', o.reason === undefined ? undefined : publicText(o.reason, full))
    add(
      'recommendedAction',
      o.recommendedAction === undefined ? undefined : publicText(o.recommendedAction, full)
    )
    add('note', o.note === undefined ? undefined : publicNote(o, full))
    add('time', o.time === undefined ? undefined : new Date(o.time).toISOString())
    add('changeId', o.changeId)
    add('cycleId', o.cycleId)
    add('logId', o.logId)
    add('targetId', o.targetId)
    // A UPN is usually built from the person's name: like every quoted value, only with summary-detail: full.
    add('userPrincipalName', full ? o.userPrincipalName : undefined)
    yield `${first ? '' : ','}\n    {${fields.join(',')}}`
    first = false
  }
  yield '\n  ]}'
}

/** Step outputs: counts per outcome, the failed externalIds and the failed-records CSV. */
export function outcomeOutputs(
  outcomes: readonly RecordOutcome[],
  failedFile: string | undefined
): Record<string, string> {
  const totals = outcomeTotals(outcomes)
  const out: Record<string, string> = {}
  for (const kind of OUTCOMES) out[kind] = String(totals[kind])
  out['failed-ids'] = outcomes
    .filter((o) => o.outcome === 'failed')
    .map((o) => o.externalId)
    .join(',')
  out['failed-file'] = failedFile ?? ''
  return out
}

export interface PreviousReport {
  file: string
  mode: string
  generatedAt: string | undefined
  /** Records its upload staged (202), with when. */
  sent: SentRecord[]
  /** Records it reports as failed in Entra (empty when it has no outcomes). */
  failed: Array<{ file: string; line: number; externalId: string }>
  hasOutcomes: boolean
}

/** At most this many problems of a report file are named; the rest are counted. */
const MAX_PROBLEMS = 5

/**
 * Reads a report file written by an apply (or report) run of this action. A report travels between jobs as an
 * artifact, so it is data like any other: its path must stay in the workspace or RUNNER_TEMP (`roots`), and every
 * file it names must be a path inside the workspace. Anything wrong is an InputError naming the file and what is
 * wrong (the JSON position, or the member, e.g. `manifest[3].file`).
 */
export async function readPreviousReport(
  file: string,
  input: string,
  roots: readonly string[]
): Promise<PreviousReport> {
  const bad = (message: string): InputError =>
    new InputError({ severity: 'error', rule: 'previous-report', message: `Input '${input}': ${message}` })
  const real = await confinePath(file, { roots, what: `Input '${input}'` })
  const shown = displayPath(file, roots)
  let text: string
  try {
    text = await readFile(real, 'utf8')
  } catch {
    throw bad(
      `cannot read '${shown}'. Pass the report-file of an earlier run (for example downloaded with actions/download-artifact).`
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    // V8 names the position of most syntax errors; the rest of its message may quote the file, so it is not shown.
    const at = /at position (\d+)/.exec(String(error))
    throw bad(
      `'${shown}' is not JSON${at ? ` (syntax error at ${lineAndColumn(text, Number(at[1]))})` : ''}; pass the report-file of an earlier run.`
    )
  }
  if (!isObject(json) || json.version !== 1)
    throw bad(`'${shown}' is not a report file of this action (no "version": 1).`)
  const problems: string[] = []
  const sent = readManifest(json.manifest, problems)
  const section = json.outcomes ?? {}
  if (!isObject(section)) problems.push('"outcomes" is not an object')
  const records = isObject(section) ? section.records : undefined
  const failed = readFailed(records, problems)
  if (problems.length > 0) {
    const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : ''
    throw bad(
      `'${shown}' is not a valid report file of this action: ${problems.slice(0, MAX_PROBLEMS).join('; ')}${more}. ` +
        'Pass the report-file of an earlier run, unchanged.'
    )
  }
  return {
    file,
    mode: typeof json.mode === 'string' ? json.mode : 'unknown',
    generatedAt: typeof json.generatedAt === 'string' ? json.generatedAt : undefined,
    sent,
    failed,
    hasOutcomes: Array.isArray(records)
  }
}

/** The staged records of a report's `manifest`. */
function readManifest(manifest: unknown, problems: string[]): SentRecord[] {
  if (manifest === undefined) return []
  if (!Array.isArray(manifest)) {
    problems.push('"manifest" is not a list')
    return []
  }
  const sent: SentRecord[] = []
  for (const [index, m] of manifest.entries()) {
    const where = `manifest[${index}]`
    const record = recordOf(m, where, problems)
    if (!record || m.outcome !== 'staged') continue
    const time = typeof m.time === 'string' ? Date.parse(m.time) : NaN
    if (Number.isNaN(time)) {
      problems.push(`${where}.time is not a date`)
      continue
    }
    sent.push({ ...record, sentAt: time })
  }
  return sent
}

/** The failed records of a report's `outcomes.records`. */
function readFailed(records: unknown, problems: string[]): PreviousReport['failed'] {
  if (records === undefined) return []
  if (!Array.isArray(records)) {
    problems.push('"outcomes.records" is not a list')
    return []
  }
  const failed: PreviousReport['failed'] = []
  for (const [index, r] of records.entries()) {
    const record = recordOf(r, `outcomes.records[${index}]`, problems)
    if (record && r.outcome === 'failed') failed.push(record)
  }
  return failed
}

/** file, line and externalId of one entry, checked: the file must be a path inside the workspace. */
function recordOf(
  value: unknown,
  where: string,
  problems: string[]
): { file: string; line: number; externalId: string } | undefined {
  if (!isObject(value)) {
    problems.push(`${where} is not an object`)
    return undefined
  }
  const { file, line, externalId } = value
  const before = problems.length
  if (typeof file !== 'string' || !isWorkspacePath(file))
    problems.push(`${where}.file is not a relative path inside the workspace (no '..', no absolute path)`)
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 0)
    problems.push(`${where}.line is not a line number`)
  if (typeof externalId !== 'string' || externalId === '')
    problems.push(`${where}.externalId is not a non-empty string`)
  if (problems.length > before) return undefined
  return { file: file as string, line: line as number, externalId: externalId as string }
}

/** A workspace-relative POSIX path as the action writes them: relative, without `..` or empty segments. */
function isWorkspacePath(file: string): boolean {
  if (file === '' || file.startsWith('/') || /^[A-Za-z]:/.test(file) || file.includes('\\')) return false
  return !file.split('/').some((segment) => segment === '..' || segment === '')
}

/** `line L, column C` (1-based) of a character offset, for JSON syntax errors. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.replace(/^\uFEFF/, '').slice(0, offset)
  const lines = before.split('\n')
  return `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1}`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
