/**
 * Workflows from the documentation, run offline the way a runner runs their steps: the YAML blocks of a Markdown
 * file, then one job's steps in order. actions/checkout clones the bare "remote" the way it does (a fresh repository,
 * `origin` set, the event's ref fetched at `fetch-depth`, default 1); the action's step runs dist/index.js with the
 * step's `with:` as inputs; `run:` steps run in bash; upload/download-artifact copy files. `${{ }}` expressions are
 * evaluated for the contexts the docs use (steps, vars, inputs, matrix) with `&&`, `||` and literals.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { runAction, type ActionRun } from './run-action.ts'

export interface YamlBlock {
  /** The Markdown file and the line of the block's first YAML line. */
  file: string
  line: number
  text: string
}

/** Every ```yaml block of a Markdown file (indented blocks in lists too), dedented. */
export function yamlBlocks(file: string): YamlBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const blocks: YamlBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ya?ml\s*$/.exec(lines[i] as string)
    if (!open) continue
    const indent = (open[1] as string).length
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] as string); j++)
      body.push((lines[j] as string).slice(indent))
    blocks.push({ file, line: i + 2, text: body.join('\n') + '\n' })
    i = j
  }
  return blocks
}

export interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}
export interface Job {
  'runs-on'?: string
  environment?: unknown
  permissions?: unknown
  steps: Step[]
}
export interface Workflow {
  on?: unknown
  jobs: Record<string, Job>
}

/** The action under test, as the docs name it. */
export const ACTION = /^(contoso\/entra-hr-sync@|\.\/?$)/

export function parseWorkflow(block: YamlBlock): Workflow {
  return parse(block.text) as Workflow
}

export interface Remote {
  /** file:// URL of the bare repository that plays GitHub. */
  url: string
  /** The source repository the remote was pushed from (for shas). */
  dir: string
}

/** A bare copy of `source` (every branch, tag and ref, e.g. refs/pull/7/merge), the "GitHub" of the test. */
export function bareRemote(source: string): Remote {
  const bare = path.join(mkdtempSync(path.join(tmpdir(), 'remote-')), 'origin.git')
  git(tmpdir(), 'clone', '-q', '--bare', source, bare)
  git(source, 'push', '-q', bare, '+refs/*:refs/*')
  return { url: `file://${bare}`, dir: source }
}

export interface Trigger {
  /** GITHUB_EVENT_NAME */
  event: string
  payload: Record<string, unknown>
  /** GITHUB_REF: what actions/checkout fetches (refs/pull/7/merge, refs/heads/main). */
  ref: string
  sha: string
}

export interface JobRun {
  workspace: string
  runnerTemp: string
  steps: Array<{
    step: Step
    outcome: 'success' | 'failure' | 'skipped'
    action?: ActionRun
    stdout?: string
  }>
  outputs: Record<string, Record<string, string>>
  cancelled: boolean
}

export interface JobOptions {
  remote: Remote
  trigger: Trigger
  /** `vars`, `inputs`, `matrix`, `github` contexts. */
  contexts?: Record<string, Record<string, unknown>>
  /** Inputs the test adds to every step of the action (the emulator's hosts), and environment variables. */
  extraInputs?: Record<string, string>
  env?: Record<string, string>
  /** Folder shared by the attempts and jobs of a workflow run for upload/download-artifact (one folder per name). */
  artifacts?: string
  /** Cancels the run (SIGTERM to the action's step, as the runner does) when the action's stdout satisfies this. */
  cancelWhen?: (stdout: string) => boolean
}

type StepResult = JobRun['steps'][number]

/**
 * Runs one job's steps in order. A failed step skips the rest unless their `if` says always() or failure();
 * a cancelled run runs only the always() steps; `continue-on-error` keeps a failure from failing the job.
 */
