import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { InputError } from '../../../src/common/diagnostics.ts'
import { createGit } from '../../../src/git/git.ts'
import { GitError, createGitRunner, type GitRunner } from '../../../src/git/runner.ts'
import { createRepo, scratch } from './repo.ts'

/** A repository of two commits, cloned with depth 1 as actions/checkout does: the base is not in the clone. */
function shallowCloneOfTwoCommits(): { base: string; clone: string } {
  const repo = createRepo()
  repo.write('a.csv', 'Id\n1\n')
  const base = repo.commit('base')
  repo.write('a.csv', 'Id\n1\n2\n')
  repo.commit('head')
  const clone = path.join(scratch('shallow-'), 'clone')
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, clone])
  return { base, clone }
}

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

describe('resolveBase', () => {
  test('resolves branches, tags, short and full shas to the commit sha', async () => {
    const repo = createRepo()
    repo.write('hr/a.csv', 'Id\n1\n')
    const first = repo.commit('base')
    repo.git('tag', 'last-sync')
    repo.write('hr/a.csv', 'Id\n1\n2\n')
    const second = repo.commit('head')
    const git = createGit({ cwd: repo.dir })
    expect(await git.resolveBase('main')).toBe(second)
    expect(await git.resolveBase('last-sync')).toBe(first)
    expect(await git.resolveBase(first.slice(0, 10))).toBe(first)
    expect(await git.resolveBase('HEAD~1')).toBe(first)
  })

  test('a missing ref is an InputError naming it, with how to fetch it', async () => {
    const repo = createRepo()
    repo.write('a.csv', 'Id\n')
    repo.commit('one')
    const error = await inputError(createGit({ cwd: repo.dir }).resolveBase('origin/release'))
    expect(error.diagnostics[0]?.rule).toBe('base-ref')
    expect(error.message).toContain("Input 'base-ref': 'origin/release' is not a commit in this checkout")
    expect(error.message).toContain('git fetch --no-tags --depth=1 origin origin/release')
  })

  test('in a shallow clone, the message tells to set fetch-depth: 0 or fetch the base', async () => {
    const { base, clone } = shallowCloneOfTwoCommits()
    const git = createGit({ cwd: clone })
    const error = await inputError(
      git.resolveBase(base, `The pull request's base commit ${base.slice(0, 12)}`)
    )
    expect(error.message).toContain(`The pull request's base commit ${base.slice(0, 12)} is not a commit`)
    expect(error.message).toContain("set 'fetch-depth: 0' on actions/checkout")
  })

  test('refuses refs that git would read as options, and names a workspace that is no repository', async () => {
    const git = createGit({ cwd: scratch('norepo-') })
    expect((await inputError(git.resolveBase('--output=/tmp/x'))).message).toContain('is not a valid git ref')
    expect((await inputError(git.resolveBase('a b'))).message).toContain('is not a valid git ref')
    expect((await inputError(git.resolveBase('main'))).message).toContain('not a git repository')
  })

  test('a runner that cannot start git says git is missing', async () => {
    const runner: GitRunner = async (args) => {
      throw new GitError(args, undefined, '', 'ENOENT')
    }
    const error = await inputError(createGit({ cwd: '/', runner }).resolveBase('main'))
    expect(error.message).toContain('git is not installed')
  })
})

