/**
 * The one place a path from an input or a report file becomes a path the action opens. Inputs and reports come
 * from people who may not be trusted (a pull request's author, whoever wrote an artifact), so every such path must
 * stay inside the workspace or RUNNER_TEMP — also through symbolic links, which a pull request can add.
 *
 * The check is lexical first (no file-system access for a path outside, so errors never tell whether an outside
 * path exists), then every symbolic link on the way is followed by hand: a link whose target lies outside is
 * refused whether or not the target exists.
 */
import { lstat, readlink, realpath } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from './diagnostics.ts'

/** Where a path may lead, and how to name it in messages (`Input 'mapping'`, `previous-report's manifest[3].file`). */
export interface Confinement {
  /** Allowed folders, absolute; relative values are resolved against the first one (the workspace). */
  roots: readonly string[]
  /** Names the path's origin in messages, e.g. `Input 'previous-report'`. */
  what: string
}

/** Links followed before giving up (as the kernel's ELOOP limit). */
const MAX_LINKS = 40

/**
 * Returns the real absolute path of `value` (resolved against the first root), with every symbolic link on the way
 * resolved, or throws an InputError when it lies outside the roots. Components that do not exist yet (a folder to
 * create, a file to read that is missing) are kept as written; reading them then fails as usual.
 */
export async function confinePath(value: string, confinement: Confinement): Promise<string> {
  const [first] = confinement.roots
  if (first === undefined) throw new Error('confinePath: no root')
  const absolute = path.resolve(first, value)
  const roots = confinement.roots.map((root) => path.resolve(root))
  const shown = displayPath(absolute, roots)
  const outside = (how: string): InputError =>
    new InputError({
      severity: 'error',
      rule: 'path-outside-workspace',
      message: `${confinement.what}: '${shown}' ${how}; only files inside the workspace (the repository) or RUNNER_TEMP can be used.`
    })
  if (!roots.some((root) => isInside(absolute, root))) throw outside('is outside the workspace')
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)))
  let resolved: string
  try {
    resolved = await resolveLinks(absolute)
  } catch (error) {
    if (error instanceof TooManyLinks) throw outside('goes through too many symbolic links')
    throw error
  }
  if (!realRoots.some((root) => isInside(resolved, root)))
    throw outside('leads outside the workspace through a symbolic link')
  return resolved
}

class TooManyLinks extends Error {}

/** Like realpath, but also for paths whose end does not exist, and for links whose target does not exist. */
async function resolveLinks(absolute: string): Promise<string> {
  let links = 0
  const pending = absolute.split(path.sep).filter((part) => part !== '')
  let current = path.parse(absolute).root
  while (pending.length > 0) {
    const part = pending.shift() as string
    if (part === '.') continue
    if (part === '..') {
      current = path.dirname(current)
      continue
    }
    const next = path.join(current, part)
    const stats = await lstat(next).catch(() => undefined)
    if (!stats) return path.join(next, ...pending)
    if (!stats.isSymbolicLink()) {
      current = next
      continue
    }
    if (++links > MAX_LINKS) throw new TooManyLinks()
    const target = path.resolve(current, await readlink(next))
    pending.unshift(...target.split(path.sep).filter((p) => p !== ''))
    current = path.parse(target).root
  }
  return current
}

/**
 * A path as messages show it: relative to the workspace (the first root) with POSIX separators, as users write
 * inputs, unless it lies in another root (RUNNER_TEMP), which is shown in full.
 */
export function displayPath(absolute: string, roots: readonly string[]): string {
  const [workspace, ...others] = roots.map((root) => path.resolve(root))
  if (workspace === undefined || others.some((root) => isInside(absolute, root))) return absolute
  return path.relative(workspace, absolute).split(path.sep).join('/') || '.'
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  )
}
