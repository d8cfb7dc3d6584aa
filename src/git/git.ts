/**
 * What the review needs from git: the commit a ref names, and the bytes of an HR file at that commit, written where
 * the existing readers can open them. Paths are workspace-relative POSIX paths, as in reports; git runs in the
 * workspace, so `<sha>:./<path>`-style lookups also work when the workspace is a folder inside the repository.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError, type Diagnostic } from '../common/diagnostics.ts'
import { GitError, createGitRunner, type GitRunner } from './runner.ts'

export interface Git {
  /** The commit sha a ref names (branch, tag, remote branch, sha); an InputError naming the ref when it is missing. */
  resolveBase(ref: string, label?: string): Promise<string>
  /** As resolveBase, but undefined when this checkout does not have the commit (an invalid ref is still an error). */
  findCommit(ref: string, label?: string): Promise<string | undefined>
  /**
   * Fetches the single commit a ref names from `origin` (`git fetch --no-tags --depth=1 origin <ref>`), with whatever
   * credentials the checkout left in git's configuration and nothing else; says why when it cannot.
   */
  fetchCommit(ref: string, label?: string): Promise<FetchResult>
  /** The file's bytes at the commit, or undefined when the file did not exist there. */
  readFileAtCommit(sha: string, file: string): Promise<Buffer | undefined>
  /**
   * Writes the version at `sha` of each file into `folder` (same relative path), for the readers to open. Files
   * absent at the commit are listed with `absolute: undefined`: every record in them is new.
   */
  materializeBase(sha: string, files: readonly string[], folder: string): Promise<MaterializedFile[]>
  /** Workspace-relative paths of files that exist at `sha` but no longer in the working tree. */
  filesDeletedSince(sha: string): Promise<string[]>
}

export interface MaterializedFile {
  /** Workspace-relative POSIX path, as the head run names the file. */
  relative: string
  /** Where its base version was written, or undefined when the file did not exist at the base commit. */
  absolute: string | undefined
  bytes: number
}

export type FetchResult = { sha: string } | { problem: string }

export interface GitOptions {
  /** The workspace; git runs there. */
  cwd: string
  runner?: GitRunner
  /** Runs the network call (`git fetch`); by default git with a time limit of FETCH_TIMEOUT_MS. */
  fetchRunner?: GitRunner
}

/** A fetch of one commit takes seconds; a remote that does not answer must not hold the job. */
export const FETCH_TIMEOUT_MS = 120_000

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/

export function createGit(options: GitOptions): Git {
  const runners: Runners = {
    git: options.runner ?? createGitRunner(options.cwd),
    fetcher:
      options.fetchRunner ?? options.runner ?? createGitRunner(options.cwd, { timeoutMs: FETCH_TIMEOUT_MS })
  }
  return {
    resolveBase: (ref, label) => resolveBase(runners.git, ref, label),
    findCommit: (ref, label) => findCommit(runners.git, ref, label),
    fetchCommit: (ref, label) => fetchCommit(runners, ref, label),
    readFileAtCommit: (sha, file) => readFileAtCommit(runners.git, sha, file),
    materializeBase: (sha, files, folder) => materializeBase(runners.git, sha, files, folder),
    filesDeletedSince: (sha) => filesDeletedSince(runners.git, sha)
  }
}

/** The local git calls, and the network one (`git fetch`), which has a time limit of its own. */
interface Runners {
  git: GitRunner
  fetcher: GitRunner
}

async function findCommit(
  git: GitRunner,
  ref: string,
  label = `Input 'base-ref': '${ref}'`
): Promise<string | undefined> {
  const trimmed = checkRef(ref, label)
  let output: Buffer
  try {
    output = await git(['rev-parse', '--verify', '--quiet', `${trimmed}^{commit}`])
  } catch (error) {
    if (!(error instanceof GitError)) throw error
    if (error.exitCode !== 1) throw notARepository(error)
    return undefined
  }
  const sha = output.toString('utf8').trim()
  if (!SHA.test(sha))
    throw baseError(`${label} did not resolve to a commit (git printed '${sha.slice(0, 80)}').`)
  return sha
}

