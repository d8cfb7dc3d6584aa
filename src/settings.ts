/**
 * Every input of action.yml, read once into a typed, validated object. The only module that knows input names.
 * It takes a reader function instead of calling @actions/core, so tests and other hosts pass plain maps.
 */
import path from 'node:path'
import { InputError, type Severity } from './diagnostics.ts'
import type { DelimiterSetting } from './sources/types.ts'
import { MAX_OPERATIONS_PER_REQUEST } from './scim/limits.ts'
import { RULES, isRuleName } from './validate/rules.ts'
import { closest } from './did-you-mean.ts'

export type Mode = 'plan' | 'apply' | 'report'
export type FailOn = 'error' | 'warning' | 'never'
export type SummaryDetail = 'ids' | 'full'
export type RuleSeverity = Severity | 'off'

export interface Settings {
  mode: Mode
  /** Absolute path of the workspace; every file read or written must stay inside it (or RUNNER_TEMP). */
  workspace: string
  /** Where the report files go. */
  runnerTemp: string
  /** Newline-separated glob patterns. */
  files: string
  /** Workspace-relative path of the mapping file, or undefined for the built-in default mapping. */
  mapping: string | undefined
  delimiter: DelimiterSetting
  /** Per-rule severity overrides. */
  rules: ReadonlyMap<string, RuleSeverity>
  batchSize: number
  /** Absolute folder for the planned requests, or undefined. */
  requestsDir: string | undefined
  failOn: FailOn
  maxAnnotations: number
  summaryDetail: SummaryDetail
  /** For links from the summary to file lines; empty when unknown (local runs). */
  repository: { serverUrl: string; repo: string; sha: string }
}

/** Returns the trimmed value of an input, '' when unset (the contract of core.getInput). */
export type InputReader = (name: string) => string

const DELIMITERS: Record<string, DelimiterSetting> = {
  auto: 'auto',
  comma: ',',
  ',': ',',
  semicolon: ';',
  ';': ';',
  tab: '\t',
  '\\t': '\t',
  '\t': '\t',
  pipe: '|',
  '|': '|'
}

/**
 * Inputs declared in action.yml whose behaviour later releases implement. Setting one to anything but its
 * default fails the run with a clear message instead of being ignored silently.
 */
const NOT_YET_IMPLEMENTED: ReadonlyArray<{ name: string; inert: readonly string[] }> = [
  { name: 'sources', inert: [''] },
  { name: 'resend-from', inert: [''] },
  { name: 'previous-report', inert: [''] },
  { name: 'base-ref', inert: [''] },
  { name: 'changed-only', inert: ['', 'false'] },
  { name: 'leavers', inert: ['', 'ignore'] },
  { name: 'comment', inert: ['', 'false'] },
  { name: 'allow-mass-changes', inert: ['', 'false'] }
]

