/**
 * The outcomes section of the job summary: totals by outcome, a table per file, the failures (error code, reason,
 * recommended action, a link to the line), warnings and records not seen in collapsible sections; successes are
 * counted, never listed. Same escaping and privacy default as the plan summary, within a byte budget.
 */
import type { SummaryDetail } from '../settings/settings.ts'
import { blobUrl, budgetedSections, cell, count, link, plural, table, text } from '../common/markdown.ts'
import { OUTCOMES, outcomeTotals, type OutcomeKind, type RecordOutcome } from './outcome.ts'
import { publicCode, publicNote, publicText } from './privacy.ts'

export const OUTCOME_LABEL: Record<OutcomeKind, string> = {
  created: '🆕 Created',
  updated: '✏️ Updated',
  disabled: '🚫 Disabled',
  enabled: '🔓 Enabled',
  skipped: '⏭️ Skipped',
  warning: '⚠️ Warning',
  failed: '❌ Failed',
  'not-seen': '❔ Not seen'
}

const MAX_FILES_LISTED = 200

export interface OutcomeSectionOptions {
  detail: SummaryDetail
  repository: { serverUrl: string; repo: string; sha: string }
  /** Bytes the section may take. */
  budgetBytes: number
  /** Minutes waited for the logs (logs-timeout), for the "not seen" explanation. */
  timeoutMinutes: number
  logCalls: number
  polls: number
  /** Re-send rounds and records re-sent. */
  resubmitted: number
  /** Why the logs could not be read to the end. */
  problem?: string | undefined
  reportFile?: string
}

export function renderOutcomesSection(
  outcomes: readonly RecordOutcome[],
  options: OutcomeSectionOptions
): string {
  const totals = outcomeTotals(outcomes)
  const head: string[] = ['### 📬 Outcomes in Entra (provisioning logs)', '']
  head.push(
    table(
      ['Outcome', 'Records'],
      OUTCOMES.map((k) => [OUTCOME_LABEL[k], count(totals[k])]),
      [1]
    ),
    ''
  )
  const notes: string[] = [
    `${plural(outcomes.length, 'record')} sent; ${plural(options.logCalls, 'log call')} in ${plural(options.polls, 'poll')}.`
  ]
  if (options.resubmitted > 0)
    notes.push(`${plural(options.resubmitted, 'record')} re-sent after a transient failure.`)
  if (totals['not-seen'] > 0)
    notes.push(
      `Not seen: accepted, but no log entry within logs-timeout (${options.timeoutMinutes} min); not a success; a later run with mode: report can read them.`
    )
  head.push(notes.join(' '), '')
  if (options.problem)
    head.push(`> **The provisioning logs could not be read to the end**: ${text(options.problem)}`, '')
  head.push(filesTable(outcomes), '')

  const budget = options.budgetBytes - Buffer.byteLength(head.join('\n')) - 400
  const full = options.detail === 'full'
  const sections: Array<{
    kind: OutcomeKind
    title: string
    collapsed: boolean
    header: string[]
    row: (o: RecordOutcome) => string[]
  }> = [
    {
      kind: 'failed',
      title: '❌ Failed in Entra',
      collapsed: false,
      header: ['Where', 'externalId', 'Error code', 'Reason', 'Recommended action'],
      row: (o) => [
        where(o, options),
        cell(o.externalId),
        cell(publicCode(o.errorCode ?? '', full)) + (o.resubmitted ? ` (re-sent ${o.resubmitted}×)` : ''),
        cell(publicText(o.reason ?? '', full)),
        cell(publicText(o.recommendedAction ?? '', full))
      ]
    },
    {
      kind: 'warning',
      title: '⚠️ Warnings from Entra',
      collapsed: true,
      header: ['Where', 'externalId', 'Warning'],
      row: (o) => [where(o, options), cell(o.externalId), cell(publicNote(o, full))]
    },
    {
      kind: 'not-seen',
      title: '❔ Not seen in the logs',
      collapsed: true,
      header: ['Where', 'externalId', 'Sent at'],
      row: (o) => [where(o, options), cell(o.externalId), new Date(o.sentAt).toISOString()]
    }
  ]
  const { markdown, omitted } = budgetedSections(
    sections.map(({ kind, title, collapsed, header, row }) => ({
      title,
      collapsed,
      header,
      rows: outcomes.filter((o) => o.outcome === kind).map((o) => () => row(o))
    })),
    budget,
    '####'
  )
  let body = markdown
  if (omitted > 0) {
    const inReport = options.reportFile
      ? ` Every record is in the JSON report (${text(options.reportFile)}).`
      : ''
    body += `\n> **${plural(omitted, 'record')} not listed**: the summary reached its size limit (GitHub accepts 1 MiB).${inReport}\n`
  }
  return head.join('\n') + body
}

function filesTable(outcomes: readonly RecordOutcome[]): string {
  const byFile = new Map<string, Record<OutcomeKind, number>>()
  for (const o of outcomes) {
    let row = byFile.get(o.file)
    if (!row) {
      row = Object.fromEntries(OUTCOMES.map((k) => [k, 0])) as Record<OutcomeKind, number>
      byFile.set(o.file, row)
    }
    row[o.outcome]++
  }
  const files = [...byFile.entries()]
  const rows = files.slice(0, MAX_FILES_LISTED).map(([file, t]) => {
    const sent = OUTCOMES.reduce((sum, k) => sum + t[k], 0)
    return [cell(file), count(sent), ...OUTCOMES.map((k) => count(t[k]))]
  })
  const rendered = table(
    ['File', 'Sent', 'Created', 'Updated', 'Disabled', 'Enabled', 'Skipped', 'Warning', 'Failed', 'Not seen'],
    rows,
    [1, 2, 3, 4, 5, 6, 7, 8, 9]
  )
  const more = files.length - MAX_FILES_LISTED
  return more > 0 ? `${rendered}\n\n${plural(more, 'more file')} not listed.` : rendered
}

function where(o: RecordOutcome, options: OutcomeSectionOptions): string {
  const label = `${o.file}:${o.line}`
  if (!options.repository.repo || !options.repository.sha) return cell(label)
  return link(label, blobUrl(options.repository, o.file, o.line))
}
