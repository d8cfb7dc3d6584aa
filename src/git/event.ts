/**
 * The base a run compares with: the `base-ref` input when set, else the base commit of the pull request (or merge
 * queue entry) that triggered the run, or the commit before a push, from the event payload. Pure: the caller reads
 * GITHUB_EVENT_PATH.
 */
import { readFile } from 'node:fs/promises'

export interface BaseRef {
  /** A ref or a commit sha, to give to `resolveBase`. */
  ref: string
  /** Where it came from, for messages: the input, or the event. */
  source: 'input' | 'pull_request' | 'merge_group' | 'push'
  /** How messages name it, e.g. "Input 'base-ref': 'main'" or "the pull request's base commit 1a2b3c4d5e6f". */
  label: string
}

export interface PullRequestRef {
  owner: string
  repo: string
  number: number
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

/** undefined when there is nothing to compare with (a schedule or manual run without `base-ref`, a new branch). */
export function baseRefForEvent(
  env: NodeJS.ProcessEnv,
  payload: unknown,
  override: string | undefined = undefined
): BaseRef | undefined {
  if (override !== undefined && override.trim() !== '') {
    const ref = override.trim()
    return { ref, source: 'input', label: `Input 'base-ref': '${ref}'` }
  }
  const event = env.GITHUB_EVENT_NAME ?? ''
  if (PULL_REQUEST_EVENTS.has(event)) {
    const sha = stringAt(payload, ['pull_request', 'base', 'sha'])
    if (sha)
      return { ref: sha, source: 'pull_request', label: `The pull request's base commit ${sha.slice(0, 12)}` }
  }
  if (event === 'merge_group') {
    const sha = stringAt(payload, ['merge_group', 'base_sha'])
    if (sha)
      return { ref: sha, source: 'merge_group', label: `The merge group's base commit ${sha.slice(0, 12)}` }
  }
  if (event === 'push') {
    // A push compares with the commit before it; a new branch has no such commit (all zeros).
    const sha = stringAt(payload, ['before'])
    if (sha && !/^0+$/.test(sha))
      return { ref: sha, source: 'push', label: `The commit before the push ${sha.slice(0, 12)}` }
  }
  return undefined
}

/**
 * The `fetch-depth` of actions/checkout that brings the base into the clone: 2 when it is the parent of the checked-out
 * commit (a pull request's test merge commit has the base branch as its first parent; a push of one commit), else 0
 * (the whole history: a push of several commits, a merge queue, a branch or tag named by `base-ref`).
 */
export function checkoutDepthFor(ref: BaseRef, payload: unknown): 0 | 2 {
  if (ref.source === 'pull_request') return 2
  if (ref.source === 'push') {
    const commits = valueAt(payload, ['commits'])
    return Array.isArray(commits) && commits.length === 1 ? 2 : 0
  }
  return 0
}

/** The pull request a run belongs to, for the comment; undefined outside pull-request events. */
export function pullRequestOf(env: NodeJS.ProcessEnv, payload: unknown): PullRequestRef | undefined {
  if (!PULL_REQUEST_EVENTS.has(env.GITHUB_EVENT_NAME ?? '')) return undefined
  const number = valueAt(payload, ['pull_request', 'number']) ?? valueAt(payload, ['number'])
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  if (typeof number !== 'number' || !Number.isInteger(number) || !owner || !repo) return undefined
  return { owner, repo, number }
}

/** The event payload at GITHUB_EVENT_PATH, or undefined when there is none (local runs) or it is unreadable. */
export async function readEventPayload(env: NodeJS.ProcessEnv): Promise<unknown> {
  if (!env.GITHUB_EVENT_PATH) return undefined
  try {
    return JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as unknown
  } catch {
    return undefined
  }
}

function valueAt(payload: unknown, keys: readonly string[]): unknown {
  let current = payload
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function stringAt(payload: unknown, keys: readonly string[]): string | undefined {
  const value = valueAt(payload, keys)
  return typeof value === 'string' && value !== '' ? value : undefined
}