describe('readFileAtCommit and materializeBase', () => {
  test('reads the bytes at the commit, binary-safe (UTF-16 with BOM), and undefined for an absent file', async () => {
    const repo = createRepo()
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Id\tName\r\n1\tZoë\r\n', 'utf16le')])
    repo.write('hr/people.tsv', utf16)
    repo.write('hr/odd name [1]*.csv', 'Id\n1\n')
    const base = repo.commit('base')
    repo.write('hr/people.tsv', 'changed')
    repo.commit('head')
    const git = createGit({ cwd: repo.dir })
    expect(await git.readFileAtCommit(base, 'hr/people.tsv')).toEqual(utf16)
    expect((await git.readFileAtCommit(base, 'hr/odd name [1]*.csv'))?.toString()).toBe('Id\n1\n')
    expect(await git.readFileAtCommit(base, 'hr/odd name [1].csv')).toBeUndefined()
    expect(await git.readFileAtCommit(base, 'hr/new.csv')).toBeUndefined()
    await expect(git.readFileAtCommit(base, '../outside.csv')).rejects.toThrow(RangeError)
    await expect(git.readFileAtCommit('main', 'hr/people.tsv')).rejects.toThrow(RangeError)
    const folder = (await inputError(git.readFileAtCommit(base, 'hr'))).message
    expect(folder).toContain('hr is not a file at the base commit')
  })

  test('paths are relative to the workspace, also when it is a folder inside the repository', async () => {
    const repo = createRepo()
    repo.write('data/hr/a.csv', 'Id\n1\n')
    const base = repo.commit('base')
    const git = createGit({ cwd: path.join(repo.dir, 'data') })
    expect((await git.readFileAtCommit(base, 'hr/a.csv'))?.toString()).toBe('Id\n1\n')
  })

  test('writes the base versions under the folder with their relative paths; absent files have no path', async () => {
    const repo = createRepo()
    repo.write('hr/a.csv', 'Id\n1\n')
    const base = repo.commit('base')
    repo.write('hr/a.csv', 'Id\n1\n2\n')
    repo.write('hr/b.csv', 'Id\n3\n')
    repo.commit('head')
    const folder = scratch('base-')
    const written = await createGit({ cwd: repo.dir }).materializeBase(base, ['hr/a.csv', 'hr/b.csv'], folder)
    expect(written).toEqual([
      { relative: 'hr/a.csv', absolute: path.join(folder, 'hr', 'a.csv'), bytes: 5 },
      { relative: 'hr/b.csv', absolute: undefined, bytes: 0 }
    ])
    expect(readFileSync(path.join(folder, 'hr', 'a.csv'), 'utf8')).toBe('Id\n1\n')
    expect(existsSync(path.join(folder, 'hr', 'b.csv'))).toBe(false)
  })

  test('an LFS pointer at the base is refused with a clear message', async () => {
    const repo = createRepo()
    repo.write('hr/a.csv', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n')
    const base = repo.commit('base')
    const error = await inputError(createGit({ cwd: repo.dir }).readFileAtCommit(base, 'hr/a.csv'))
    expect(error.message).toContain('Git LFS')
  })

  test('filesDeletedSince lists files gone from the working tree, relative to the workspace', async () => {
    const repo = createRepo()
    repo.write('hr/a.csv', 'Id\n')
    repo.write('hr/b.csv', 'Id\n')
    repo.write('other/c.csv', 'Id\n')
    const base = repo.commit('base')
    repo.remove('hr/b.csv')
    repo.remove('other/c.csv')
    repo.commit('head')
    expect(await createGit({ cwd: repo.dir }).filesDeletedSince(base)).toEqual(['hr/b.csv', 'other/c.csv'])
    expect(await createGit({ cwd: path.join(repo.dir, 'hr') }).filesDeletedSince(base)).toEqual(['b.csv'])
  })
})

describe('createGitRunner', () => {
  test('returns stdout as bytes and rejects with a GitError carrying the exit code and stderr', async () => {
    const repo = createRepo()
    const run = createGitRunner(repo.dir)
    expect((await run(['rev-parse', '--is-inside-work-tree'])).toString().trim()).toBe('true')
    const failure = await run(['rev-parse', '--verify', 'nope']).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(GitError)
    expect((failure as GitError).exitCode).toBe(128)
    expect((failure as GitError).stderr).toContain('fatal')
  })
})

describe('fetchCommit', () => {
  const failingFetch =
    (stderr: string, code?: string): GitRunner =>
    async (args) => {
      throw new GitError(args, code ? undefined : 128, stderr, code)
    }

  test('fetches one commit of origin by sha, and a remote-tracking name as the branch it tracks', async () => {
    const { base, clone } = shallowCloneOfTwoCommits()
    const git = createGit({ cwd: clone })
    expect(await git.findCommit(base)).toBeUndefined()
    expect(await git.fetchCommit(base)).toEqual({ sha: base })
    expect(await git.findCommit(base)).toBe(base)
    const seen: string[][] = []
    const recording = createGit({
      cwd: clone,
      fetchRunner: async (args) => {
        seen.push([...args])
        return Buffer.from('')
      }
    })
    await recording.fetchCommit('origin/main')
    expect(seen).toEqual([['fetch', '--no-tags', '--depth=1', 'origin', 'main']])
  })

  test('says why it could not fetch: no credentials, a timeout, a URL with a password never repeated', async () => {
    const repo = createRepo()
    const fetchWith = (runner: GitRunner) =>
      createGit({ cwd: repo.dir, fetchRunner: runner }).fetchCommit('main')
    expect(
      await fetchWith(
        failingFetch("fatal: could not read Username for 'https://github.com': terminal prompts disabled")
      )
    ).toEqual({ problem: expect.stringContaining("'persist-credentials: false'") })
    expect(await fetchWith(failingFetch('', 'ETIMEDOUT'))).toEqual({
      problem: 'git fetch did not finish in 120 s'
    })
    const other = await fetchWith(
      failingFetch('fatal: unable to access https://x:s3cret@example.com/r.git: boom')
    )
    expect(JSON.stringify(other)).not.toContain('s3cret')
    await expect(
      createGit({ cwd: repo.dir, fetchRunner: failingFetch('', 'x') }).fetchCommit('--upload-pack=evil')
    ).rejects.toThrow('not a valid git ref')
  })
})
