/**
 * The review of a change as Markdown, for the job summary and the pull-request comment: counts, safety gates, files,
 * then one table per class (leavers first: they matter most), filled row by row while the byte budget lasts.
 * Records are named by externalId, file and line, with the names of the attributes that change; values appear only
 * with `summary-detail: full` (and never for an attribute whose expression uses Redact()).
 */
import type { GateOutcome } from './gates.ts'
import { mappingOf, type Plan } from '../plan/model.ts'
import type { UploadSelection } from './upload-selection.ts'
import { blobUrl, budgetedSections, cell, count, link, plural, table, text } from '../common/markdown.ts'
import type { MappedValue } from '../scim/user.ts'
import type { SummaryDetail } from '../settings/settings.ts'
import type { AttributeChange, ChangeClass, DiffEntry, ReviewDiff } from './diff.ts'
import type { LeaverPolicy } from './leavers.ts'
import { SUMMARY_BUDGET_BYTES } from '../common/github-limits.ts'

const MAX_FILES_LISTED = 100
const MAX_VALUE_CHARACTERS = 120

export interface ReviewSummaryOptions {
  detail: SummaryDetail
  /** The head commit, for links to the lines of the records. */
  repository: { serverUrl: string; repo: string; sha: string }
  /** What was compared with: the ref as given (or described) and its commit; undefined when there was no base. */
  base: { ref: string; sha: string } | undefined
  leavers: LeaverPolicy
  gates?: GateOutcome
  /** The head plan, to show the values of joiners with `summary-detail: full`. */
  headPlan?: Plan
  /** e.g. 'plan' or 'apply'; shown in the title. */
  mode?: string
  budgetBytes?: number
}

const SECTIONS: ReadonlyArray<{ kind: ChangeClass; title: string }> = [
  { kind: 'leaver', title: '🚪 Leavers' },
  { kind: 'rehire', title: '🔁 Rehires' },
  { kind: 'joiner', title: '🆕 Joiners' },
  { kind: 'mover', title: '✏️ Movers' }
]

export function renderReviewSummary(diff: ReviewDiff, options: ReviewSummaryOptions): string {
  const head: string[] = [
    `## Entra HR sync · review of changes${options.mode ? ` (${text(options.mode)})` : ''}`,
    ''
  ]
  head.push(baseLine(options), '')
  head.push(countsLine(diff), '')
  const gates = gatesSection(options.gates)
  if (gates) head.push(gates, '')
  head.push(filesTable(diff), '')
  if (diff.attributes.length > 0) {
    head.push(
      `Attributes that change: ${diff.attributes.map((a) => `${cell(a.path)} (${count(a.changed)})`).join(', ')}.`,
      ''
    )
  }
  if (diff.counts.invalid > 0) {
    const broken = diff.invalid.filter((entry) => entry.wasValid).length
    head.push(
      `❌ ${plural(diff.counts.invalid, 'record')} with an error ${diff.counts.invalid === 1 ? 'is' : 'are'} not compared and not sent ` +
        `(see the plan's errors)${broken > 0 ? `; ${count(broken)} of them ${broken === 1 ? 'was' : 'were'} valid at the base` : ''}.`,
      ''
    )
  }
  const tail = ['', `<sub>${privacyNote(options.detail)}</sub>`, '']
  return head.join('\n') + classSections(diff, options, bytes(head) + bytes(tail)) + tail.join('\n')
}

function baseLine(options: ReviewSummaryOptions): string {
  if (!options.base) return 'No base to compare with: every valid record counts as a joiner.'
  const { ref, sha } = options.base
  const short = sha.slice(0, 12)
  const commit =
    options.repository.repo && options.repository.serverUrl
      ? link(short, `${options.repository.serverUrl}/${options.repository.repo}/commit/${sha}`)
      : text(short)
  const base = ref === sha || ref === '' ? `commit ${commit}` : `${cell(ref)} (${commit})`
  return `Compared with ${base}, record by record through the mapping: what Entra would receive.`
}

function countsLine(diff: ReviewDiff): string {
  const c = diff.counts
  const parts = [
    `🆕 ${plural(c.joiners, 'joiner')}`,
    `✏️ ${plural(c.movers, 'mover')}`,
    `🚪 ${plural(c.leavers, 'leaver')}`,
    `🔁 ${plural(c.rehires, 'rehire')}`,
    `${count(c.unchanged)} unchanged`
  ]
  if (c.invalid) parts.push(`❌ ${count(c.invalid)} invalid`)
  if (c.ignored) parts.push(`⏭️ ${count(c.ignored)} ignored by the mapping`)
  return parts.join(' · ')
}

function gatesSection(gates: GateOutcome | undefined): string {
  if (!gates || gates.violations.length === 0) return ''
  const title = gates.passed ? '### ⚠️ Safety gates (overridden)' : '### 🛑 Safety gates'
  const lines = gates.violations.map((v) => `- ${v.overridden ? '⚠️' : '❌'} ${text(v.message)}`)
  return [title, '', ...lines].join('\n')
}

function filesTable(diff: ReviewDiff): string {
  const optional = (value: number | undefined, missing: string): string =>
    value === undefined ? missing : count(value)
  const rows = diff.files
    .slice(0, MAX_FILES_LISTED)
    .map((file) => [
      cell(file.file),
      optional(file.baseRecords, 'new file'),
      optional(file.headRecords, 'deleted'),
      count(file.joiners),
      count(file.movers),
      count(file.leavers),
      count(file.rehires),
      count(file.unchanged),
      count(file.invalid)
    ])
  const rendered = table(
    ['File', 'At base', 'Now', 'Joiners', 'Movers', 'Leavers', 'Rehires', 'Unchanged', 'Invalid'],
    rows,
    [1, 2, 3, 4, 5, 6, 7, 8]
  )
  const more = diff.files.length - MAX_FILES_LISTED
  return more > 0 ? `${rendered}\n\n${plural(more, 'more file')} not listed.` : rendered
}

