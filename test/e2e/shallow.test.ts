/**
 * End to end: the README's workflows on the clone actions/checkout makes by default (depth 1, a single commit), from
 * a bare "remote" repository on disk (file://), for pull_request, push and schedule events. The action fetches the
 * base commit itself; when it cannot, plan mode warns once and plans without the review, and apply with changed-only
 * refuses with the checkout step to add.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator } from '../emulator/index.ts'
import { emulatorRunOptions, type ActionRun } from '../helpers/run-action.ts'
import { createRepo } from '../unit/git/repo.ts'
import {
  ACTION,
  bareRemote,
  git,
  parseWorkflow,
  runJob,
  yamlBlocks,
  type Job,
  type Remote,
  type Trigger
} from '../helpers/workflow.ts'

const root = path.join(import.meta.dirname, '..', '..')
const examples = path.join(root, 'examples')
const README = path.join(root, 'README.md')

/** The README's first workflow: plan on pull requests and pushes. */
function firstWorkflowJob(): Job {
  const block = yamlBlocks(README).find((b) => /\njobs:/.test(`\n${b.text}`))
  if (!block) throw new Error('README.md has no workflow')
  const workflow = parseWorkflow(block)
  expect(Object.keys(workflow.on as object).sort()).toEqual(['pull_request', 'push'])
  const [job] = Object.values(workflow.jobs)
  return job as Job
}

interface History {
  remote: Remote
  base: string
  head: string
  merge: string
}

/**
 * main at the base export; `feature` one commit later (a job title changed, a contractor added); refs/pull/7/merge the
 * test merge commit GitHub makes for the pull request; the tag hr-sync/last-success on the base.
 */
function history(): History {
  const repo = createRepo('shallow-src-')
  const employees = readFileSync(path.join(examples, 'hr', 'employees.csv'), 'utf8')
  const contractors = readFileSync(path.join(examples, 'hr', 'contractors.csv'), 'utf8')
  repo.write('hr/employees.csv', employees)
  repo.write('hr/contractors/acme.csv', contractors)
  cpSync(path.join(examples, 'mapping.yml'), path.join(repo.dir, 'hr', 'mapping.yml'))
  const base = repo.commit('base export')
  repo.git('tag', 'hr-sync/last-success')
  repo.git('checkout', '-q', '-b', 'feature')
  repo.write('hr/employees.csv', employees.replace('Head of Engineering', 'VP Engineering'))
  repo.write(
    'hr/contractors/acme.csv',
    `${contractors}C2003;ken.thompson@contoso.example;Active;Ken;Thompson;Contractor;ken.thompson@contoso.example;Engineering;E1002\r\n`
  )
  const head = repo.commit('head export')
  repo.git('checkout', '-q', 'main')
  repo.git('merge', '-q', '--no-ff', '-m', 'Merge feature into main', 'feature')
  const merge = repo.git('rev-parse', 'HEAD')
  repo.git('update-ref', 'refs/pull/7/merge', merge)
  repo.git('update-ref', 'refs/pull/7/head', head)
  repo.git('reset', '-q', '--hard', base)
  return { remote: bareRemote(repo.dir), base, head, merge }
}

function pullRequest(h: History): Trigger {
  return {
    event: 'pull_request',
    ref: 'refs/pull/7/merge',
    sha: h.merge,
    payload: {
      number: 7,
      pull_request: { number: 7, base: { ref: 'main', sha: h.base }, head: { sha: h.head } }
    }
  }
}

function push(h: History): Trigger {
  return {
    event: 'push',
    ref: 'refs/heads/feature',
    sha: h.head,
    payload: { ref: 'refs/heads/feature', before: h.base, after: h.head, commits: [{ id: h.head }] }
  }
}

function schedule(h: History): Trigger {
  return { event: 'schedule', ref: 'refs/heads/feature', sha: h.head, payload: { schedule: '0 5 * * *' } }
}

function actionStep(run: Awaited<ReturnType<typeof runJob>>): ActionRun {
  const found = run.steps.find((s) => s.step.uses !== undefined && ACTION.test(s.step.uses))?.action
  if (!found) throw new Error('the action did not run')
  return found
}

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

