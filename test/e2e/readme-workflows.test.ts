/**
 * End to end: the README's apply workflow, step by step as the runner runs it (checkout of a bare "remote", the
 * action's step with the README's inputs, artifacts kept between attempts), against the emulator. Attempt 1 is
 * cancelled in the middle of the upload; its report and manifest are uploaded all the same (`if: always()`); attempt 2
 * ("Re-run jobs") downloads them and sends only the rest, so every record reaches Entra exactly once.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator } from '../emulator/index.ts'
import { acceptedByEmulator } from '../helpers/accepted.ts'
import { emulatorRunOptions } from '../helpers/run-action.ts'
import { createRepo } from '../unit/git/repo.ts'
import { ACTION, bareRemote, git, parseWorkflow, runJob, yamlBlocks, type Job } from '../helpers/workflow.ts'

const root = path.join(import.meta.dirname, '..', '..')

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

/** The `sync` job of the README's workflow block that contains `marker`. */
function readmeJob(marker: string): Job {
  const block = yamlBlocks(path.join(root, 'README.md')).find((b) => b.text.includes(marker))
  if (!block) throw new Error(`README.md has no workflow with ${marker}`)
  return parseWorkflow(block).jobs.sync as Job
}

/** The example HR files as the README lays them out: hr/*.csv and hr/mapping.yml. */
function withExamples(dir: string): void {
  cpSync(path.join(root, 'examples', 'hr'), path.join(dir, 'hr'), { recursive: true })
  cpSync(path.join(root, 'examples', 'mapping.yml'), path.join(dir, 'hr', 'mapping.yml'))
}

/** The emulator's hosts (inputs a real workflow does not need), no log wait, and its environment variables. */
function emulatorTarget(target: ReturnType<typeof emulatorRunOptions>): {
  extraInputs: Record<string, string>
  env: Record<string, string>
} {
  return {
    extraInputs: {
      'authority-host': target.inputs['authority-host'] as string,
      'graph-url': target.inputs['graph-url'] as string,
      'logs-timeout': '0',
      'not-seen': 'ignore'
    },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20' }
  }
}

/** The README's `vars` (both spellings it uses), filled with the emulator's tenant, app and job. */
function varsFor(inputs: Record<string, string>): Record<string, string | undefined> {
  return {
    ENTRA_TENANT_ID: inputs['tenant-id'],
    ENTRA_CLIENT_ID: inputs['client-id'],
    ENTRA_PROVISIONING_SP_ID: inputs['service-principal-id'],
    ENTRA_SERVICE_PRINCIPAL_ID: inputs['service-principal-id'],
    ENTRA_PROVISIONING_JOB_ID: inputs['job-id'],
    ENTRA_JOB_ID: inputs['job-id']
  }
}

