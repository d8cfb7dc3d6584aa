/** Finding the HR files of a run: the `files` input's glob patterns, expanded inside the workspace only. */
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import * as glob from '@actions/glob'
import { InputError } from '../common/diagnostics.ts'
import type { Diagnostic } from '../common/diagnostics.ts'
import { shorten } from '../common/shorten.ts'

export interface DiscoveredFile {
  /** Absolute path, under the workspace as given. */
  absolute: string
  /** Workspace-relative path with POSIX separators, as shown in reports and annotations. */
  relative: string
}

interface Pattern {
  /** As written in the input (trimmed), for messages. */
  text: string
  negate: boolean
  /** Absolute glob for @actions/glob, rooted at the workspace. */
  glob: string
}

/**
 * Expands multi-line glob patterns (one per line, `#` comments and blank lines ignored, `!` negation as
 * @actions/glob does: patterns apply in order, so a later pattern can include again what a `!` excluded) relative
 * to the workspace. Refuses any pattern or match outside the workspace (also through symlinks) with an InputError
 * naming the pattern; a pattern that matches no file is an InputError naming it. Returns regular files only,
 * sorted by relative path and de-duplicated (two paths to the same file through a symlink count once). Files under
 * a `.git` folder are never returned.
 */
export async function discoverFiles(patterns: string, workspace: string): Promise<DiscoveredFile[]> {
  const root = path.resolve(workspace)
  let realRoot: string
  try {
    realRoot = await realpath(root)
  } catch {
    throw new InputError(problem('files-workspace', `The workspace folder '${root}' does not exist.`))
  }

  const problems: Diagnostic[] = []
  const parsed: Pattern[] = []
  for (const line of patterns.split(/\r\n|\n|\r/)) {
    const text = line.trim()
    if (text === '' || text.startsWith('#')) continue
    const result = parsePattern(text, root)
    if ('message' in result) problems.push(result)
    else parsed.push(result)
  }
  if (problems.length > 0) throw new InputError(problems)
  const positives = parsed.filter((pattern) => !pattern.negate)
  if (positives.length === 0) {
    throw new InputError(
      problem(
        'files-pattern-empty',
        "Input 'files' has no pattern that selects files (only comments, blank lines or '!' exclusions); " +
          "add one, e.g. 'hr/*.csv'."
      )
    )
  }

  // Each positive pattern alone: to name a pattern that matches nothing, and the patterns behind a bad match.
  const matchedBy = new Map<string, string[]>()
  for (const pattern of positives) {
    const files = await regularFiles(await expand(pattern.glob, `pattern '${shorten(pattern.text)}'`))
    if (files.length === 0) problems.push(await noRegularFile(pattern, root))
    for (const file of files) matchedBy.set(file, [...(matchedBy.get(file) ?? []), pattern.text])
  }
  if (problems.length > 0) throw new InputError(problems)

  // All patterns together, in order, for the exclusions.
  const selected = await regularFiles(
    await expand(parsed.map((p) => (p.negate ? `!${p.glob}` : p.glob)).join('\n'), 'the patterns')
  )
  const found: Array<DiscoveredFile & { real: string }> = []
  for (const absolute of selected) {
    const real = await realpath(absolute)
    const relative = path.relative(root, absolute).split(path.sep).join('/')
    if (!isInside(real, realRoot) || !isInside(absolute, root)) {
      const by =
        (matchedBy.get(absolute) ?? []).map((text) => `'${shorten(text)}'`).join(', ') || 'the patterns'
      problems.push(
        problem(
          'files-outside-workspace',
          `Input 'files': pattern ${by} matches '${shorten(relative)}', which leads outside the workspace (through a ` +
            'symbolic link). Only files inside the repository can be read; exclude it with a ! pattern or remove the link.'
        )
      )
      continue
    }
    found.push({ absolute, relative, real })
  }
  if (problems.length > 0) throw new InputError(problems)
  if (found.length === 0) {
    throw new InputError(
      problem(
        'files-no-match',
        "Input 'files': the '!' patterns exclude every file the other patterns match."
      )
    )
  }

  found.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0))
  const seen = new Set<string>()
  const files: DiscoveredFile[] = []
  for (const { absolute, relative, real } of found) {
    if (seen.has(real)) continue
    seen.add(real)
    files.push({ absolute, relative })
  }
  return files
}

