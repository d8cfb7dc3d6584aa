/**
 * Workflows from the documentation, run offline the way a runner runs their steps: the YAML blocks of a Markdown
 * file, then one job's steps in order. actions/checkout clones the bare "remote" the way it does (a fresh repository,
 * `origin` set, the event's ref fetched at `fetch-depth`, default 1); the action's step runs dist/index.js with the
 * step's `with:` as inputs; `run:` steps run in bash; upload/download-artifact copy files. `${{ }}` expressions are
 * evaluated for the contexts the docs use (steps, vars, inputs, matrix) with `&&`, `||` and literals.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
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
  steps: Array<{
    step: Step
    outcome: 'success' | 'failure' | 'skipped'
    action?: ActionRun
    stdout?: string
  }>
  outputs: Record<string, Record<string, string>>
}

export interface JobOptions {
  remote: Remote
  trigger: Trigger
  /** `vars`, `inputs`, `matrix` contexts. */
  contexts?: Record<string, Record<string, unknown>>
  /** Inputs the test adds to every step of the action (the emulator's hosts), and environment variables. */
  extraInputs?: Record<string, string>
  env?: Record<string, string>
  /** Folder shared by the jobs of a workflow run for upload/download-artifact. */
  artifacts?: string
}

/** Runs one job's steps in order; a failed step skips the rest unless their `if` says always(). */
export async function runJob(job: Job, options: JobOptions): Promise<JobRun> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  const eventFile = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(eventFile, JSON.stringify(options.trigger.payload))
  const artifacts = options.artifacts ?? mkdtempSync(path.join(tmpdir(), 'artifacts-'))
  const result: JobRun = { workspace, steps: [], outputs: {} }
  let failed = false
  for (const [index, step] of job.steps.entries()) {
    const condition = step.if ?? 'success()'
    if (failed ? !/always\(\)|failure\(\)/.test(condition) : /failure\(\)/.test(condition)) {
      result.steps.push({ step, outcome: 'skipped' })
      continue
    }
    const contexts = { ...options.contexts, steps: stepContext(result.outputs) }
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
    if (step.uses?.startsWith('actions/checkout@')) {
      checkout(workspace, options.remote, options.trigger, inputs)
      result.steps.push({ step, outcome: 'success' })
    } else if (step.uses !== undefined && ACTION.test(step.uses)) {
      const action = await runAction({ workspace, inputs: { ...options.extraInputs, ...inputs }, env })
      if (step.id) result.outputs[step.id] = action.outputs
      const outcome = action.exitCode === 0 ? 'success' : 'failure'
      result.steps.push({ step, outcome, action })
      failed ||= outcome === 'failure'
    } else if (step.uses?.startsWith('actions/upload-artifact@')) {
      const from = path.resolve(workspace, inputs.path ?? '')
      const to = path.join(artifacts, inputs.name ?? 'artifact', path.basename(from))
      mkdirSync(path.dirname(to), { recursive: true })
      cpSync(from, to, { recursive: true })
      result.steps.push({ step, outcome: 'success' })
    } else if (step.uses?.startsWith('actions/download-artifact@')) {
      cpSync(path.join(artifacts, inputs.name ?? 'artifact'), path.join(workspace, inputs.path ?? '.'), {
        recursive: true
      })
      result.steps.push({ step, outcome: 'success' })
    } else if (step.run !== undefined) {
      const script = evaluate(step.run, contexts)
      try {
        const stdout = execFileSync('bash', ['-e', '-c', script], {
          cwd: workspace,
          env: { PATH: process.env.PATH ?? '', HOME: workspace, ...env, ...step.env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe']
        })
        result.steps.push({ step, outcome: 'success', stdout })
      } catch {
        result.steps.push({ step, outcome: 'failure' })
        failed = true
      }
    } else {
      throw new Error(`workflow step ${index + 1} (${step.uses ?? '?'}) cannot run offline`)
    }
  }
  return result
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
  const term = expression.trim()
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
