/** Whether the step fails, per `fail-on`, and the one-line reason shown in the log. */
import type { FailOn } from '../settings.ts'
import type { PlanTotals } from './summary.ts'
import { plural } from './markdown.ts'

export function failureReason(totals: PlanTotals, failOn: FailOn): string | undefined {
  if (failOn === 'never') return undefined
  if (totals.errors > 0) {
    return `${plural(totals.errors, 'error')} (${plural(totals.invalid, 'record')} will not be sent); see the job summary. Set fail-on: never to pass anyway.`
  }
  if (failOn === 'warning' && totals.warnings > 0) {
    return `${plural(totals.warnings, 'warning')} and fail-on is warning; see the job summary.`
  }
  return undefined
}