async function resolveBase(
  git: GitRunner,
  ref: string,
  label = `Input 'base-ref': '${ref}'`
): Promise<string> {
  const sha = await findCommit(git, ref, label)
  if (sha === undefined)
    throw baseError(`${label} is not a commit in this checkout.${await fetchHint(git, ref.trim())}`)
  return sha
}

async function fetchCommit(
  runners: Runners,
  ref: string,
  label = `Input 'base-ref': '${ref}'`
): Promise<FetchResult> {
  // A remote-tracking name (origin/main) is fetched as the remote's branch (main).
  const remoteRef = checkRef(ref, label).replace(/^(refs\/remotes\/)?origin\//, '')
  try {
    await runners.fetcher(['fetch', '--no-tags', '--depth=1', 'origin', remoteRef])
  } catch (error) {
    if (!(error instanceof GitError)) throw error
    if (error.code === 'ENOENT') throw notARepository(error)
    return { problem: fetchProblem(error) }
  }
  const sha = await findCommit(runners.git, 'FETCH_HEAD', label)
  return sha === undefined ? { problem: 'git fetch gave no commit' } : { sha }
}

/** How to get a commit this checkout lacks: a shallow checkout (the default of actions/checkout) needs more history. */
async function fetchHint(git: GitRunner, ref: string): Promise<string> {
  let shallow = false
  try {
    shallow = (await git(['rev-parse', '--is-shallow-repository'])).toString('utf8').trim() === 'true'
  } catch {
    // an old git without the option: give the general hint
  }
  const fetch = `git fetch --no-tags --depth=1 origin ${ref}`
  return shallow
    ? ` The checkout is shallow (actions/checkout fetches a single commit by default): set 'fetch-depth: 0' on ` +
        `actions/checkout, or fetch the base before this step ('${fetch}').`
    : ` Fetch it before this step ('${fetch}', or 'fetch-depth: 0' on actions/checkout), or check its name ` +
        `(a remote branch is 'origin/main', a tag 'v1', or a full commit sha).`
}

async function readFileAtCommit(git: GitRunner, sha: string, file: string): Promise<Buffer | undefined> {
  checkSha(sha)
  const relative = checkPath(file)
  let listing: string
  try {
    // ls-tree takes literal paths (no glob), relative to the working directory, and lists nothing when absent.
    listing = (await git(['ls-tree', '-z', sha, '--', relative])).toString('utf8')
  } catch (error) {
    if (error instanceof GitError) throw notARepository(error)
    throw error
  }
  const entry = listing.split('\0').find((line) => line.endsWith(`\t${relative}`))
  if (entry === undefined) return undefined
  const [mode, type, oid] = entry.slice(0, entry.indexOf('\t')).split(' ')
  if (type !== 'blob' || oid === undefined) {
    throw new InputError(
      problem('base-file', `${file} is not a file at the base commit ${sha.slice(0, 12)}.`, file)
    )
  }
  if (mode === '120000') {
    throw new InputError(
      problem(
        'base-file',
        `${file} is a symbolic link at the base commit ${sha.slice(0, 12)}; link to no HR file.`,
        file
      )
    )
  }
  const bytes = await git(['cat-file', 'blob', oid])
  if (isLfsPointer(bytes)) {
    throw new InputError(
      problem(
        'base-file',
        `${file} is stored in Git LFS at the base commit ${sha.slice(0, 12)}; the review compares file contents, ` +
          'so keep HR files in plain git.',
        file
      )
    )
  }
  return bytes
}

async function materializeBase(
  git: GitRunner,
  sha: string,
  files: readonly string[],
  folder: string
): Promise<MaterializedFile[]> {
  const root = path.resolve(folder)
  const written: MaterializedFile[] = []
  for (const file of files) {
    const relative = checkPath(file)
    const bytes = await readFileAtCommit(git, sha, relative)
    if (bytes === undefined) {
      written.push({ relative, absolute: undefined, bytes: 0 })
      continue
    }
    const absolute = path.join(root, ...relative.split('/'))
    await mkdir(path.dirname(absolute), { recursive: true })
    await writeFile(absolute, bytes, { mode: 0o600 })
    written.push({ relative, absolute, bytes: bytes.length })
  }
  return written
}

async function filesDeletedSince(git: GitRunner, sha: string): Promise<string[]> {
  checkSha(sha)
  let output: Buffer
  try {
    output = await git([
      'diff',
      '--name-only',
      '--diff-filter=D',
      '--no-renames',
      '--relative',
      '-z',
      sha,
      '--'
    ])
  } catch (error) {
    if (error instanceof GitError) throw notARepository(error)
    throw error
  }
  return output
    .toString('utf8')
    .split('\0')
    .filter((name) => name !== '')
    .sort()
}

/** The ref, trimmed; an InputError when git could read it as an option or it cannot be a ref. */
function checkRef(ref: string, label: string): string {
  const trimmed = ref.trim()
  // A ref starting with '-' would be read as an option; whitespace and control characters are never in a ref.
  if (trimmed === '' || trimmed.startsWith('-') || [...trimmed].some(isSpaceOrControl)) {
    throw baseError(`${label} is not a valid git ref; give a branch, a tag or a commit sha.`)
  }
  return trimmed
}

/** Why a fetch from origin failed, in words a workflow author can act on. Never repeats a URL's user:password. */
function fetchProblem(error: GitError): string {
  const stderr = error.stderr.replace(/\/\/[^/@\s]*@/g, '//')
  if (error.code === 'ETIMEDOUT') return `git fetch did not finish in ${FETCH_TIMEOUT_MS / 1000} s`
  if (/does not appear to be a git repository|no such remote/i.test(stderr))
    return "the checkout has no remote 'origin'"
  if (
    /could not read (username|password)|authentication failed|terminal prompts disabled|\b40[13]\b/i.test(
      stderr
    )
  )
    return "origin refused the fetch without credentials (actions/checkout with 'persist-credentials: false', or a token that cannot read the repository)"
  if (/couldn't find remote ref|not our ref|no such (ref|commit)|unadvertised object/i.test(stderr))
    return 'origin does not have it (a fork without the commit, a deleted branch, or history rewritten since)'
  const line = stderr.trim().split(/\r?\n/).pop() ?? ''
  return `git fetch failed: ${line.slice(0, 200) || `exit ${error.exitCode ?? '?'}`}`
}

function isSpaceOrControl(character: string): boolean {
  const code = character.charCodeAt(0)
  return code <= 0x20 || code === 0x7f || /\s/.test(character)
}

function checkSha(sha: string): void {
  if (!SHA.test(sha))
    throw new RangeError(`not a full commit sha: '${sha.slice(0, 80)}' (resolve the ref first)`)
}

/** Workspace-relative POSIX paths only: no absolute path, no '..', nothing git could read as an option. */
function checkPath(file: string): string {
  const relative = file.replace(/^\.\//, '')
  const segments = relative.split('/')
  if (
    relative === '' ||
    relative.startsWith('/') ||
    relative.startsWith('-') ||
    relative.includes('\\') ||
    relative.includes('\0') ||
    segments.some((segment) => segment === '..' || segment === '.' || segment === '')
  ) {
    throw new RangeError(`not a workspace-relative path: '${file}'`)
  }
  return relative
}

function isLfsPointer(bytes: Buffer): boolean {
  return (
    bytes.length < 1024 &&
    bytes.subarray(0, 40).toString('latin1').startsWith('version https://git-lfs.github.com/spec/')
  )
}

function notARepository(error: GitError): Error {
  if (error.code === 'ENOENT')
    return baseError(
      'git is not installed on this runner; the review of changes needs it (GitHub-hosted runners have it).'
    )
  if (/dubious ownership/i.test(error.stderr))
    return baseError(
      `git refuses the workspace (dubious ownership, common in containers): add 'git config --global --add ` +
        `safe.directory "$GITHUB_WORKSPACE"' before this step.`
    )
  if (/not a git repository/i.test(error.stderr))
    return baseError(
      'The workspace is not a git repository: check the repository out with actions/checkout before this step.'
    )
  return error
}

function baseError(message: string): InputError {
  return new InputError(problem('base-ref', message))
}

function problem(rule: string, message: string, file?: string): Diagnostic {
  return { severity: 'error', rule, message, ...(file !== undefined ? { file } : {}) }
}
