/**
 * The job summary of a plan, in Markdown, within GitHub's 1 MiB limit: totals and files always; problems as long as
 * they fit, errors first; a line saying what was left out. Records are named by externalId, file and line; values
 * appear only with `summary-detail: full`.
 */
import type { Diagnostic, Severity } from '../common/diagnostics.ts'
import type { Plan } from '../plan/model.ts'
import type { SummaryDetail } from '../settings/settings.ts'
import type { UploadResult } from '../apply/upload-result.ts'
import { renderUploadSection } from './upload-summary.ts'
import { SUMMARY_BUDGET_BYTES } from '../common/github-limits.ts'
import { blobUrl, budgetedSections, cell, count, link, plural, table, text } from '../common/markdown.ts'

const MAX_FILES_LISTED = 200

export interface SummaryOptions {
  detail: SummaryDetail
  repository: { serverUrl: string; repo: string; sha: string }
  /** Path of the JSON report, named where the summary is trimmed. */
  reportFile?: string
  budgetBytes?: number
  /** apply mode: what the upload did. */
  upload?: UploadResult
}

export function renderPlanSummary(plan: Plan, options: SummaryOptions): string {
  const totals = planTotals(plan)
  const head: string[] = []
  const upload = options.upload
  head.push(`## Entra HR sync · ${upload ? 'apply' : 'plan'}`, '')
  head.push(statusLine(totals, upload), '')
  if (upload) {
    head.push(
      `${plural(totals.valid, 'valid record')} in ${plural(plan.batches.length, 'bulk request')} ` +
        `(at most ${plan.batchSize} operations each); records with errors are never sent.`,
      ''
    )
  } else {
    head.push(
      `${plural(totals.valid, 'record')} would be sent in ${plural(plan.batches.length, 'bulk request')} ` +
        `(at most ${plan.batchSize} operations each). Nothing was sent: this is plan mode.`,
      ''
    )
  }
  head.push(filesTable(plan), '')
  if (upload) head.push(renderUploadSection(upload))

  const tail: string[] = [
    '',
    `<sub>Mapping: ${text(plan.mappings.map((mapping) => mapping.file).join(', '))}. ${privacyNote(options.detail)}</sub>`,
    ''
  ]
  return (
    head.join('\n') +
    problemSections(plan.diagnostics, options, byteLength(head) + byteLength(tail)) +
    tail.join('\n')
  )
}

/** The summary of a run stopped before any record was read (bad input, bad mapping). */
export function renderStoppedSummary(diagnostics: readonly Diagnostic[], options: SummaryOptions): string {
  const head = [
    '## Entra HR sync · stopped',
    '',
    `❌ The run stopped before reading any record: ${plural(diagnostics.length, 'problem')} in the inputs. Nothing was sent.`,
    ''
  ]
  return head.join('\n') + problemSections(diagnostics, options, byteLength(head))
}

export interface PlanTotals {
  records: number
  valid: number
  invalid: number
  ignored: number
  errors: number
  warnings: number
  notices: number
}

export function planTotals(plan: Plan): PlanTotals {
  const totals: PlanTotals = {
    records: 0,
    valid: 0,
    invalid: 0,
    ignored: 0,
    errors: 0,
    warnings: 0,
    notices: 0
  }
  for (const file of plan.files) {
    totals.records += file.records
    totals.valid += file.valid
    totals.invalid += file.invalid
    totals.ignored += file.ignored
  }
  for (const diagnostic of plan.diagnostics) totals[SEVERITY_TOTAL[diagnostic.severity]]++
  return totals
}

const SEVERITY_TOTAL = { error: 'errors', warning: 'warnings', notice: 'notices' } as const

