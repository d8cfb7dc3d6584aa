/**
 * The end of a plan or apply run: the JSON report, the planned request files, annotations (most important first,
 * within GitHub's 10 per severity), the job summary (its parts sharing GitHub's 1 MiB), the pull-request comment,
 * the step outputs and the one-line failure reason.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { CommentClient } from '../github/comment.ts'
import { OUTCOMES_SHARE_BYTES, SUMMARY_BUDGET_BYTES } from '../common/github-limits.ts'
import { plural } from '../common/markdown.ts'
import type { ActionIO } from '../common/runner-port.ts'
import { cancelledNote, cancelledReason, reasonOf } from '../apply/cancel.ts'
import type { SchemaStageResult } from '../apply/schema-preflight.ts'
import type { UploadResult } from '../apply/upload-result.ts'
import type { OutcomeStage } from '../outcomes/read-outcomes.ts'
import type { WritebackResult } from '../outcomes/writeback.ts'
import type { Plan } from '../plan/model.ts'
import { writeRequests } from '../plan/write-requests.ts'
import type { ReviewStage } from '../review/against-base.ts'
import { reviewDiagnostics } from '../review/change-annotations.ts'
import { commentOnPullRequest, reviewOutputs } from '../review/review-report.ts'
import { renderSelectionNote } from '../review/review-markdown.ts'
import type { Settings } from '../settings/settings.ts'
import { selectAnnotations } from '../common/annotation-budget.ts'
import { failureReason } from './exit-status.ts'
import { writePlanReport } from './json-report.ts'
import { planTotals, renderPlanSummary } from './job-summary.ts'
import { planOutputs } from './outputs.ts'

export interface RunResults {
  /** Every record read (its diagnostics, the planned request files). */
  plan: Plan
  /** What was chosen to send: the review's selection, narrowed by resend-from, resume-from or reconcile: fix. */
  sent: Plan
  review: ReviewStage | undefined
  /** A safety gate stopped the upload. */
  gatesStop: boolean
  upload: UploadResult | undefined
  outcomes: OutcomeStage | undefined
  written: WritebackResult | undefined
  /** The schema check's findings; they point at the mapping file and are reported with the plan's. */
  schema: SchemaStageResult | undefined
}

export interface RunReportContext {
  io: ActionIO
  settings: Settings
  env: NodeJS.ProcessEnv
  now: () => Date
  /** A file in RUNNER_TEMP for this step (the report, the manifest journal). */
  scratch: (extension: string) => string
  /** The event payload, for the pull request to comment on. */
  payload: unknown
  signal?: AbortSignal | undefined
  /** Signs in to GitHub's API with a token (the runner adapter's Octokit); absent, no comment is made. */
  commentClient?: ((token: string) => Promise<CommentClient>) | undefined
}

export async function reportRun(context: RunReportContext, results: RunResults): Promise<void> {
  const { io, settings, env, now } = context
  const { plan, sent, review, upload, outcomes, written } = results
  await io.group('📝 Reporting', async () => {
    const reportFile = context.scratch('json')
    const detail = settings.summaryDetail
    await writePlanReport(
      reportFile,
      sent,
      { generatedAt: now(), detail },
      upload,
      outcomes?.reportSection(detail)
    )
    io.info(`JSON report: ${reportFile}`)
    if (settings.requestsDir) {
      const files = await writeRequests(plan, settings.requestsDir, [settings.workspace, settings.runnerTemp])
      io.info(`${plural(files.length, 'bulk request')} written to ${settings.requestsDir}`)
    }
    const reason = failureOf(context, results)
    for (const annotation of selectAnnotations(annotationOrder(results), settings.maxAnnotations, {
      failing: reason !== undefined
    }))
      io.annotate(annotation)
    if (!(await io.writeSummary(jobSummary(context, results, reportFile))))
      io.warn('No job summary: GITHUB_STEP_SUMMARY is not set.')
    if (review && settings.review.comment) {
      const { githubToken: token } = settings.review
      const { commentClient } = context
      const connect = token && commentClient ? () => commentClient(token) : undefined
      await commentOnPullRequest(review, connect, env, context.payload, io)
    }
    const outputs = {
      ...planOutputs(sent, reportFile, upload),
      ...(review ? reviewOutputs(review) : {}),
      ...(outcomes?.outputs ?? {}),
      ...(results.schema?.outputs ?? {}),
      ...(written?.outputs ?? {})
    }
    for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value)
    if (reason) io.setFailed(reason)
  })
}

/** Safety gates, the schema check, then outcome failures and warnings: they win GitHub's per-severity slots. */
function annotationOrder({ review, schema, outcomes, plan }: RunResults): Diagnostic[] {
  return [
    ...(review?.review.gates.diagnostics ?? []),
    ...(schema?.diagnostics ?? []),
    ...(outcomes?.diagnostics ?? []),
    ...plan.diagnostics,
    ...(review ? reviewDiagnostics(review.review.diff) : [])
  ]
}

/** Why the step fails, or undefined: a cancellation, a safety gate, the inputs, the upload, the outcomes, writeback. */
function failureOf({ settings, scratch, signal }: RunReportContext, results: RunResults): string | undefined {
  const { review, upload, outcomes, written } = results
  if (signal?.aborted) return cancelledReason(upload, reasonOf(signal), scratch('manifest.jsonl'))
  const gate = results.gatesStop
    ? review?.review.gates.diagnostics.find((d) => d.severity === 'error')
    : undefined
  if (gate) return `Nothing was sent: ${gate.message}`
  return (
    failureReason(planTotals(withSchema(results.plan, results.schema)), settings.failOn, upload) ??
    outcomes?.failureReason ??
    written?.failure
  )
}

/**
 * The job summary: a cancellation note, the plan (and upload), the schema check, the outcomes, the review. The
 * outcomes and the review have fixed shares of GitHub's limit; the plan section gets what they leave.
 */
function jobSummary({ settings, signal }: RunReportContext, results: RunResults, reportFile: string): string {
  const { review, upload, outcomes, schema } = results
  const detail = settings.summaryDetail
  const selection = review?.selection
    ? renderSelectionNote(review.selection, settings.review.changedOnly)
    : ''
  const reviewSection = review ? `\n${review.review.markdown}${selection}` : ''
  const outcomeSection = outcomes
    ? `\n${outcomes.section({ detail, repository: settings.repository, budgetBytes: OUTCOMES_SHARE_BYTES, reportFile })}`
    : ''
  const schemaSection = schema ? `\n${schema.section}` : ''
  const planSection = renderPlanSummary(withSchema(results.sent, schema), {
    detail,
    repository: settings.repository,
    reportFile,
    budgetBytes:
      SUMMARY_BUDGET_BYTES -
      Buffer.byteLength(reviewSection) -
      Buffer.byteLength(outcomeSection) -
      Buffer.byteLength(schemaSection),
    ...(upload ? { upload } : {})
  })
  const cancelled = signal?.aborted ? cancelledNote(upload, reasonOf(signal)) : ''
  return cancelled + planSection + schemaSection + outcomeSection + reviewSection
}

/** The plan with the schema check's findings counted among its diagnostics (they point at the mapping file). */
function withSchema(plan: Plan, schema: SchemaStageResult | undefined): Plan {
  return schema ? { ...plan, diagnostics: [...schema.diagnostics, ...plan.diagnostics] } : plan
}