describe("the README's apply workflow", () => {
  test('cancelled mid-upload, then re-run: the report survives, the re-run sends only the rest', async () => {
    const repo = createRepo('readme-apply-')
    withExamples(repo.dir)
    const sha = repo.commit('HR export')
    const remote = bareRemote(repo.dir)
    emulator = await startEmulator({
      deterministic: false,
      processing: { delayMs: 60_000 },
      faults: [{ target: 'graph.bulkUpload', delayMs: 700 }]
    })
    const emu = emulator
    const target = emulatorRunOptions(emu.env())
    const job = readmeJob('resume-from:')
    expect(job.environment).toBe('production')
    const artifacts = mkdtempSync(path.join(tmpdir(), 'artifacts-'))
    const attempt = (n: number, cancel: boolean) =>
      runJob(job, {
        remote,
        trigger: { event: 'workflow_dispatch', ref: 'refs/heads/main', sha, payload: {} },
        contexts: {
          vars: varsFor(target.inputs),
          github: { run_attempt: String(n), run_id: '42', token: 'not-used-offline' }
        },
        // The emulator's hosts; one record per request so the upload lasts long enough to be cancelled.
        extraInputs: {
          'authority-host': target.inputs['authority-host'] as string,
          'graph-url': target.inputs['graph-url'] as string,
          'batch-size': '1',
          'logs-timeout': '0',
          'not-seen': 'ignore'
        },
        env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_CONCURRENCY: '2' },
        artifacts,
        ...(cancel ? { cancelWhen: (stdout: string) => stdout.includes('3 of 10 requests answered') } : {})
      })

    const first = await attempt(1, true)
    expect(first.cancelled).toBe(true)
    expect(first.steps.map((s) => s.outcome)).toEqual(['success', 'skipped', 'failure', 'success'])
    expect(readdirSync(path.join(artifacts, 'entra-hr-sync-manifest-1')).sort()).toEqual([
      'entra-hr-sync-sync.json',
      'entra-hr-sync-sync.manifest.jsonl'
    ])
    const callsFirst = emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0
    expect(callsFirst).toBeGreaterThanOrEqual(3)
    expect(callsFirst).toBeLessThan(10)

    const second = await attempt(2, false)
    expect(second.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success', 'success'])
    const action = second.steps.find((s) => s.step.uses !== undefined && ACTION.test(s.step.uses))?.action
    expect(action?.stdout).toContain(`resume-from (1 manifest): ${callsFirst} records were staged`)
    expect(
      existsSync(path.join(artifacts, 'entra-hr-sync-manifest-2', 'entra-hr-sync-sync.manifest.jsonl'))
    ).toBe(true)

    // Every record reached Entra exactly once over the two attempts.
    const accepted = acceptedByEmulator(emu)
    expect(accepted.size).toBe(10)
    expect([...accepted.values()]).toEqual(Array(10).fill(1))
    expect(emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls).toBe(10)
  })

  test('the scheduled delta sync: sends only what changed since the tag, then moves the tag on the remote', async () => {
    const repo = createRepo('readme-delta-')
    withExamples(repo.dir)
    repo.commit('base export')
    repo.git('tag', 'hr-sync/last-success')
    const employees = path.join(repo.dir, 'hr', 'employees.csv')
    repo.write(
      'hr/employees.csv',
      readFileSync(employees, 'utf8').replace('Head of Engineering', 'VP Engineering')
    )
    const head = repo.commit('head export')
    const remote = bareRemote(repo.dir)
    emulator = await startEmulator({ deterministic: false, processing: { delayMs: 60_000 } })
    const emu = emulator
    const target = emulatorRunOptions(emu.env())
    const job = readmeJob('base-ref: hr-sync/last-success')
    const scheduled = () =>
      runJob(job, {
        remote,
        trigger: { event: 'schedule', ref: 'refs/heads/main', sha: head, payload: { schedule: '0 5 * * *' } },
        contexts: { vars: varsFor(target.inputs), inputs: {} },
        ...emulatorTarget(target)
      })

    const first = await scheduled()
    expect(first.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success'])
    expect([...acceptedByEmulator(emu).keys()]).toEqual(['E1001'])
    // The tag moved on the remote (git runs in the bare repository).
    expect(git(remote.url.slice('file://'.length), 'rev-parse', 'hr-sync/last-success')).toBe(head)

    // The next day, nothing changed: nothing is sent.
    const second = await scheduled()
    expect(second.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'success'])
    expect(emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls).toBe(1)
  })

  test('the manual run with a dry-run choice: plan when checked, apply when not', async () => {
    const repo = createRepo('readme-dispatch-')
    withExamples(repo.dir)
    const sha = repo.commit('HR export')
    const remote = bareRemote(repo.dir)
    emulator = await startEmulator({ deterministic: false, processing: { delayMs: 60_000 } })
    const emu = emulator
    const target = emulatorRunOptions(emu.env())
    const job = readmeJob('dry-run:')
    const dispatch = (dryRun: boolean) =>
      runJob(job, {
        remote,
        trigger: {
          event: 'workflow_dispatch',
          ref: 'refs/heads/main',
          sha,
          payload: { inputs: { 'dry-run': dryRun } }
        },
        contexts: { vars: varsFor(target.inputs), inputs: { 'dry-run': dryRun } },
        ...emulatorTarget(target)
      })
    const actionOf = (run: Awaited<ReturnType<typeof dispatch>>) =>
      run.steps.find((s) => s.step.uses !== undefined && ACTION.test(s.step.uses))?.action

    const dry = actionOf(await dispatch(true))
    expect(dry?.exitCode).toBe(0)
    expect(dry?.summary).toContain('## Entra HR sync · plan')
    expect(emu.inspect().counters.calls).toBe(0)

    const real = actionOf(await dispatch(false))
    expect(real?.exitCode).toBe(0)
    expect(real?.outputs.sent).toBe('10')
    expect(acceptedByEmulator(emu).size).toBe(10)
  })
})