function statusLine(totals: PlanTotals, upload: UploadResult | undefined): string {
  const parts = [`📄 ${plural(totals.records, 'record')} read`, `✅ ${count(totals.valid)} valid`]
  if (upload) {
    parts.push(`📤 ${count(upload.totals.sent)} sent`)
    if (upload.totals.notSent) parts.push(`⛔ ${count(upload.totals.notSent)} not sent`)
  }
  if (totals.invalid) parts.push(`❌ ${count(totals.invalid)} invalid (not sent)`)
  if (totals.ignored) parts.push(`⏭️ ${count(totals.ignored)} ignored by the mapping`)
  // In apply mode the outcomes section counts Entra's warnings and failures; these are the inputs' own.
  parts.push(
    `${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}${upload ? ' in the HR files and mapping' : ''}`
  )
  return parts.join(' · ')
}

function filesTable(plan: Plan): string {
  const rows = plan.files
    .slice(0, MAX_FILES_LISTED)
    .map((file) => [
      cell(file.file),
      count(file.records),
      count(file.valid),
      count(file.invalid),
      count(file.ignored),
      cell(describeFormat(file.format, file.delimiter, file.encoding))
    ])
  const rendered = table(['File', 'Records', 'Valid', 'Invalid', 'Ignored', 'Format'], rows, [1, 2, 3, 4])
  const more = plan.files.length - MAX_FILES_LISTED
  return more > 0 ? `${rendered}\n\n${plural(more, 'more file')} not listed.` : rendered
}

function describeFormat(format: string, delimiter: string | undefined, encoding: string): string {
  const names: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }
  const separator = delimiter ? `, ${names[delimiter] ?? delimiter}-separated` : ''
  return `${format.toUpperCase()}${separator}, ${encoding.toUpperCase()}`
}

function privacyNote(detail: SummaryDetail): string {
  return detail === 'full'
    ? 'summary-detail is full: values from the HR files are shown.'
    : 'Records are named by externalId, file and line; values are hidden (summary-detail: ids).'
}

const SECTIONS: ReadonlyArray<{ severity: Severity; title: string; collapsed: boolean }> = [
  { severity: 'error', title: '❌ Errors', collapsed: false },
  { severity: 'warning', title: '⚠️ Warnings', collapsed: true },
  { severity: 'notice', title: 'ℹ️ Notices', collapsed: true }
]

/** Tables of problems by severity, filled row by row while the byte budget lasts. */
function problemSections(diagnostics: readonly Diagnostic[], options: SummaryOptions, used: number): string {
  const budget = (options.budgetBytes ?? SUMMARY_BUDGET_BYTES) - used - 400 // room for the trimming note
  const full = options.detail === 'full'
  const header = ['Where', 'externalId', 'Rule', 'Problem', ...(full ? ['Value'] : [])]
  const { markdown, omitted } = budgetedSections(
    SECTIONS.map(({ severity, title, collapsed }) => ({
      title,
      collapsed,
      header,
      rows: diagnostics
        .filter((d) => d.severity === severity)
        .map((d) => () => [
          where(d, options),
          cell(d.externalId ?? ''),
          cell(d.rule),
          cell(d.message),
          ...(full ? [cell(d.detail ?? '')] : [])
        ])
    })),
    budget
  )
  if (omitted === 0) return markdown
  const inReport = options.reportFile ? ` They are all in the JSON report (${text(options.reportFile)}).` : ''
  return (
    markdown +
    `\n> **${plural(omitted, 'problem')} not shown**: the summary reached its size limit (GitHub accepts 1 MiB).${inReport}\n`
  )
}

function where(diagnostic: Diagnostic, options: SummaryOptions): string {
  if (!diagnostic.file) return ''
  const label = diagnostic.line ? `${diagnostic.file}:${diagnostic.line}` : diagnostic.file
  // The built-in mapping, '(default mapping)', is no file of the repository.
  if (!options.repository.repo || !options.repository.sha || diagnostic.file.startsWith('('))
    return cell(label)
  return link(label, blobUrl(options.repository, diagnostic.file, diagnostic.line))
}

function byteLength(lines: readonly string[]): number {
  return Buffer.byteLength(lines.join('\n'))
}
