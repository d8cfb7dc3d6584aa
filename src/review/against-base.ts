/**
 * The review stage of a run, between planning and uploading: find the base commit, plan the HR files as they were
 * there, compare, check the safety gates and, in apply mode, choose what to upload (changed records, leavers).
 */
import { InputError } from '../common/diagnostics.ts'
import { baseRefForEvent, checkoutDepthFor, type BaseRef } from '../git/event.ts'
import { createGit, type Git } from '../git/git.ts'
import type { PlanOptions, SourceGroup } from '../plan/plan.ts'
import type { Plan } from '../plan/model.ts'
import { ValueStore } from '../plan/value-store.ts'
import type { Settings } from '../settings/settings.ts'
import { planBase, type BasePlan } from './base.ts'
import { reviewChanges, type Review } from './review-changes.ts'
import { uploadSelection, type UploadSelection } from './upload-selection.ts'
import { REVIEW_SHARE_BYTES } from '../common/github-limits.ts'

export interface BaseCommit {
  ref: BaseRef
  sha: string
  git: Git
}

/**
 * The base to compare with (the `base-ref` input, else the pull request's base or the commit before a push), or
 * undefined when there is none. A base missing from a shallow checkout is fetched from origin. When that fails, a run
 * that needs the base (apply with `changed-only`, `leavers: disable` or an explicit `base-ref`) stops with the
 * checkout step to add; any other run warns once and goes on without the review.
 */
export async function findBase(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  payload: unknown,
  log: BaseLog
): Promise<BaseCommit | undefined> {
  const ref = baseRefForEvent(env, payload, settings.review.baseRef)
  const needs = [
    settings.apply && settings.review.changedOnly ? "'changed-only: true'" : undefined,
    settings.apply && settings.review.leavers === 'disable' ? "'leavers: disable'" : undefined
  ].filter(Boolean)
  if (ref === undefined) {
    if (needs.length > 0) {
      throw new InputError({
        severity: 'error',
        rule: 'input',
        message:
          `${needs.join(' and ')} need a base to compare with, and this ${env.GITHUB_EVENT_NAME || 'local'} run has none: ` +
          "set 'base-ref' (for example a tag the workflow moves after each successful sync; see docs/review.md)."
      })
    }
    return undefined
  }
  const git = createGit({ cwd: settings.workspace })
  const present = await git.findCommit(ref.ref, ref.label)
  if (present !== undefined) return { ref, sha: present, git }
  const fetched = await git.fetchCommit(ref.ref, ref.label)
  if ('sha' in fetched) {
    log.info(
      `${ref.label} was not in the checkout (actions/checkout fetches one commit by default): fetched it from origin.`
    )
    return { ref, sha: fetched.sha, git }
  }
  const depth = checkoutDepthFor(ref, payload)
  const step =
    `add 'fetch-depth: ${depth}' to the actions/checkout step:\n` +
    `  - uses: actions/checkout@v5\n    with:\n      fetch-depth: ${depth}`
  const why = `${ref.label} is not in the checkout and could not be fetched: ${fetched.problem}.`
  if (settings.apply && (needs.length > 0 || ref.source === 'input')) {
    const what = needs.length > 0 ? needs.join(' and ') : "'base-ref'"
    throw new InputError({
      severity: 'error',
      rule: 'base-ref',
      message: `${why} Nothing was sent: ${what} need${needs.length === 1 || needs.length === 0 ? 's' : ''} the base; ${step}`
    })
  }
  log.warn(
    `${why} The run goes on without the review of changes (no joiners, movers, leavers or gates); to review, ${step}`
  )
  return undefined
}

export interface BaseLog {
  info(message: string): void
  /** Said once, as a warning: the run goes on without the review. */
  warn(message: string): void
}

export interface ReviewStage {
  review: Review
  base: BasePlan
  /** Apply mode with gates passed: the plan to upload (changed records and leavers, or everything). */
  selection: UploadSelection | undefined
}

export async function reviewAgainstBase(options: {
  settings: Settings
  base: BaseCommit
  headPlan: Plan
  /** The run's sources as read for the head plan, in the order of settings.sources. */
  groups: readonly SourceGroup[]
  planOptions: Omit<PlanOptions, 'values'>
  /** A path in RUNNER_TEMP for the named scratch file or folder. */
  scratch: (name: string) => string
}): Promise<ReviewStage> {
  const { settings, base, headPlan } = options
  const values = new ValueStore(options.scratch('base-values'))
  try {
    const basePlan = await planBase({
      git: base.git,
      sha: base.sha,
      groups: options.groups.map((group, index) => ({
        files: group.sources.map((source) => source.file),
        patterns: settings.sources[index]?.files ?? '',
        mappingFile: settings.sources[index]?.mapping,
        headMapping: group.mapping
      })),
      folder: options.scratch('base'),
      delimiter: settings.delimiter,
      plan: { ...options.planOptions, values }
    })
    const stage = settings.apply ? 'apply' : 'review'
    const review = reviewChanges({
      basePlan: basePlan.plan,
      headPlan,
      leavers: settings.review.leavers,
      stage,
      detail: settings.summaryDetail,
      repository: settings.repository,
      base: { ref: base.ref.ref, sha: base.sha },
      ...settings.review.gates,
      maxAnnotations: settings.maxAnnotations,
      // The job summary also holds the plan and, after an upload, the outcomes: the review gets a share of the 1 MiB.
      budgetBytes: REVIEW_SHARE_BYTES,
      mode: settings.mode,
      comment: settings.review.comment
    })
    const selection =
      stage === 'apply' && review.gates.passed
        ? uploadSelection(headPlan, {
            diff: review.diff,
            basePlan: basePlan.plan,
            leavers: settings.review.leavers,
            changedOnly: settings.review.changedOnly
          })
        : undefined
    return { review, base: basePlan, selection }
  } finally {
    // The selection copies the leavers' values into the head plan's store, so the base's are no longer needed.
    values.dispose()
  }
}
