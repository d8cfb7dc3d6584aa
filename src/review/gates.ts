/**
 * Safety gates: pure checks, before any upload, against the mass changes a broken HR export causes (an empty file,
 * a lost column, a changed key). Each gate compares a figure of the review with a limit; a violated gate stops apply
 * mode unless `allow-mass-changes` is set, and is still reported, as a warning, when it is overridden. Messages give
 * the gate, the figures and the override; they name files, never people.
 */
import type { Diagnostic, Severity } from '../common/diagnostics.ts'
import { count, plural } from '../common/markdown.ts'
import type { ReviewDiff } from './diff.ts'
import type { LeaverPolicy } from './leavers.ts'
import type { GateSettings } from '../settings/settings.ts'

export type GateName = 'max-disables' | 'max-disables-percent' | 'max-changes-percent' | 'max-shrink-percent'

export interface GateFigures {
  /** Records the run would disable: `active` turned false, and removed rows under `leavers: disable`. */
  disables: number
  /** Records whose payload the run would send changed, leavers included when they are sent. */
  changes: number
  /** Valid records at the base. */
  population: number
  files: ReadonlyArray<{ file: string; baseRecords: number | undefined; headRecords: number | undefined }>
}

export interface GateViolation {
  gate: GateName
  /** The figure that broke the limit (a count, or a percentage for the percent gates) and the limit. */
  value: number
  limit: number
  /** The HR file, for max-shrink-percent. */
  file?: string
  overridden: boolean
  message: string
}

export interface GateOutcome {
  /** No gate is violated, or every violated gate is overridden: the upload may go ahead. */
  passed: boolean
  violations: GateViolation[]
  figures: GateFigures
  /** The violations as diagnostics (rule `gate-<name>`): errors when they stop the run, warnings otherwise. */
  diagnostics: Diagnostic[]
}

export interface GateContext {
  /**
   * `apply`: a violation stops the upload (error). `review`: a pull request's plan; a violation says the apply run
   * would stop (warning), since nothing is sent anyway.
   */
  stage: 'apply' | 'review'
}

/** The figures of a review that the gates look at. */
export function gateFigures(diff: ReviewDiff, leavers: LeaverPolicy): GateFigures {
  let disables = 0
  let changes = 0
  for (const entry of diff.entries) {
    const removed = entry.reason === 'removed'
    if (removed && (leavers === 'ignore' || !entry.wasActive)) continue
    changes++
    if (entry.reason === 'deactivated' || removed) disables++
  }
  return {
    disables,
    changes,
    population: diff.counts.population,
    files: diff.files.map(({ file, baseRecords, headRecords }) => ({ file, baseRecords, headRecords }))
  }
}

const OVERRIDE =
  "If the change is intended, run apply with 'allow-mass-changes: true' in a job behind a protected environment " +
  'with required reviewers (see docs/review.md); otherwise check the HR export.'

export function checkGates(figures: GateFigures, settings: GateSettings, context: GateContext): GateOutcome {
  const found: Array<Omit<GateViolation, 'overridden' | 'message'> & { what: string }> = []
  const { disables, changes, population } = figures
  const subject = context.stage === 'apply' ? 'this run' : 'merging this'

  if (disables > settings.maxDisables) {
    found.push({
      gate: 'max-disables',
      value: disables,
      limit: settings.maxDisables,
      what: `${subject} would disable ${plural(disables, 'record')}, more than max-disables (${count(settings.maxDisables)})`
    })
  }
  // Percentages refer to the population at the base; with none (a first sync), only the absolute gate applies.
  if (population > 0 && disables * 100 > settings.maxDisablesPercent * population) {
    found.push({
      gate: 'max-disables-percent',
      value: percent(disables, population),
      limit: settings.maxDisablesPercent,
      what:
        `${subject} would disable ${count(disables)} of ${plural(population, 'record')} (${formatPercent(disables, population)}), ` +
        `more than max-disables-percent (${settings.maxDisablesPercent}%)`
    })
  }
  if (population > 0 && changes * 100 > settings.maxChangesPercent * population) {
    found.push({
      gate: 'max-changes-percent',
      value: percent(changes, population),
      limit: settings.maxChangesPercent,
      what:
        `${subject} would change ${count(changes)} of ${plural(population, 'record')} (${formatPercent(changes, population)}), ` +
        `more than max-changes-percent (${settings.maxChangesPercent}%)`
    })
  }
  for (const { file, baseRecords, headRecords } of figures.files) {
    if (!baseRecords) continue
    const lost = baseRecords - (headRecords ?? 0)
    if (lost <= 0 || lost * 100 <= settings.maxShrinkPercent * baseRecords) continue
    const now = headRecords === undefined ? 'was deleted' : `has ${plural(headRecords, 'record')}`
    found.push({
      gate: 'max-shrink-percent',
      value: percent(lost, baseRecords),
      limit: settings.maxShrinkPercent,
      file,
      what:
        `${file} ${now}, ${count(lost)} fewer than the ${count(baseRecords)} at the base ` +
        `(${formatPercent(lost, baseRecords)} less), more than max-shrink-percent (${settings.maxShrinkPercent}%)`
    })
  }

  const overridden = settings.allowMassChanges
  const violations: GateViolation[] = found.map(({ what, ...violation }) => ({
    ...violation,
    overridden,
    message: overridden
      ? `Safety gate ${violation.gate} overridden by allow-mass-changes: ${what}.`
      : context.stage === 'apply'
        ? `Safety gate ${violation.gate}: ${what}. Nothing was sent. ${OVERRIDE}`
        : `Safety gate ${violation.gate}: ${what}; an apply run would stop here. ${OVERRIDE}`
  }))
  const severity: Severity = overridden || context.stage === 'review' ? 'warning' : 'error'
  return {
    passed: overridden || violations.length === 0,
    violations,
    figures,
    diagnostics: violations.map((violation) => ({
      severity,
      rule: `gate-${violation.gate}`,
      message: violation.message,
      ...(violation.file !== undefined ? { file: violation.file } : {})
    }))
  }
}

/** One decimal, rounded up so that a figure just over the limit never prints as equal to it. */
function percent(part: number, whole: number): number {
  return Math.ceil((part * 1000) / whole) / 10
}

function formatPercent(part: number, whole: number): string {
  return `${percent(part, whole)}%`
}
