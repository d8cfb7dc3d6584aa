/** Git for the review of changes: the base commit, and HR files as they were there. */
export { createGit } from './git.ts'
export type { FetchResult, Git, GitOptions, MaterializedFile } from './git.ts'
export { GitError, createGitRunner, GIT_MAX_BUFFER } from './runner.ts'
export type { GitRunner, GitRunnerOptions } from './runner.ts'
export { baseRefForEvent, checkoutDepthFor, pullRequestOf, readEventPayload } from './event.ts'
export type { BaseRef, PullRequestRef } from './event.ts'
