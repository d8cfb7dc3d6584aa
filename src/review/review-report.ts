/**
 * What the review adds to a run's report besides its Markdown: the step outputs (counts and the calls `changed-only`
 * saved) and the sticky pull-request comment; where the token cannot comment (forks), a notice says so.
 */
import type { ActionIO } from '../common/runner-port.ts'
import { pullRequestOf } from '../git/event.ts'
import { upsertReviewComment, type CommentClient } from '../github/comment.ts'
import type { ReviewStage } from './against-base.ts'

export function reviewOutputs(stage: ReviewStage): Record<string, string> {
  const { counts } = stage.review.diff
  return {
    joiners: String(counts.joiners),
    movers: String(counts.movers),
    leavers: String(counts.leavers),
    ...(stage.selection ? { 'calls-saved': String(stage.selection.calls.saved) } : {})
  }
}

export async function commentOnPullRequest(
  stage: ReviewStage,
  /** Signs in with the github-token input; undefined when there is no token or no client to make (no comment). */
  connect: (() => Promise<CommentClient>) | undefined,
  env: NodeJS.ProcessEnv,
  payload: unknown,
  io: ActionIO
): Promise<void> {
  const target = pullRequestOf(env, payload)
  if (!target) {
    io.info('comment is true, but this run is not for a pull request: no comment.')
    return
  }
  const body = stage.review.comment ?? stage.review.markdown
  try {
    // Signed in only for a pull request, and inside the try: a client that cannot be made is a warning, not a stop.
    const client = connect ? await connect() : undefined
    const result = await upsertReviewComment({ target, body, client })
    if (result.status === 'skipped')
      io.annotate({ severity: 'notice', title: 'No pull-request comment', message: result.reason })
    else io.info(`Pull-request comment ${result.status}: ${result.url}`)
  } catch (error) {
    io.warn(
      `Could not comment on the pull request: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}
