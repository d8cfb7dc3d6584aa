/**
 * How the action runs git: `git` with arguments, in the workspace, with no shell, stdout kept as bytes. Injected
 * everywhere git is used, so unit tests can pass a fake and nothing builds a command line from data.
 */
import { execFile } from 'node:child_process'

/** Runs `git <args>` and resolves with its stdout as bytes; rejects with a GitError on a non-zero exit. */
export type GitRunner = (args: readonly string[]) => Promise<Buffer>

export class GitError extends Error {
  readonly args: readonly string[]
  /** Exit code of git; undefined when git could not be started (then `code` says why, e.g. ENOENT). */
  readonly exitCode: number | undefined
  readonly code: string | undefined
  readonly stderr: string

  constructor(args: readonly string[], exitCode: number | undefined, stderr: string, code?: string) {
    super(
      `git ${args[0] ?? ''} failed${exitCode !== undefined ? ` (exit ${exitCode})` : ''}: ${firstLine(stderr) || code || 'no output'}`
    )
    this.name = 'GitError'
    this.args = args
    this.exitCode = exitCode
    this.stderr = stderr
    this.code = code
  }
}

/** HR files of a million rows are a few hundred megabytes; the default of execFile (1 MiB) is far too small. */
export const GIT_MAX_BUFFER = 1024 * 1024 * 1024

export interface GitRunnerOptions {
  maxBuffer?: number
  env?: NodeJS.ProcessEnv
  /** Kill git after this long (network calls): the GitError then has code 'ETIMEDOUT'. */
  timeoutMs?: number
}

/** The default runner: `execFile('git', args, { cwd })`, binary-safe, never prompting for credentials. */
export function createGitRunner(cwd: string, options: GitRunnerOptions = {}): GitRunner {
  // No prompt of any kind (terminal, or a credential manager's window): a run fails rather than waits for a person.
  const env = {
    ...(options.env ?? process.env),
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    LC_ALL: 'C'
  }
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        'git',
        [...args],
        {
          cwd,
          env,
          encoding: 'buffer',
          maxBuffer: options.maxBuffer ?? GIT_MAX_BUFFER,
          windowsHide: true,
          ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {})
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout)
          const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean }
          const exitCode = typeof failure.code === 'number' ? failure.code : undefined
          const code = failure.killed
            ? 'ETIMEDOUT'
            : typeof failure.code === 'string'
              ? failure.code
              : undefined
          reject(new GitError(args, exitCode, stderr.toString('utf8'), code))
        }
      )
    })
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? ''
}
