/**
 * What reconcile mode reports: counts per class, the findings as diagnostics on the HR lines (leavers still enabled
 * as errors, drift and missing as warnings, orphans as notices: GitHub's annotation slots go to the leavers and the
 * drift first), the job summary, the JSON section, a spreadsheet-safe CSV and the fail-on verdict. Values appear
 * only with `summary-detail: full`, never for a Redact()ed attribute; attribute names always.
 */
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import type { Diagnostic } from '../common/diagnostics.ts'
import { csvField } from '../outcomes/failed-csv.ts'
import { blobUrl, budgetedSections, cell, count, link, plural, table } from '../common/markdown.ts'
import type { SummaryDetail } from '../settings/settings.ts'
import { type Comparison, type DriftedAttribute, type Finding } from './compare.ts'
import { FINDING_CLASSES, type FindingClass } from '../settings/reconcile-settings.ts'

export const CLASS_TITLES: Record<FindingClass, string> = {
  'leaver-enabled': 'Leavers still enabled',
  drift: 'Drift',
  missing: 'Active in HR, missing in Entra',
  orphan: 'Orphans (enabled in Entra, in no HR file)'
}

const SEVERITY: Record<FindingClass, Diagnostic['severity']> = {
  'leaver-enabled': 'error',
  drift: 'warning',
  missing: 'warning',
  orphan: 'notice'
}

export function findingMessage(finding: Finding, detail: SummaryDetail): string {
  switch (finding.class) {
    case 'leaver-enabled':
      return 'inactive in HR, but the Entra account is enabled.'
    case 'missing':
      return 'active in HR, but no Entra user in the reconcile scope has this employeeId.'
    case 'orphan':
      return `enabled Entra user ${finding.entraId ?? ''} in scope whose employeeId no HR record has.`
    case 'drift':
      return `Entra differs from the mapping: ${finding.attributes.map((a) => describe(a, detail)).join('; ')}.`
  }
}

function describe(attribute: DriftedAttribute, detail: SummaryDetail): string {
  const name = attribute.entra === 'manager' ? 'manager' : `${attribute.entra} (${attribute.scim})`
  if (detail !== 'full' || attribute.secret) return name
  return `${name}: HR ${JSON.stringify(attribute.hr)}, Entra ${JSON.stringify(attribute.actual)}`
}

/** One diagnostic per finding, in order of importance (leavers, drift, missing, orphans). */
export function reconcileDiagnostics(comparison: Comparison): Diagnostic[] {
  return comparison.findings.map((finding) => ({
    severity: SEVERITY[finding.class],
    rule: `reconcile-${finding.class}`,
    message: findingMessage(finding, 'ids'),
    externalId: finding.externalId,
    ...(finding.file !== undefined ? { file: finding.file, line: finding.line } : {})
  }))
}

export interface ReconcileSummaryOptions {
  detail: SummaryDetail
  repository: { serverUrl: string; repo: string; sha: string }
  scope: string
  calls: number
  budgetBytes: number
  reportFile: string
  csvFile: string
}

export function renderReconcileSummary(comparison: Comparison, options: ReconcileSummaryOptions): string {
  const { counts } = comparison
  const where = (finding: Finding): string => {
    if (finding.file === undefined) return '(not in HR)'
    const label = `${finding.file}:${finding.line}`
    return options.repository.repo
      ? link(label, blobUrl(options.repository, finding.file, finding.line))
      : cell(label)
  }
  const head = [
    '## 🔁 Reconcile: Entra against the HR files',
    '',
    `${plural(comparison.entraUsers, 'Entra user')} read in scope \`${cell(options.scope || '(every user)')}\` with ${plural(options.calls, 'Graph call')}; ${plural(comparison.matched, 'HR record')} matched by employeeId. Nothing was written to Entra.`,
    '',
    table(
      ['Finding', 'Count'],
      FINDING_CLASSES.map((c) => [CLASS_TITLES[c], count(counts[c])]),
      [1]
    )
  ].join('\n')
  const sections = FINDING_CLASSES.map((c) => ({
    title: CLASS_TITLES[c],
    collapsed: c === 'orphan',
    header: ['externalId', 'HR line', 'Entra object id', 'What'],
    rows: comparison.findings
      .filter((f) => f.class === c)
      .map((f) => () => [
        cell(f.externalId),
        where(f),
        cell(f.entraId ?? ''),
        cell(findingMessage(f, options.detail))
      ])
  }))
  const budget = options.budgetBytes - Buffer.byteLength(head) - 400
  const { markdown, omitted } = budgetedSections(sections, budget)
  const tail = omitted > 0 ? `\n${plural(omitted, 'more finding')} in the CSV and the JSON report.\n` : ''
  return `${head}\n${markdown}${tail}\nFindings: \`${cell(options.csvFile)}\`; JSON report: \`${cell(options.reportFile)}\`.\n`
}

