/**
 * Failed and warning outcomes as diagnostics on the HR file line of the record, to go through the same
 * `selectAnnotations` as the plan's: failures first (errors), then warnings, then one notice counting the rest.
 * Put them before the plan's diagnostics so they win the per-severity slots.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { SummaryDetail } from '../settings/settings.ts'
import type { RecordOutcome } from './outcome.ts'
import { publicCode, publicNote } from './privacy.ts'
import type { NotSeenPolicy } from '../settings/settings.ts'

export function outcomeDiagnostics(
  outcomes: readonly RecordOutcome[],
  detail: SummaryDetail,
  notSeen: NotSeenPolicy = 'warning'
): Diagnostic[] {
  const full = detail === 'full'
  const failed: Diagnostic[] = []
  const warnings: Diagnostic[] = []
  const unseen: Diagnostic[] = []
  for (const o of outcomes) {
    const where = { file: o.file, line: o.line, externalId: o.externalId }
    if (o.outcome === 'failed') {
      // Annotations are public whatever summary-detail says: the code only; Entra's texts quote values.
      const texts =
        o.reason || o.recommendedAction
          ? ' — its reason is in the job summary with summary-detail: full (Entra quotes values in it)'
          : ''
      const diagnostic: Diagnostic = {
        severity: 'error',
        rule: 'provisioning-failed',
        message: `Entra could not provision this record: ${publicCode(o.errorCode ?? 'Unknown', false)}${texts}`,
        ...where
      }
      if (full && o.reason) diagnostic.detail = o.reason
      failed.push(diagnostic)
    } else if (o.outcome === 'warning') {
      const diagnostic: Diagnostic = {
        severity: 'warning',
        rule: 'provisioning-warning',
        message: `Entra provisioned this record with a warning: ${publicNote(o, false)}`,
        ...where
      }
      if (full && o.note) diagnostic.detail = o.note
      warnings.push(diagnostic)
    } else if (o.outcome === 'not-seen' && notSeen !== 'ignore') {
      const diagnostic: Diagnostic = {
        severity: notSeen === 'failure' ? 'error' : 'warning',
        rule: 'provisioning-not-seen',
        message: 'Accepted by Entra, but no provisioning-log entry before logs-timeout: outcome unknown.',
        ...where
      }
      unseen.push(diagnostic)
    }
  }
  // Failures, then records not seen (an error or a warning by policy), then warnings; selectAnnotations keeps the
  // order within a severity.
  return [...failed, ...unseen, ...warnings]
}