describe("the README's first workflow on a depth-1 checkout", () => {
  test.each([
    ['pull_request', pullRequest],
    ['push', push]
  ])('%s: the action fetches the base commit and the review runs', async (_, trigger) => {
    const h = history()
    const job = firstWorkflowJob()
    const run = await runJob(job, { remote: h.remote, trigger: trigger(h) })
    // The checkout really is shallow and lacked the base before the action ran.
    expect(git(run.workspace, 'rev-parse', '--is-shallow-repository')).toBe('true')
    expect(run.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success'])
    const action = actionStep(run)
    expect(action.stderr).toBe('')
    expect(action.stdout).toMatch(
      / was not in the checkout \(actions\/checkout fetches one commit by default\): fetched it from origin\./
    )
    expect(action.annotations.filter((a) => a.severity === 'warning')).toEqual([])
    expect(action.outputs).toMatchObject({ joiners: '1', movers: '1', leavers: '0' })
    expect(action.summary).toContain(h.base.slice(0, 12))
    // The last step echoes the plan's outputs, as the README shows.
    expect(run.steps[2]?.stdout).toBe(
      `${action.outputs.valid} valid records in ${action.outputs.requests} requests\n`
    )
    expect(action.outputs.valid).toBe('11')
  })

  test('schedule: nothing to compare with unless base-ref is set; a tag named by base-ref is fetched', async () => {
    const h = history()
    const job = firstWorkflowJob()
    const plain = actionStep(await runJob(job, { remote: h.remote, trigger: schedule(h) }))
    expect(plain.exitCode).toBe(0)
    expect(plain.outputs.movers).toBeUndefined()
    expect(plain.stdout).not.toContain('git fetch')

    const tagged = actionStep(
      await runJob(job, {
        remote: h.remote,
        trigger: schedule(h),
        extraInputs: { 'base-ref': 'hr-sync/last-success' }
      })
    )
    expect(tagged.exitCode).toBe(0)
    expect(tagged.stdout).toContain("Input 'base-ref': 'hr-sync/last-success' was not in the checkout")
    expect(tagged.outputs).toMatchObject({ joiners: '1', movers: '1' })
  })

  test('no remote to fetch from: plan mode warns once, with the step to add, and plans without the review', async () => {
    const h = history()
    const job = firstWorkflowJob()
    // A checkout step that leaves no origin (as a copied workspace would), then the README's other steps.
    const steps = [...job.steps]
    steps.splice(1, 0, { run: 'git remote remove origin' })
    const run = await runJob({ ...job, steps }, { remote: h.remote, trigger: pullRequest(h) })
    const action = actionStep(run)
    expect(action.exitCode).toBe(0)
    const warnings = action.annotations.filter((a) => a.severity === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain(
      `The pull request's base commit ${h.base.slice(0, 12)} is not in the checkout`
    )
    expect(warnings[0]?.message).toContain("the checkout has no remote 'origin'")
    expect(warnings[0]?.message).toContain('  - uses: actions/checkout@v5\n    with:\n      fetch-depth: 2')
    expect(action.outputs.movers).toBeUndefined()
    expect(action.outputs.valid).toBe('11')
  })

  test('a fork-like origin without the base commit: the warning says origin does not have it', async () => {
    const h = history()
    const other = createRepo('shallow-other-')
    other.write('x.txt', 'unrelated\n')
    other.commit('unrelated')
    const elsewhere = bareRemote(other.dir)
    const job = firstWorkflowJob()
    const steps = [...job.steps]
    steps.splice(1, 0, { run: `git remote set-url origin '${elsewhere.url}'` })
    const action = actionStep(await runJob({ ...job, steps }, { remote: h.remote, trigger: pullRequest(h) }))
    expect(action.exitCode).toBe(0)
    const warnings = action.annotations.filter((a) => a.severity === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain('origin does not have it')
  })

  test('apply with changed-only refuses, naming the fetch-depth to add, and sends nothing', async () => {
    const h = history()
    emulator = await startEmulator({ deterministic: false, processing: { delayMs: 60_000 } })
    const target = emulatorRunOptions(emulator.env())
    const job: Job = {
      steps: [
        { uses: 'actions/checkout@v5' },
        { run: 'git remote remove origin' },
        {
          id: 'sync',
          uses: 'contoso/entra-hr-sync@v1',
          with: { files: 'hr/**/*.csv', mapping: 'hr/mapping.yml', mode: 'apply', 'changed-only': 'true' }
        }
      ]
    }
    const run = await runJob(job, {
      remote: h.remote,
      trigger: push(h),
      extraInputs: target.inputs,
      env: target.env
    })
    const action = actionStep(run)
    expect(action.exitCode).toBe(1)
    expect(action.stdout).toMatch(/::error[^:]*::The commit before the push .* could not be fetched/)
    expect(action.stdout).toContain(
      "'changed-only: true' needs the base; add 'fetch-depth: 2' to the actions/checkout step"
    )
    expect(emulator.inspect().counters.calls).toBe(0)
  })
})
