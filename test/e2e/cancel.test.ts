/**
 * End to end: a cancelled apply run, and its rerun. The runner sends SIGTERM to dist/index.js in the middle of an
 * upload (the emulator answers each bulkUpload call slowly); the run stops sending, keeps the answers of calls in
 * flight, and leaves a report, a job summary, outputs and a manifest journal that list exactly what the emulator
 * staged. A rerun with resume-from sends only the rest: every record reaches the emulator exactly once.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator } from '../emulator/index.ts'
import { acceptedByEmulator } from '../helpers/accepted.ts'
import { emulatorRunOptions, runAction, type ActionRun } from '../helpers/run-action.ts'

const examples = path.join(import.meta.dirname, '..', '..', 'examples')

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

interface Manifest {
  externalId: string
  outcome: 'staged' | 'not-sent'
  requestId: string | null
  reason?: string
}

/** An apply run of the 10 example records, one per request, against an emulator that answers each call in 700 ms. */
async function slowUpload(): Promise<{
  emu: Emulator
  workspace: string
  inputs: Record<string, string>
  env: Record<string, string>
}> {
  emulator = await startEmulator({
    deterministic: false,
    processing: { delayMs: 60_000 },
    faults: [{ target: 'graph.bulkUpload', delayMs: 700 }]
  })
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  cpSync(examples, workspace, { recursive: true })
  const target = emulatorRunOptions(emulator.env())
  return {
    emu: emulator,
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'apply', 'batch-size': '1', ...target.inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_CONCURRENCY: '2' }
  }
}

/** Runs the action and, once 3 requests are answered, sends the signals 150 ms apart (the first at once). */
async function cancelAfterThreeAnswers(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  signals: NodeJS.Signals[]
): Promise<{ run: ActionRun; signalledAt: number }> {
  let signalledAt = 0
  const run = await runAction({
    workspace,
    inputs,
    env,
    onStdout: (stdout, kill) => {
      if (signalledAt !== 0 || !stdout.includes('3 of 10 requests answered')) return
      signalledAt = Date.now()
      signals.forEach((signal, i) => setTimeout(() => kill(signal), i * 150))
    }
  })
  return { run, signalledAt }
}

describe('a cancelled apply run', () => {
  test('SIGTERM mid-upload: the report, summary, outputs and journal list exactly what was staged; a rerun sends only the rest', async () => {
    const { emu, workspace, inputs, env } = await slowUpload()

    const { run: first, signalledAt } = await cancelAfterThreeAnswers(workspace, inputs, env, ['SIGTERM'])
    const exitedAfterMs = Date.now() - signalledAt
    expect(signalledAt).toBeGreaterThan(0)
    expect(first.exitCode).toBe(1)
    expect(first.stderr).toBe('')
    // Within GitHub's grace period (SIGTERM is followed by a kill 2.5 s later; SIGINT by SIGTERM 7.5 s later).
    expect(exitedAfterMs).toBeLessThan(2_500)

    const staged = acceptedByEmulator(emu)
    const report = JSON.parse(
      readFileSync(path.join(first.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')
    ) as {
      upload: { sent: number; notSent: number; stopped: { kind: string } }
      manifest: Manifest[]
    }
    const reportStaged = report.manifest.filter((m) => m.outcome === 'staged').map((m) => m.externalId)
    expect(reportStaged.sort()).toEqual([...staged.keys()].sort())
    expect(staged.size).toBeGreaterThanOrEqual(3)
    expect(staged.size).toBeLessThan(10)
    expect(report.manifest).toHaveLength(10)
    expect(report.upload.stopped.kind).toBe('cancelled')
    const n = staged.size
    expect(first.summary).toContain(`cancelled: ${n} staged, ${10 - n} not sent`)
    expect(first.outputs).toMatchObject({ sent: String(n), 'not-sent': String(10 - n) })
    expect(first.stdout).toMatch(
      new RegExp(`::error::cancelled \\(SIGTERM\\): ${n} staged, ${10 - n} not sent`)
    )
    // Nothing was read from the logs after the cancellation.
    expect(emu.inspect().counters.byEndpoint['graph.logs']).toBeUndefined()

    // The journal, written as answers arrived: exactly the staged records, with their request-ids.
    const journalFile = path.join(first.runnerTemp, 'entra-hr-sync-sync.manifest.jsonl')
    const lines = readFileSync(journalFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]).toMatchObject({ journal: 1, requests: 10, records: 10 })
    const journaled = lines
      .slice(1)
      .filter((l) => l.outcome === 'staged')
      .flatMap((l) => l.externalIds as string[])
    expect(journaled.sort()).toEqual([...staged.keys()].sort())

    // The rerun, given the journal (as downloaded from the artifact): the rest only, and the outcomes of all.
    cpSync(
      journalFile,
      path.join(workspace, 'previous', 'entra-hr-sync-manifest-1', 'entra-hr-sync-sync.manifest.jsonl')
    )
    const callsBefore = emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0
    const second = await runAction({
      workspace,
      inputs: {
        ...inputs,
        'resume-from': 'previous',
        'logs-timeout': '0',
        'not-seen': 'ignore'
      },
      env
    })
    expect(second.stderr).toBe('')
    expect(second.exitCode).toBe(0)
    expect(second.stdout).toContain(
      `resume-from (1 manifest): ${n} records were staged by the interrupted run and are not sent again (their outcomes are read); ${10 - n} are sent now.`
    )
    const calls = (emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0) - callsBefore
    expect(calls).toBe(10 - n)
    expect(second.outputs).toMatchObject({ sent: String(10 - n), 'not-sent': '0' })
    const everyRecord = acceptedByEmulator(emu)
    expect(everyRecord.size).toBe(10)
    expect([...everyRecord.values()].every((times) => times === 1)).toBe(true)
    const outcomes = JSON.parse(
      readFileSync(path.join(second.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')
    ) as {
      outcomes: { records: Array<{ externalId: string }> }
    }
    expect(outcomes.outcomes.records.map((r) => r.externalId).sort()).toEqual([...everyRecord.keys()].sort())
  })

  test("the runner's sequence, SIGINT then SIGTERM while the run is finishing: the second signal is absorbed, the report is whole", async () => {
    const { emu, workspace, inputs, env } = await slowUpload()
    // GitHub sends SIGTERM 7.5 s after SIGINT; sooner here, so it lands while answers in flight are still awaited.
    const { run, signalledAt } = await cancelAfterThreeAnswers(workspace, inputs, env, ['SIGINT', 'SIGTERM'])
    expect(signalledAt).toBeGreaterThan(0)
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toBe('')
    // Before GitHub's SIGTERM (7.5 s after SIGINT), so the runner never has to kill the step.
    expect(Date.now() - signalledAt).toBeLessThan(7_500)
    const staged = acceptedByEmulator(emu)
    const n = staged.size
    expect(n).toBeGreaterThanOrEqual(3)
    expect(n).toBeLessThan(10)
    expect(run.stdout).toMatch(new RegExp(`::error::cancelled \\(SIGINT\\): ${n} staged, ${10 - n} not sent`))
    expect(run.summary).toContain(`cancelled: ${n} staged, ${10 - n} not sent`)
    expect(run.outputs).toMatchObject({ sent: String(n), 'not-sent': String(10 - n) })
    const report = JSON.parse(readFileSync(path.join(run.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')) as {
      manifest: Manifest[]
    }
    expect(report.manifest).toHaveLength(10)
    const reportStaged = report.manifest.filter((m) => m.outcome === 'staged').map((m) => m.externalId)
    expect(reportStaged.sort()).toEqual([...staged.keys()].sort())
  })
})
