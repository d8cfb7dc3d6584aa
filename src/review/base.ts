/**
 * The base plan: the run's HR files as they were at the base commit, read by the same readers and mapped with the
 * mapping file as it was there (so a record is compared with what that commit would have sent), into a plan built by
 * the same `buildPlan`. Files deleted since the base are included when the `files` patterns select them, so that
 * deleting a whole file shows its rows as leavers and trips the shrink gate.
 */
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../common/diagnostics.ts'
import type { Git, MaterializedFile } from '../git/git.ts'
import { loadMapping, type Mapping } from '../mapping/load.ts'
import { buildPlanOfGroups, type PlanOptions, type SourceGroup } from '../plan/plan.ts'
import type { Plan } from '../plan/model.ts'
import { formatOf, openSource } from '../sources/open-source.ts'
import type { SourceFile } from '../sources/source-file.ts'
import type { DelimiterSetting } from '../settings/settings.ts'

/** One source of the run (its files and mapping), to be read as it was at the base. */
export interface BaseGroup {
  /** Workspace-relative paths of the head run's HR files of this source. */
  files: readonly string[]
  /** The source's patterns: files deleted since the base are read when these patterns select them. */
  patterns: string
  /** Workspace-relative path of the mapping file, or undefined for the built-in mapping (then `headMapping`). */
  mappingFile: string | undefined
  /** The head mapping: used when the mapping file did not exist at the base. */
  headMapping: Mapping
}

export interface BasePlanOptions {
  git: Git
  /** The base commit (from `git.resolveBase`). */
  sha: string
  /** The run's sources, in the order of the head plan's mappings. */
  groups: readonly BaseGroup[]
  /** An empty scratch folder (in RUNNER_TEMP) for the base versions of the files. */
  folder: string
  delimiter: DelimiterSetting
  /** As for the head plan, with its own ValueStore. */
  plan: PlanOptions
}

export interface BasePlan {
  plan: Plan
  /** Head files that did not exist at the base: all their records are joiners. */
  absent: string[]
  /** Files read at the base that no longer exist. */
  deleted: string[]
  /** For each source, the mapping the base plan was made with: the file at the base, or the head's. */
  mappingSources: Array<'base' | 'head'>
}

export async function planBase(options: BasePlanOptions): Promise<BasePlan> {
  const { git, sha } = options
  await mkdir(options.folder, { recursive: true })
  const short = sha.slice(0, 12)
  const gone = await git.filesDeletedSince(sha)
  const everyFile = new Set(options.groups.flatMap((group) => group.files))
  const groups: SourceGroup[] = []
  const mappingSources: Array<'base' | 'head'> = []
  const absent: string[] = []
  const deleted: string[] = []
  try {
    for (const group of options.groups) {
      const removed = gone.filter(
        (file) =>
          formatOf(file) !== undefined && matchesPatterns(group.patterns, file) && !everyFile.has(file)
      )
      deleted.push(...removed)
      const materialized: MaterializedFile[] = await git.materializeBase(
        sha,
        [...group.files, ...removed],
        options.folder
      )
      const { mapping, source } = await baseMapping(options, group, short)
      const sources: SourceFile[] = []
      for (const file of materialized) {
        if (file.absolute === undefined) absent.push(file.relative)
        else sources.push(await openSource({ absolute: file.absolute, relative: file.relative }, options))
      }
      groups.push({ mapping, sources })
      mappingSources.push(source)
    }
    return { plan: await buildPlanOfGroups(groups, options.plan), absent, deleted, mappingSources }
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    throw new InputError(
      error.diagnostics.map((d) => ({
        ...d,
        rule: 'base-plan',
        message: `At the base commit ${short}: ${d.message}`
      }))
    )
  }
}

async function baseMapping(
  options: BasePlanOptions,
  group: BaseGroup,
  short: string
): Promise<{ mapping: Mapping; source: 'base' | 'head' }> {
  if (group.mappingFile === undefined) return { mapping: group.headMapping, source: 'head' }
  const bytes = await options.git.readFileAtCommit(options.sha, group.mappingFile)
  if (bytes === undefined) return { mapping: group.headMapping, source: 'head' }
  try {
    return {
      mapping: loadMapping(bytes.toString('utf8').replace(/^\uFEFF/, ''), group.mappingFile),
      source: 'base'
    }
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    throw new InputError({
      severity: 'error',
      rule: 'base-plan',
      file: group.mappingFile,
      message:
        `At the base commit ${short}, the mapping file cannot be read (${error.diagnostics[0]?.message ?? 'invalid'}); ` +
        'choose a base-ref where it is valid.'
    })
  }
}

/**
 * Whether a workspace-relative path is selected by the `files` patterns, as discovery selects it: one pattern per
 * line, `#` comments, `!` exclusions applied in order, and a pattern that names a folder selecting what is under it.
 * Used only for files that no longer exist, which discovery on disk cannot see.
 */
export function matchesPatterns(patterns: string, relative: string): boolean {
  let selected = false
  for (const line of patterns.split(/\r\n|\n|\r/)) {
    let pattern = line.trim()
    if (pattern === '' || pattern.startsWith('#')) continue
    let negate = false
    while (pattern.startsWith('!')) {
      negate = !negate
      pattern = pattern.slice(1).trim()
    }
    pattern = pattern.replace(/^\.\//, '').replace(/\/+$/, '')
    if (pattern === '' || pattern === '.') pattern = '**'
    if (path.posix.isAbsolute(pattern)) continue
    const segments = relative.split('/')
    const hit = segments.some((_, i) => path.posix.matchesGlob(segments.slice(0, i + 1).join('/'), pattern))
    if (hit) selected = !negate
  }
  return selected
}
