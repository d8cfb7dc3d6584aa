/**
 * What happened to each record sent, folded from all its provisioning-log entries since it was sent (./fold.ts):
 * created, updated, disabled, enabled, skipped, warning, failed — or not seen, when no entry came before the timeout
 * (never success).
 */
import type { LogEntry } from '../graph/logs.ts'
import type { SkippedValue } from '../graph/logs.ts'
import { describeSkip, foldEntries, SHOW_ALL } from './fold.ts'
import type { OutcomeFailOn, NotSeenPolicy } from '../settings/settings.ts'

export const OUTCOMES = [
  'created',
  'updated',
  'disabled',
  'enabled',
  'skipped',
  'warning',
  'failed',
  'not-seen'
] as const
export type OutcomeKind = (typeof OUTCOMES)[number]

/** A record that was staged (202), as the run manifest names it. */
export interface SentRecord {
  file: string
  line: number
  externalId: string
  /** When its request was accepted, ms since the epoch. */
  sentAt: number
}

export interface RecordOutcome extends SentRecord {
  outcome: OutcomeKind
  /** provisioningAction and status of the entry, as logged (also unknown values). */
  action?: string
  status?: string
  errorCode?: string
  reason?: string
  recommendedAction?: string
  errorCategory?: string
  /** Why skipped, or what the warning says. */
  note?: string
  /** The values skipped and never set that make the outcome a warning (the note in words), for redaction by field. */
  skipped?: SkippedValue[]
  changeId?: string
  cycleId?: string
  logId?: string
  /** activityDateTime of the entry, ms. */
  time?: number
  /** Times the record was re-sent automatically after a transient failure. */
  resubmitted: number
  /** The Entra object id of the user (targetIdentity.id), when the logs name one: for a writeback file. */
  targetId?: string
  /** The userPrincipalName Entra holds for the user (targetIdentity.details), when the logs name one. */
  userPrincipalName?: string
  /** The mail an export step wrote, when the logs show one (for writeback; personal data). */
  mail?: string
}

/** The outcome an entry stands for. Unknown statuses are a warning, unknown actions of a success an update. */
export function classify(entry: LogEntry): Pick<RecordOutcome, 'outcome' | 'note'> {
  switch (entry.status) {
    case 'failure':
      return { outcome: 'failed' }
    case 'warning':
      return { outcome: 'warning', note: entry.warningText ?? 'The provisioning service reported a warning.' }
    case 'skipped':
      return {
        outcome: 'skipped',
        note: entry.skipReason === 'RedundantExport' ? 'no change' : (entry.skipReason ?? 'skipped')
      }
    case 'success':
      break
    default:
      return {
        outcome: 'warning',
        note: `The provisioning logs show a status this version does not know: '${entry.status}'.`
      }
  }
  const enabled = entry.accountEnabled
  switch (entry.action) {
    case 'create':
      return { outcome: 'created' }
    case 'disable':
      return { outcome: 'disabled' }
    case 'other':
      return { outcome: 'skipped', note: entry.skipReason ?? 'no change' }
    default:
      if (enabled?.to?.toLowerCase() === 'false' && enabled.from?.toLowerCase() !== 'false')
        return { outcome: 'disabled' }
      if (enabled?.to?.toLowerCase() === 'true' && enabled.from?.toLowerCase() === 'false')
        return { outcome: 'enabled' }
      return { outcome: 'updated' }
  }
}

/** The outcome of a record from its entries since it was sent (in any order); not seen without any. */
export function toOutcome(
  record: SentRecord,
  entries: readonly LogEntry[] | undefined,
  resubmitted = 0
): RecordOutcome {
  const folded = foldEntries(entries ?? [])
  if (!folded) return { ...record, outcome: 'not-seen', resubmitted }
  const entry = folded.decisive
  let { outcome, note } = classify(entry)
  // A value the service skipped (a manager it could not resolve) and no later entry set: applied, but not whole.
  if (outcome !== 'failed' && outcome !== 'warning' && folded.unhealed.length > 0) {
    outcome = 'warning'
    note = folded.unhealed.map((skip) => describeSkip(skip, SHOW_ALL)).join('; ')
  }
  const out: RecordOutcome = {
    ...record,
    outcome,
    action: entry.action,
    status: entry.status,
    logId: entry.id,
    time: entry.time,
    resubmitted
  }
  if (note !== undefined) out.note = note
  if (outcome === 'warning' && folded.unhealed.length > 0) out.skipped = folded.unhealed
  if (entry.changeId !== undefined) out.changeId = entry.changeId
  if (entry.cycleId !== undefined) out.cycleId = entry.cycleId
  if (folded.targetId !== undefined) out.targetId = folded.targetId
  if (folded.userPrincipalName !== undefined) out.userPrincipalName = folded.userPrincipalName
  if (folded.mail !== undefined) out.mail = folded.mail
  if (outcome === 'failed') {
    out.errorCode = entry.errorCode ?? 'Unknown'
    if (entry.reason !== undefined) out.reason = entry.reason
    if (entry.recommendedAction !== undefined) out.recommendedAction = entry.recommendedAction
    if (entry.errorCategory !== undefined) out.errorCategory = entry.errorCategory
  }
  return out
}

/**
 * A failure worth re-sending as is: the service's own (`errorCategory: failure`), as opposed to `nonServiceFailure`
 * (the data or the directory must change first) and unknown categories.
 */
export function isTransient(outcome: RecordOutcome): boolean {
  return outcome.outcome === 'failed' && outcome.errorCategory?.toLowerCase() === 'failure'
}

export type OutcomeTotals = Record<OutcomeKind, number>

export function outcomeTotals(outcomes: readonly RecordOutcome[]): OutcomeTotals {
  const totals = Object.fromEntries(OUTCOMES.map((k) => [k, 0])) as OutcomeTotals
  for (const o of outcomes) totals[o.outcome]++
  return totals
}

/** The one-line reason the step fails for these outcomes, or undefined. */
export function outcomeFailureReason(
  totals: OutcomeTotals,
  failOn: OutcomeFailOn,
  notSeen: NotSeenPolicy
): string | undefined {
  if (failOn.kind === 'never') return undefined
  const sent = Object.values(totals).reduce((a, b) => a + b, 0)
  const failures = totals.failed + (notSeen === 'failure' ? totals['not-seen'] : 0)
  const warnings = totals.warning + (notSeen === 'warning' ? totals['not-seen'] : 0)
  const what = (): string => {
    const parts = [`${totals.failed} failed`]
    if (notSeen === 'failure' && totals['not-seen']) parts.push(`${totals['not-seen']} not seen`)
    return `${parts.join(' and ')} in Entra (of ${sent} sent)`
  }
  if (failOn.kind === 'threshold') {
    const limit = failOn.percent ? (sent * failOn.count) / 100 : failOn.count
    if (failures > limit)
      return `${what()}: more than the fail-on threshold of ${failOn.count}${failOn.percent ? '%' : ''}; see the job summary.`
    return undefined
  }
  if (failures > 0) return `${what()}; see the job summary. Set fail-on: never to pass anyway.`
  if (failOn.kind === 'warning' && warnings > 0) {
    const parts = [`${totals.warning} warning${totals.warning === 1 ? '' : 's'}`]
    if (notSeen === 'warning' && totals['not-seen']) parts.push(`${totals['not-seen']} not seen`)
    return `${parts.join(' and ')} in Entra and fail-on is warning; see the job summary.`
  }
  return undefined
}
