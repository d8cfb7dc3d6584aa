/** Whether the step fails, per `fail-on`, and the one-line reason shown in the log. */
import type { FailOn } from '../settings/settings.ts'
import type { PlanTotals } from './job-summary.ts'
import type { UploadResult } from '../apply/upload-result.ts'
import { count, plural } from '../common/markdown.ts'

export function failureReason(totals: PlanTotals, failOn: FailOn, upload?: UploadResult): string | undefined {
  if (failOn === 'never') return undefined
  // Records that should have gone and did not fail the step whatever else happened: the sync is incomplete.
  if (upload && upload.totals.notSent > 0) {
    const why = upload.stopped?.message ?? 'Graph refused some requests'
    return `${plural(upload.totals.notSent, 'valid record')} not sent (${count(upload.totals.sent)} sent): ${why.replace(/\.?$/, '.')} See the job summary.`
  }
  if (totals.errors > 0) {
    return `${plural(totals.errors, 'error')} (${plural(totals.invalid, 'record')} will not be sent); see the job summary. Set fail-on: never to pass anyway.`
  }
  if (failOn === 'warning' && totals.warnings > 0) {
    return `${plural(totals.warnings, 'warning')} and fail-on is warning; see the job summary.`
  }
  return undefined
}
