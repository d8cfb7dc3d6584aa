/**
 * Outcomes in and out of the JSON report: the `outcomes` section a run writes (every record's outcome), the step
 * outputs, and reading a previous run's report (its manifest for mode report, its failed records for resend-from).
 */
import { readFile } from 'node:fs/promises'
import type { SummaryDetail } from '../settings.ts'
import { jsonString } from '../json-string.ts'
import { OUTCOMES, outcomeTotals, type RecordOutcome, type SentRecord } from './outcome.ts'
import { publicText } from './privacy.ts'
import type { CollectResult } from './collect.ts'

/** The `"outcomes": {…}` member of the JSON report, as text lines (records streamed one per line). */
export function* outcomesSection(
  result: Pick<
    CollectResult,
    'outcomes' | 'calls' | 'polls' | 'recordQueries' | 'rounds' | 'resubmitted' | 'problem'
  >,
  context: { detail: SummaryDetail; timeoutMinutes: number; failedFile: string | undefined }
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
    add('action', o.action)
    add('status', o.status)
    add('errorCode', o.errorCode)
    add('errorCategory', o.errorCategory)
    add('reason', o.reason === undefined ? undefined : publicText(o.reason, full))
    add(
      'recommendedAction',
      o.recommendedAction === undefined ? undefined : publicText(o.recommendedAction, full)
    )
    add('note', o.note === undefined ? undefined : publicText(o.note, full))
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

export class PreviousReportError extends Error {}

/** Reads a report file written by an apply (or report) run of this action. */
export async function readPreviousReport(file: string, input: string): Promise<PreviousReport> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new PreviousReportError(
      `Input '${input}': cannot read '${file}'. Pass the report-file of an earlier run (for example downloaded with actions/download-artifact).`
    )
  }
  let json: Record<string, unknown>
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>
  } catch {
    throw new PreviousReportError(
      `Input '${input}': '${file}' is not JSON; pass the report-file of an earlier run.`
    )
  }
  if (!json || typeof json !== 'object' || json.version !== 1)
    throw new PreviousReportError(
      `Input '${input}': '${file}' is not a report file of this action (no "version": 1).`
    )
  const manifest = Array.isArray(json.manifest) ? (json.manifest as Array<Record<string, unknown>>) : []
  const sent: SentRecord[] = []
  for (const m of manifest) {
    if (m.outcome !== 'staged' || typeof m.externalId !== 'string' || typeof m.file !== 'string') continue
    const time = typeof m.time === 'string' ? Date.parse(m.time) : NaN
    if (Number.isNaN(time)) continue
    sent.push({ file: m.file, line: Number(m.line) || 0, externalId: m.externalId, sentAt: time })
  }
  const section = (json.outcomes ?? {}) as { records?: unknown }
  const records = Array.isArray(section.records) ? (section.records as Array<Record<string, unknown>>) : []
  const failed = records
    .filter((r) => r.outcome === 'failed' && typeof r.externalId === 'string')
    .map((r) => ({ file: String(r.file), line: Number(r.line) || 0, externalId: r.externalId as string }))
  return {
    file,
    mode: typeof json.mode === 'string' ? json.mode : 'unknown',
    generatedAt: typeof json.generatedAt === 'string' ? json.generatedAt : undefined,
    sent,
    failed,
    hasOutcomes: Array.isArray(section.records)
  }
}