export function readSettings(input: InputReader, env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = []
  const fail = (message: string): void => {
    problems.push(message)
  }

  const mode = oneOf(input, 'mode', ['plan', 'apply', 'report'] as const, 'plan', fail)
  if (mode !== 'plan') {
    fail(
      `Input 'mode': '${mode}' is not implemented yet in this version; use 'plan' (validate and build the requests without sending them).`
    )
  }
  for (const { name, inert } of NOT_YET_IMPLEMENTED) {
    const value = input(name)
    if (!inert.includes(value)) fail(`Input '${name}' is not implemented yet in this version; remove it.`)
  }

  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  const runnerTemp = path.resolve(env.RUNNER_TEMP || path.join(workspace, '.tmp'))

  const files = input('files')
  if (!files.split('\n').some((line) => line.trim() && !line.trim().startsWith('#'))) {
    fail(`Input 'files' is required: give one or more glob patterns of HR files, e.g. 'hr/*.csv'.`)
  }

  const mappingInput = input('mapping')
  const mapping = mappingInput ? insideWorkspace('mapping', mappingInput, workspace, fail) : undefined

  const delimiterInput = input('delimiter') || 'auto'
  const delimiter = DELIMITERS[delimiterInput.toLowerCase()] ?? DELIMITERS[delimiterInput]
  if (!delimiter) {
    fail(`Input 'delimiter': '${delimiterInput}' is not allowed; use auto, comma, semicolon, tab or pipe.`)
  }

  const requestsDirInput = input('requests-dir')
  const requestsDir = requestsDirInput
    ? path.resolve(workspace, insideWorkspace('requests-dir', requestsDirInput, workspace, fail, runnerTemp))
    : undefined

  const repository = {
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    repo: env.GITHUB_REPOSITORY || '',
    sha: env.GITHUB_SHA || ''
  }

  const settings: Settings = {
    mode,
    workspace,
    runnerTemp,
    files,
    mapping,
    delimiter: delimiter ?? 'auto',
    rules: readRules(input('rules'), fail),
    batchSize: integer(input, 'batch-size', 1, MAX_OPERATIONS_PER_REQUEST, 50, fail),
    requestsDir,
    failOn: oneOf(input, 'fail-on', ['error', 'warning', 'never'] as const, 'error', fail),
    maxAnnotations: integer(input, 'max-annotations', 0, 10, 10, fail),
    summaryDetail: oneOf(input, 'summary-detail', ['ids', 'full'] as const, 'ids', fail),
    repository
  }

  if (problems.length > 0) {
    throw new InputError(problems.map((message) => ({ severity: 'error', rule: 'input', message })))
  }
  return settings
}

function oneOf<T extends string>(
  input: InputReader,
  name: string,
  allowed: readonly T[],
  fallback: T,
  fail: (message: string) => void
): T {
  const value = input(name)
  if (value === '') return fallback
  const match = allowed.find((candidate) => candidate === value.toLowerCase())
  if (match === undefined) {
    fail(`Input '${name}': '${value}' is not allowed; use one of ${allowed.join(', ')}.`)
    return fallback
  }
  return match
}

function integer(
  input: InputReader,
  name: string,
  min: number,
  max: number,
  fallback: number,
  fail: (message: string) => void
): number {
  const value = input(name)
  if (value === '') return fallback
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    fail(`Input '${name}': '${value}' is not allowed; use a whole number from ${min} to ${max}.`)
    return fallback
  }
  return parsed
}

const SEVERITIES: readonly RuleSeverity[] = ['error', 'warning', 'notice', 'off']

/** `rule: severity` lines (YAML-like; comments and blank lines ignored). */
function readRules(text: string, fail: (message: string) => void): Map<string, RuleSeverity> {
  const rules = new Map<string, RuleSeverity>()
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim()
    if (!line) return
    const match = /^([A-Za-z][\w.-]*)\s*[:=]\s*(\w+)$/.exec(line)
    const severity = match?.[2]?.toLowerCase() as RuleSeverity | undefined
    if (!match || !severity || !SEVERITIES.includes(severity)) {
      fail(
        `Input 'rules', line ${index + 1}: write 'rule-name: severity' with severity one of ${SEVERITIES.join(', ')}.`
      )
      return
    }
    const rule = match[1] as string
    if (!isRuleName(rule)) {
      const hint = closest(rule, Object.keys(RULES))
      fail(
        `Input 'rules', line ${index + 1}: unknown rule '${rule}'${hint ? ` (did you mean '${hint}'?)` : ''}; the rules are listed in docs/validation.md.`
      )
      return
    }
    rules.set(rule, severity)
  })
  return rules
}

/** Returns the path relative to the workspace, refusing anything outside it (and outside `alsoAllowed`). */
function insideWorkspace(
  name: string,
  value: string,
  workspace: string,
  fail: (message: string) => void,
  alsoAllowed?: string
): string {
  const absolute = path.resolve(workspace, value)
  for (const root of [workspace, alsoAllowed]) {
    if (root === undefined) continue
    const relative = path.relative(root, absolute)
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
      return root === workspace ? relative.split(path.sep).join('/') : absolute
    }
  }
  fail(`Input '${name}': '${value}' is outside the workspace; give a path inside the repository.`)
  return value
}