export async function runJob(job: Job, options: JobOptions): Promise<JobRun> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  const runnerTemp = mkdtempSync(path.join(tmpdir(), 'runner-temp-'))
  const eventFile = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(eventFile, JSON.stringify(options.trigger.payload))
  const artifacts = options.artifacts ?? mkdtempSync(path.join(tmpdir(), 'artifacts-'))
  const result: JobRun = { workspace, runnerTemp, steps: [], outputs: {}, cancelled: false }
  let failed = false
  for (const [index, step] of job.steps.entries()) {
    const contexts = { ...options.contexts, runner: { temp: runnerTemp }, steps: stepContext(result.outputs) }
    if (!shouldRun(step.if, { failed, cancelled: result.cancelled }, contexts)) {
      result.steps.push({ step, outcome: 'skipped' })
      continue
    }
    const inputs = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([name, value]) => [name, evaluate(String(value), contexts)])
    )
    const env = {
      GITHUB_EVENT_NAME: options.trigger.event,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_REF: options.trigger.ref,
      GITHUB_SHA: options.trigger.sha,
      GITHUB_ACTION: step.id ?? `__step${index}`,
      ...options.env
    }
    const done = await runStep(step, index, {
      workspace,
      runnerTemp,
      artifacts,
      inputs,
      env,
      contexts,
      options
    })
    if (done.action && step.id) result.outputs[step.id] = done.action.outputs
    if (done.cancelled) result.cancelled = true
    result.steps.push(done.result)
    if (
      done.result.outcome === 'failure' &&
      !(step as { 'continue-on-error'?: boolean })['continue-on-error']
    )
      failed = true
  }
  return result
}

function shouldRun(
  condition: string | undefined,
  state: { failed: boolean; cancelled: boolean },
  contexts: Record<string, unknown>
): boolean {
  const text = (condition ?? 'success()').replace(/^\$\{\{\s*|\s*\}\}$/g, '')
  if (/always\(\)/.test(text)) return true
  if (state.cancelled) return /cancelled\(\)/.test(text)
  if (/failure\(\)/.test(text)) return state.failed
  if (state.failed) return false
  return text === 'success()' || Boolean(expr(text, contexts))
}

interface StepContext {
  workspace: string
  runnerTemp: string
  artifacts: string
  inputs: Record<string, string>
  env: Record<string, string>
  contexts: Record<string, unknown>
  options: JobOptions
}

async function runStep(
  step: Step,
  index: number,
  c: StepContext
): Promise<{ result: StepResult; action?: ActionRun; cancelled?: boolean }> {
  const { inputs, workspace } = c
  if (step.uses?.startsWith('actions/checkout@')) {
    checkout(workspace, c.options.remote, c.options.trigger, inputs)
    return { result: { step, outcome: 'success' } }
  }
  if (step.uses !== undefined && ACTION.test(step.uses)) {
    let cancelled = false
    const action = await runAction({
      workspace,
      runnerTemp: c.runnerTemp,
      inputs: { ...c.options.extraInputs, ...inputs },
      env: c.env,
      onStdout: (stdout, kill) => {
        if (!cancelled && c.options.cancelWhen?.(stdout)) {
          cancelled = true
          kill('SIGTERM')
        }
      }
    })
    return {
      result: { step, outcome: action.exitCode === 0 ? 'success' : 'failure', action },
      action,
      cancelled
    }
  }
  if (step.uses?.startsWith('actions/upload-artifact@')) {
    // Each line of `path` a file; missing files are left out (if-no-files-found: warn).
    const folder = path.join(c.artifacts, inputs.name ?? 'artifact')
    mkdirSync(folder, { recursive: true })
    for (const line of (inputs.path ?? '').split('\n').filter((l) => l.trim() !== '')) {
      const from = path.resolve(workspace, line.trim())
      if (existsSync(from)) cpSync(from, path.join(folder, path.basename(from)), { recursive: true })
    }
    return { result: { step, outcome: 'success' } }
  }
  if (step.uses?.startsWith('actions/download-artifact@')) {
    // By name into `path`; by `pattern` each artifact into `path/<name>/`.
    const target = path.join(workspace, inputs.path ?? '.')
    const names = inputs.pattern
      ? readdirSync(c.artifacts).filter((name) => path.posix.matchesGlob(name, inputs.pattern as string))
      : [inputs.name ?? 'artifact'].filter((name) => existsSync(path.join(c.artifacts, name)))
    if (names.length === 0) return { result: { step, outcome: 'failure' } }
    for (const name of names)
      cpSync(path.join(c.artifacts, name), inputs.pattern ? path.join(target, name) : target, {
        recursive: true
      })
    return { result: { step, outcome: 'success' } }
  }
  if (step.run !== undefined) {
    try {
      const stdout = execFileSync('bash', ['-e', '-c', evaluate(step.run, c.contexts)], {
        cwd: workspace,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: workspace,
          RUNNER_TEMP: c.runnerTemp,
          ...c.env,
          ...step.env
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe']
      })
      return { result: { step, outcome: 'success', stdout } }
    } catch {
      return { result: { step, outcome: 'failure' } }
    }
  }
  throw new Error(`workflow step ${index + 1} (${step.uses ?? '?'}) cannot run offline`)
}

