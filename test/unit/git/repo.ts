/** Real git repositories in temporary folders, for the tests of the git-aware review. */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface TestRepo {
  dir: string
  git(...args: string[]): string
  write(file: string, content: string | Buffer): void
  remove(file: string): void
  /** Stages everything and commits; returns the commit sha. */
  commit(message: string): string
}

// Fixed identity and dates: the same content gives the same commit shas on every run.
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'HR Export',
  GIT_AUTHOR_EMAIL: 'hr@example.com',
  GIT_COMMITTER_NAME: 'HR Export',
  GIT_COMMITTER_EMAIL: 'hr@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0'
}

export function createRepo(prefix = 'review-'): TestRepo {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', ...args], {
      cwd: dir,
      env: ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    }).trim()
  git('init', '-q', '-b', 'main')
  return {
    dir,
    git,
    write(file, content) {
      const absolute = path.join(dir, file)
      mkdirSync(path.dirname(absolute), { recursive: true })
      writeFileSync(absolute, content)
    },
    remove(file) {
      rmSync(path.join(dir, file))
    },
    commit(message) {
      git('add', '-A')
      git('commit', '-q', '--allow-empty', '-m', message)
      return git('rev-parse', 'HEAD')
    }
  }
}

export function scratch(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix))
}