function classSections(diff: ReviewDiff, options: ReviewSummaryOptions, used: number): string {
  const budget = (options.budgetBytes ?? SUMMARY_BUDGET_BYTES) - used - 300 // room for the trimming note
  const full = options.detail === 'full'
  if (diff.entries.length === 0) return '\nNo record would change.\n'
  const { markdown, omitted } = budgetedSections(
    SECTIONS.map(({ kind, title }) => ({
      title,
      collapsed: false,
      header: headerOf(kind, full, options),
      rows: diff.entries
        .filter((entry) => entry.class === kind)
        .map((entry) => () => rowOf(entry, full, options))
    })),
    budget
  )
  if (omitted === 0) return markdown
  return markdown + `\n> **${plural(omitted, 'change')} not shown**: the summary reached its size limit.\n`
}

function headerOf(kind: ChangeClass, full: boolean, options: ReviewSummaryOptions): string[] {
  switch (kind) {
    case 'joiner':
      return ['Where', 'externalId', ...(full && options.headPlan ? ['Values'] : [])]
    case 'leaver':
      return ['Where', 'externalId', 'Why', 'What is sent', full ? 'Changes' : 'Changed']
    default:
      return ['Where', 'externalId', full ? 'Changes' : 'Changed']
  }
}

function rowOf(entry: DiffEntry, full: boolean, options: ReviewSummaryOptions): string[] {
  const where = location(entry, options)
  const id = cell(entry.externalId)
  const changes = full
    ? entry.changes.map(describeChange).join('<br>')
    : entry.changes.map((c) => cell(c.path) + (c.emptied ? ` (${EMPTIED[c.emptied]})` : '')).join(', ')
  switch (entry.class) {
    case 'joiner':
      return [where, id, ...(full && options.headPlan ? [joinerValues(entry, options.headPlan)] : [])]
    case 'leaver':
      return [where, id, WHY[entry.reason ?? 'removed'], sent(entry, options.leavers), changes]
    default:
      return [where, id, changes]
  }
}

const WHY = {
  removed: 'row removed',
  deactivated: 'active turned false',
  'leave-date': 'leave date set'
} as const

function sent(entry: DiffEntry, policy: LeaverPolicy): string {
  if (entry.reason !== 'removed') return 'the record, as changed'
  if (!entry.wasActive) return 'nothing (already inactive at the base)'
  return policy === 'disable' ? 'the last known record, with active false' : 'nothing (leavers: ignore)'
}

function location(entry: DiffEntry, options: ReviewSummaryOptions): string {
  const removed = entry.headRecord === undefined
  const label = `${entry.file}:${entry.line}${removed ? ' (base)' : ''}`
  const sha = removed ? options.base?.sha : options.repository.sha
  if (!options.repository.repo || !sha) return cell(label)
  return link(label, blobUrl({ ...options.repository, sha }, entry.file, entry.line))
}

const EMPTIED = { cleared: 'cleared', 'not-sent': 'emptied, not sent: Entra keeps its value' } as const

function describeChange(change: AttributeChange): string {
  const after = change.emptied ? `*${EMPTIED[change.emptied]}*` : value(change.after, change.secret)
  return `${cell(change.path)}: ${value(change.before, change.secret)} → ${after}`
}

function joinerValues(entry: DiffEntry, plan: Plan): string {
  const record = entry.headRecord === undefined ? undefined : plan.records[entry.headRecord]
  if (record?.values === undefined || plan.values === undefined) return ''
  const values = plan.values.get(record.values)
  return mappingOf(plan, record)
    .attributes.flatMap((attribute, i) =>
      values[i] === undefined
        ? []
        : [`${cell(attribute.path)}: ${value(values[i], attribute.expression.secret)}`]
    )
    .join('<br>')
}

function value(v: MappedValue, secret: boolean): string {
  if (v === undefined) return '*(empty)*'
  if (secret) return '*(redacted)*'
  if (typeof v === 'boolean') return String(v)
  const shown = String(v)
  const cut = shown.length > MAX_VALUE_CHARACTERS ? `${shown.slice(0, MAX_VALUE_CHARACTERS)}…` : shown
  return `“${cell(cut)}”`
}

function privacyNote(detail: string): string {
  return detail === 'full'
    ? 'summary-detail is full: values from the HR files are shown (except attributes that use Redact()).'
    : 'Records are named by externalId, file and line, with the attributes that change; values are hidden (summary-detail: ids).'
}

function bytes(lines: readonly string[]): number {
  return Buffer.byteLength(lines.join('\n'))
}

/** One line for the job summary of an apply run with a base: what the selection sends, and the calls it saves. */
export function renderSelectionNote(selection: UploadSelection, changedOnly: boolean): string {
  const { calls } = selection
  const leavers = selection.leavers > 0 ? `, ${plural(selection.leavers, 'leaver')} disabled` : ''
  const what = changedOnly && selection.fullReason === undefined ? 'changed-only' : 'Full upload'
  return (
    `\n${what}: ${plural(selection.records, 'record')} to send${leavers}, in ${plural(calls.planned, 'bulkUpload call')}; ` +
    `a full upload takes ${plural(calls.full, 'call')}, so ${plural(calls.saved, 'call')} saved.\n`
  )
}