/** The `reconcile` section of the JSON report. */
export function reconcileReportSection(
  comparison: Comparison,
  options: { detail: SummaryDetail; scope: string; calls: number }
): Record<string, unknown> {
  return {
    scope: options.scope,
    calls: options.calls,
    entraUsers: comparison.entraUsers,
    matched: comparison.matched,
    duplicateMatches: comparison.duplicateMatches,
    counts: comparison.counts,
    findings: comparison.findings.map((f) => ({
      class: f.class,
      externalId: f.externalId,
      file: f.file ?? null,
      line: f.line ?? null,
      entraId: f.entraId ?? null,
      attributes: f.attributes.map((a) => ({
        scim: a.scim,
        entra: a.entra,
        ...(options.detail === 'full' && !a.secret ? { hr: a.hr, entraValue: a.actual } : {})
      }))
    }))
  }
}

/** One row per finding (one per drifted attribute for drift). */
export async function writeFindingsCsv(
  target: string,
  comparison: Comparison,
  detail: SummaryDetail
): Promise<number> {
  await mkdir(path.dirname(target), { recursive: true })
  const out = createWriteStream(target, { encoding: 'utf8', mode: 0o600 })
  // csvField quotes a cell and guards a formula (src/sources/spreadsheet.ts): the file is meant for spreadsheets.
  const write = async (cells: readonly string[]): Promise<void> => {
    if (!out.write(cells.map(csvField).join(',') + '\n')) await once(out, 'drain')
  }
  const full = detail === 'full'
  await write([
    'class',
    'externalId',
    'file',
    'line',
    'entraObjectId',
    'attribute',
    'entraProperty',
    ...(full ? ['hrValue', 'entraValue'] : [])
  ])
  let rows = 0
  for (const f of comparison.findings) {
    const base = [
      f.class,
      f.externalId,
      f.file ?? '',
      f.line === undefined ? '' : String(f.line),
      f.entraId ?? ''
    ]
    const attributes: (DriftedAttribute | undefined)[] = f.attributes.length > 0 ? f.attributes : [undefined]
    for (const a of attributes) {
      const values = full ? [shown(a, 'hr'), shown(a, 'actual')] : []
      await write([...base, a?.scim ?? '', a?.entra ?? '', ...values])
      rows++
    }
  }
  out.end()
  await once(out, 'finish')
  return rows
}

function shown(attribute: DriftedAttribute | undefined, side: 'hr' | 'actual'): string {
  if (!attribute || attribute.secret) return ''
  const value = attribute[side]
  return value === null || value === undefined ? '' : String(value)
}

/** `reconcile-fail-on`: the classes whose findings fail the step. */
export function reconcileFailure(
  comparison: Comparison,
  failOn: readonly FindingClass[]
): string | undefined {
  const failing = failOn.filter((c) => comparison.counts[c] > 0)
  if (failing.length === 0) return undefined
  return `Reconcile found ${failing.map((c) => `${plural(comparison.counts[c], 'finding')} of class ${c}`).join(', ')} (reconcile-fail-on).`
}

/** Step outputs: one count per class. */
export function reconcileOutputs(comparison: Comparison, csvFile: string): Record<string, string> {
  return {
    'reconcile-leavers-enabled': String(comparison.counts['leaver-enabled']),
    'reconcile-missing': String(comparison.counts.missing),
    'reconcile-orphans': String(comparison.counts.orphan),
    'reconcile-drift': String(comparison.counts.drift),
    'reconcile-file': csvFile
  }
}
