/** The step outputs of a plan, as strings (what GITHUB_OUTPUT holds). */
import type { Plan } from '../plan/model.ts'
import type { UploadResult } from '../apply/upload-result.ts'
import { planTotals } from './job-summary.ts'

export function planOutputs(plan: Plan, reportFile: string, upload?: UploadResult): Record<string, string> {
  const totals = planTotals(plan)
  return {
    ...(upload ? { sent: String(upload.totals.sent), 'not-sent': String(upload.totals.notSent) } : {}),
    'report-file': reportFile,
    records: String(totals.records),
    valid: String(totals.valid),
    invalid: String(totals.invalid),
    errors: String(totals.errors),
    warnings: String(totals.warnings),
    requests: String(plan.batches.length)
  }
}
