/**
 * GitHub's limits on what a step may show, and how this action shares them. One place, so the job summary's parts
 * (plan, schema check, outcomes, review) can never add up to more than GitHub accepts.
 */

/** GitHub shows at most 10 annotations of each severity per step and drops the rest silently. */
export const ANNOTATIONS_PER_SEVERITY = 10

/** GitHub rejects a step summary over 1 MiB; keep a margin for what other writers may add. */
export const SUMMARY_BUDGET_BYTES = 1_000_000

/** The review's share of the job summary; the plan section gets what the review and the outcomes leave. */
export const REVIEW_SHARE_BYTES = 400_000

/** The outcomes' share of the job summary after an upload. */
export const OUTCOMES_SHARE_BYTES = 400_000

/** GitHub rejects a comment body over 65,536 characters; bytes ≥ characters, so a byte budget is safe. */
export const COMMENT_BUDGET_BYTES = 60_000
