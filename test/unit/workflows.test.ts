/**
 * Every workflow a user or CI may run is checked against GitHub's workflow syntax with @action-validator/core (the
 * JSON schemas of GitHub workflows and actions, compiled to WebAssembly; works offline): the repository's own
 * workflows, action.yml, and every YAML workflow block in README.md and docs/ (fragments of a job or of its steps are
 * checked inside a minimal workflow). Jobs that use an environment must say which federated-credential subject it
 * needs.
 */
import { beforeAll, describe, expect, jest, test } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parse, stringify } from 'yaml'
import { yamlBlocks, type YamlBlock } from '../helpers/workflow.ts'

interface ValidationState {
  errors: Array<{ code: string; path?: string; title: string; detail?: string }>
}
const validator = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow(source: string): ValidationState
  validateAction(source: string): ValidationState
}

const root = path.join(import.meta.dirname, '..', '..')
const JOB_KEYS = new Set([
  'runs-on',
  'environment',
  'permissions',
  'steps',
  'strategy',
  'concurrency',
  'if',
  'needs',
  'env',
  'timeout-minutes'
])

type Kind = 'workflow' | 'job' | 'steps' | 'other'

/** What a documentation block is, and the complete workflow to validate it in. */
function asWorkflow(block: YamlBlock): { kind: Kind; source: string } {
  const doc = parse(block.text) as unknown
  if (Array.isArray(doc) && doc.every((s) => s && typeof s === 'object' && ('uses' in s || 'run' in s)))
    return {
      kind: 'steps',
      source: stringify({
        on: 'workflow_dispatch',
        jobs: { job: { 'runs-on': 'ubuntu-latest', steps: doc } }
      })
    }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { kind: 'other', source: '' }
  const object = doc as Record<string, unknown>
  if ('jobs' in object) return { kind: 'workflow', source: stringify({ on: 'workflow_dispatch', ...object }) }
  if (Object.keys(object).every((key) => JOB_KEYS.has(key)))
    return {
      kind: 'job',
      source: stringify({
        on: 'workflow_dispatch',
        jobs: { job: { 'runs-on': 'ubuntu-latest', steps: [{ run: 'true' }], ...object } }
      })
    }
  return { kind: 'other', source: '' }
}

function docsBlocks(): YamlBlock[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(root, 'docs', name))
  return [path.join(root, 'README.md'), ...docs].flatMap(yamlBlocks)
}

const where = (block: YamlBlock): string => `${path.relative(root, block.file)}:${block.line}`

// The validator warns on stderr that it does not check `paths` globs; that is known, not a finding.
beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined)
})

describe('workflow syntax', () => {
  test('the validator is live: it rejects a job without runs-on and a step with both uses and run', () => {
    const broken = 'on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v5\n        run: echo\n'
    expect(validator.validateWorkflow(broken).errors.length).toBeGreaterThan(0)
    expect(
      validator.validateWorkflow('jobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n').errors
    ).toEqual([expect.objectContaining({ path: '/on', code: 'required' })])
  })

  test('the repository’s own workflows', () => {
    const folder = path.join(root, '.github', 'workflows')
    const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name))
    expect(files.length).toBeGreaterThanOrEqual(2)
    for (const file of files)
      expect({
        file,
        errors: validator.validateWorkflow(readFileSync(path.join(folder, file), 'utf8')).errors
      }).toEqual({
        file,
        errors: []
      })
  })

  test('action.yml (runs.using node24, which the validator’s schema does not list yet, is checked apart)', () => {
    const source = readFileSync(path.join(root, 'action.yml'), 'utf8')
    const action = parse(source) as { runs: { using: string; main: string } }
    // GitHub runs JavaScript actions on node24 (node20 is being removed from runners); the schema in
    // @action-validator/core 0.6.0 stops at node20, so everything else is validated with that one value swapped.
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(validator.validateAction(source.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20')).errors).toEqual(
      []
    )
  })

  test('every YAML workflow block of README.md and docs/', () => {
    const checked: Record<Kind, string[]> = { workflow: [], job: [], steps: [], other: [] }
    for (const block of docsBlocks()) {
      const { kind, source } = asWorkflow(block)
      checked[kind].push(where(block))
      if (kind === 'other') continue
      expect({ block: where(block), errors: validator.validateWorkflow(source).errors }).toEqual({
        block: where(block),
        errors: []
      })
    }
    // README: plan, apply, reviews, upload-then-report, dry-run, matrix; docs: review and setup workflows.
    expect(checked.workflow.filter((b) => b.startsWith('README.md')).length).toBeGreaterThanOrEqual(6)
    expect(checked.workflow.length).toBeGreaterThanOrEqual(9)
    expect(checked.steps.length + checked.job.length).toBeGreaterThanOrEqual(3)
  })

  test('a job with an environment says which federated-credential subject it needs', () => {
    let environments = 0
    for (const block of docsBlocks()) {
      const { kind } = asWorkflow(block)
      if (kind !== 'workflow' && kind !== 'job') continue
      const doc = parse(block.text) as {
        jobs?: Record<string, { environment?: unknown }>
        environment?: unknown
      }
      const jobs = doc.jobs ? Object.values(doc.jobs) : [doc]
      for (const job of jobs) {
        if (job.environment === undefined) continue
        const value =
          typeof job.environment === 'object' ? JSON.stringify(job.environment) : String(job.environment)
        // A literal name, or the quoted names of an expression such as `inputs.x && 'a' || 'b'`.
        const names = value.includes('${{')
          ? [...value.matchAll(/'([^']+)'/g)].map((m) => m[1] as string)
          : [value]
        for (const name of names) {
          environments++
          expect({
            block: where(block),
            has: block.text.includes(`repo:OWNER/REPO:environment:${name}`)
          }).toEqual({
            block: where(block),
            has: true
          })
        }
      }
    }
    expect(environments).toBeGreaterThanOrEqual(8)
  })
})
