/**
 * The review of a change, in one call for the wiring: compare the base and head plans, check the safety gates,
 * render the Markdown and pick the annotations. Pure apart from reading the plans' value stores.
 */
import { checkGates, gateFigures, type GateOutcome } from './gates.ts'
import type { Annotation } from '../common/runner-port.ts'
import type { Plan } from '../plan/model.ts'
import type { GateSettings, SummaryDetail } from '../settings/settings.ts'
import { diffPlans, type ReviewDiff } from './diff.ts'
import type { LeaverPolicy } from './leavers.ts'
import { reviewAnnotations } from './change-annotations.ts'
import { renderReviewSummary } from './review-markdown.ts'
import { COMMENT_BUDGET_BYTES, SUMMARY_BUDGET_BYTES } from '../common/github-limits.ts'

export interface ReviewOptions extends GateSettings {
  /** The plan of the files at the base commit; undefined when there is no base (every record is a joiner). */
  basePlan: Plan | undefined
  headPlan: Plan
  leavers: LeaverPolicy
  /** `review` in pull requests (plan mode: gate violations are warnings), `apply` before an upload (errors). */
  stage: 'review' | 'apply'
  detail: SummaryDetail
  repository: { serverUrl: string; repo: string; sha: string }
  base: { ref: string; sha: string } | undefined
  maxAnnotations?: number
  budgetBytes?: number
  mode?: string
  /** Also render the review for a pull-request comment (within GitHub's comment size). */
  comment?: boolean
}

export interface Review {
  diff: ReviewDiff
  gates: GateOutcome
  markdown: string
  /** The Markdown for a pull-request comment, when asked for. */
  comment: string | undefined
  annotations: Annotation[]
}

export function reviewChanges(options: ReviewOptions): Review {
  const diff = diffPlans(options.basePlan, options.headPlan)
  const gates = checkGates(gateFigures(diff, options.leavers), options, { stage: options.stage })
  const render = (budgetBytes: number): string =>
    renderReviewSummary(diff, {
      detail: options.detail,
      repository: options.repository,
      base: options.base,
      leavers: options.leavers,
      gates,
      headPlan: options.headPlan,
      budgetBytes,
      ...(options.mode !== undefined ? { mode: options.mode } : {})
    })
  return {
    diff,
    gates,
    markdown: render(options.budgetBytes ?? SUMMARY_BUDGET_BYTES),
    comment: options.comment ? render(COMMENT_BUDGET_BYTES) : undefined,
    annotations: reviewAnnotations(diff, options.maxAnnotations)
  }
}