/** What actions/checkout does: init, `origin` set, the event's ref fetched at fetch-depth (default 1), checked out. */
function checkout(workspace: string, remote: Remote, trigger: Trigger, inputs: Record<string, string>): void {
  const depth = Number(inputs['fetch-depth'] ?? '1')
  git(workspace, 'init', '-q')
  git(workspace, 'remote', 'add', 'origin', remote.url)
  const local = trigger.ref.replace(/^refs\/(heads|pull)\//, 'refs/remotes/origin/$1-')
  if (depth > 0)
    git(workspace, 'fetch', '-q', '--no-tags', `--depth=${depth}`, 'origin', `+${trigger.sha}:${local}`)
  else {
    // fetch-depth 0: every branch and tag, with their history, then the event's commit.
    git(workspace, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*')
    git(workspace, 'fetch', '-q', 'origin', `+${trigger.sha}:${local}`)
  }
  git(workspace, 'checkout', '-q', '--detach', trigger.sha)
}

function stepContext(outputs: JobRun['outputs']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([id, values]) => [id, { outputs: values }]))
}

/** `${{ a.b || 'x' }}` → text, for the expressions the docs use. */
export function evaluate(text: string, contexts: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expression: string) => {
    const value = expr(expression, contexts)
    return value === undefined || value === null || value === false
      ? value === false
        ? 'false'
        : ''
      : String(value)
  })
}

function expr(expression: string, contexts: Record<string, unknown>): unknown {
  const or = splitTop(expression, '||')
  if (or.length > 1) {
    for (const part of or) {
      const value = expr(part, contexts)
      if (value) return value
    }
    return expr(or[or.length - 1] as string, contexts)
  }
  const and = splitTop(expression, '&&')
  if (and.length > 1) {
    let value: unknown
    for (const part of and) {
      value = expr(part, contexts)
      if (!value) return value
    }
    return value
  }
  for (const operator of ['!=', '==']) {
    const sides = splitTop(expression, operator)
    if (sides.length === 2) {
      const [left, right] = sides.map((side) => expr(side, contexts))
      // GitHub compares a string with a number as numbers ('1' == 1).
      const equal = String(left) === String(right)
      return operator === '==' ? equal : !equal
    }
  }
  const term = expression.trim()
  if (term.startsWith('!')) return !expr(term.slice(1), contexts)
  if (/^'.*'$/.test(term)) return term.slice(1, -1).replace(/''/g, "'")
  if (term === 'true' || term === 'false') return term === 'true'
  if (/^-?\d+(\.\d+)?$/.test(term)) return Number(term)
  let value: unknown = contexts
  for (const key of term.split('.'))
    value = value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[key]
  return value
}

function splitTop(expression: string, operator: string): string[] {
  const parts: string[] = []
  let quoted = false
  let start = 0
  for (let i = 0; i < expression.length; i++) {
    if (expression[i] === "'") quoted = !quoted
    else if (!quoted && expression.startsWith(operator, i)) {
      parts.push(expression.slice(start, i))
      start = i + operator.length
      i += operator.length - 1
    }
  }
  parts.push(expression.slice(start))
  return parts
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'protocol.file.allow=always', ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  }).trim()
}