function parsePattern(text: string, root: string): Pattern | Diagnostic {
  let body = text
  let negate = false
  while (body.startsWith('!')) {
    negate = !negate
    body = body.slice(1).trim()
  }
  if (body === '')
    return problem(
      'files-pattern-invalid',
      `Input 'files': pattern '${shorten(text)}' has nothing after '!'.`
    )
  const outside = (): Diagnostic =>
    problem(
      'files-outside-workspace',
      `Input 'files': pattern '${shorten(text)}' points outside the workspace; write patterns relative to the repository ` +
        "root, without '..', '~' or an absolute path elsewhere."
    )
  const segments = body.split(/[\\/]/)
  if (segments.includes('..') || body.startsWith('~')) return outside()
  let absolute: string
  if (path.isAbsolute(body)) {
    // The literal part before the first wildcard must lie inside the workspace.
    const literal: string[] = []
    for (const segment of segments) {
      if (/[*?[\]]/.test(segment)) break
      literal.push(segment)
    }
    if (!isInside(path.resolve(literal.join('/') || '/'), root)) return outside()
    absolute = body
  } else {
    const relative = body === '.' ? '' : body.startsWith('./') ? body.slice(2) : body
    absolute = relative === '' ? globEscape(root) : `${globEscape(root)}/${relative}`
  }
  return { text, negate, glob: absolute }
}

/** Matching files; Git's own folder is never HR data, so `**` does not pick up `.git/index` and the like. */
async function expand(patterns: string, label: string, options: glob.GlobOptions = {}): Promise<string[]> {
  try {
    const globber = await glob.create(patterns, {
      matchDirectories: false,
      implicitDescendants: true,
      ...options
    })
    const gitFolder = `${path.sep}.git${path.sep}`
    return (await globber.glob()).filter((file) => !file.includes(gitFolder))
  } catch (error) {
    // e.g. ENAMETOOLONG: the system's message would quote the whole path.
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown'
    throw new InputError(
      problem(
        'files-pattern-invalid',
        `Input 'files': ${label} cannot be searched (system error ${code}); check its length and characters.`
      )
    )
  }
}

/**
 * Why a pattern selects no regular file: what it does match (a folder with no file in it, a named pipe, a socket,
 * a device, a broken link), or nothing at all. Reading a named pipe would block, so it is never opened.
 */
async function noRegularFile(pattern: Pattern, root: string): Promise<Diagnostic> {
  const label = `pattern '${shorten(pattern.text)}'`
  const all = await expand(pattern.glob, label, { matchDirectories: true, implicitDescendants: false })
  const matches = all.slice(0, 3)
  const kinds: string[] = []
  for (const match of matches) {
    const relative = path.relative(root, match).split(path.sep).join('/') || '.'
    kinds.push(`'${shorten(relative)}' is ${await kindOf(match)}`)
  }
  if (kinds.length === 0) {
    return problem(
      'files-no-match',
      `Input 'files': pattern '${shorten(pattern.text)}' matches no file in the workspace; check the path and its ` +
        'case (patterns are relative to the repository root).'
    )
  }
  return problem(
    'files-not-regular',
    `Input 'files': pattern '${shorten(pattern.text)}' matches no regular file: ${kinds.join('; ')}. Only regular ` +
      'files are read; point the pattern at the HR files themselves.'
  )
}

async function kindOf(file: string): Promise<string> {
  try {
    const stats = await stat(file)
    if (stats.isDirectory()) return 'a folder with no regular file in it'
    if (stats.isFIFO()) return 'a named pipe (FIFO), not a regular file'
    if (stats.isSocket()) return 'a socket, not a regular file'
    if (stats.isBlockDevice() || stats.isCharacterDevice()) return 'a device, not a regular file'
    return 'not a regular file'
  } catch {
    return 'a symbolic link to nothing'
  }
}

async function regularFiles(paths: string[]): Promise<string[]> {
  const files: string[] = []
  for (const file of paths) {
    try {
      if ((await stat(file)).isFile()) files.push(file)
    } catch {
      // vanished, or a broken link: not a file to read
    }
  }
  return files
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  )
}

/** Escapes glob characters in a literal path, as @actions/glob does for its own roots. */
function globEscape(literal: string): string {
  return (process.platform === 'win32' ? literal : literal.replace(/\\/g, '\\\\'))
    .replace(/(\[)(?=[^/]+\])/g, '[[]')
    .replace(/\?/g, '[?]')
    .replace(/\*/g, '[*]')
}

function problem(rule: string, message: string): Diagnostic {
  return { severity: 'error', rule, message }
}
