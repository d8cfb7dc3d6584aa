/**
 * The sticky pull-request comment: one comment per pull request (and key), found by a hidden marker and updated in
 * place on every push. Where the token may not comment (pull requests from forks get a read-only token; a workflow
 * without `pull-requests: write`), the result is "skipped" with the reason, never an exception: the review is in
 * the job summary anyway.
 */

/**
 * The part of Octokit this module uses. `getOctokit(token)` from @actions/github satisfies it; the runner adapter
 * (src/actions-io.ts) makes one, so this module never imports @actions/github.
 */
export interface CommentClient {
  rest: {
    issues: {
      listComments(params: {
        owner: string
        repo: string
        issue_number: number
        per_page?: number
        page?: number
      }): Promise<{ data: ReadonlyArray<ExistingComment> }>
      createComment(params: {
        owner: string
        repo: string
        issue_number: number
        body: string
      }): Promise<{ data: { id: number; html_url?: string } }>
      updateComment(params: {
        owner: string
        repo: string
        comment_id: number
        body: string
      }): Promise<{ data: { id: number; html_url?: string } }>
    }
  }
}

export interface ExistingComment {
  id: number
  body?: string | null
  html_url?: string
  user?: { login?: string; type?: string } | null
}

export interface CommentTarget {
  owner: string
  repo: string
  /** The pull request number. */
  number: number
}

export type CommentResult =
  | { status: 'created' | 'updated' | 'unchanged'; id: number; url: string | undefined }
  | { status: 'skipped'; reason: string }

export interface CommentOptions {
  target: CommentTarget
  /** The Markdown of the review (within COMMENT_BUDGET_BYTES, src/common/github-limits.ts); the marker is added here. */
  body: string
  /** Several steps or jobs can each keep their own comment on one pull request. */
  key?: string
  /** The client, signed in with the github-token input; undefined when there is no token. */
  client: CommentClient | undefined
}

const PAGE_SIZE = 100
/** A pull request with thousands of comments is searched up to this many pages; then a new comment is made. */
const MAX_PAGES = 50

/** The hidden marker that identifies the comment: an HTML comment, invisible once rendered. */
export function commentMarker(key = 'review'): string {
  return `<!-- entra-hr-sync:${key.replace(/[^\w.-]/g, '_').replace(/-{2,}/g, '-')} -->`
}

export async function upsertReviewComment(options: CommentOptions): Promise<CommentResult> {
  const { client } = options
  if (!client) {
    return {
      status: 'skipped',
      reason: 'no token: set the github-token input to comment on the pull request'
    }
  }
  const { owner, repo, number } = options.target
  const marker = commentMarker(options.key)
  const body = `${marker}\n${options.body}`
  try {
    const existing = await findComment(client, options.target, marker)
    if (existing) {
      if (existing.body === body) return { status: 'unchanged', id: existing.id, url: existing.html_url }
      const { data } = await client.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body })
      return { status: 'updated', id: data.id, url: data.html_url }
    }
    const { data } = await client.rest.issues.createComment({ owner, repo, issue_number: number, body })
    return { status: 'created', id: data.id, url: data.html_url }
  } catch (error) {
    const status = httpStatus(error)
    if (status === 403 || status === 404) {
      return {
        status: 'skipped',
        reason:
          `the token cannot comment on pull request #${number} (HTTP ${status}): pull requests from forks get a ` +
          "read-only token, and the job needs 'permissions: pull-requests: write'. The review is in the job summary."
      }
    }
    throw error
  }
}

/** The first comment that starts with the marker, written by a bot (people's comments are never edited). */
async function findComment(
  client: CommentClient,
  target: CommentTarget,
  marker: string
): Promise<ExistingComment | undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await client.rest.issues.listComments({
      owner: target.owner,
      repo: target.repo,
      issue_number: target.number,
      per_page: PAGE_SIZE,
      page
    })
    const found = data.find(
      (comment) =>
        (comment.body ?? '').startsWith(marker) &&
        (comment.user?.type === undefined || comment.user.type === 'Bot')
    )
    if (found) return found
    if (data.length < PAGE_SIZE) return undefined
  }
  return undefined
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}
