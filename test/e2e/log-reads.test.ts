/**
 * End to end: how the bundled action reads the provisioning logs (issue 10 points 2, 3 and 6, issue 15 point 4)
 * against the emulator: paced under the service's read limit, a strict time bound the service accepts when it
 * refuses `ge`, the permission warning before the upload, and no wait at all with logs-timeout 0. The examples'
 * 10 records; the emulator's log-read window is shortened to 5 calls per 250 ms and the action paces to it.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts'
import { emulatorRunOptions, runAction } from '../helpers/run-action.ts'

const examples = path.join(import.meta.dirname, '..', '..', 'examples')

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function applyExamples(options: EmulatorOptions, inputs: Record<string, string>) {
  emulator = await startEmulator({
    deterministic: false,
    processing: { delayMs: 60_000 },
    ...options,
    logs: { clockStepPerQueryMs: 60_000, rateLimit: { windowMs: 250, maxCalls: 5 }, ...options.logs }
  })
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  cpSync(examples, workspace, { recursive: true })
  const target = emulatorRunOptions(emulator.env())
  const run = await runAction({
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'apply', ...target.inputs, ...inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20' }
  })
  const report = JSON.parse(readFileSync(path.join(run.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')) as {
    outcomes: {
      totals: Record<string, number>
      logCalls: number
      logWaitSeconds: number
      problem: string | null
    }
  }
  const logRequests = emulator.inspect().requests.filter((r) => r.endpoint === 'graph.logs')
  return { run, report, logRequests, emu: emulator }
}

describe('reading the provisioning logs end to end', () => {
  test('an emulator that refuses ge: the strict gt bound is accepted, every log read paced, zero 429', async () => {
    const { run, report, logRequests, emu } = await applyExamples(
      { logs: { strictDateFilter: true, maxTop: 2 } },
      { 'logs-timeout': '15' }
    )
    expect(run.exitCode).toBe(0)
    expect(report.outcomes.totals.created).toBeGreaterThan(0)
    expect(report.outcomes.totals['not-seen']).toBe(0)
    expect(report.outcomes.problem).toBeNull()
    const filters = logRequests.map((r) => new URL(r.url, emu.graphBaseUrl).searchParams.get('$filter'))
    const queries = filters.filter((f): f is string => f !== null)
    expect(queries.length).toBeGreaterThan(0)
    expect(queries.every((f) => /activityDateTime gt \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/.test(f))).toBe(true)
    // Pages of 2 (the emulator's $top cap): several per query, all within the limit.
    expect(logRequests.some((r) => r.url.includes('$skiptoken'))).toBe(true)
    expect(logRequests.every((r) => r.status === 200)).toBe(true)
    expect(emu.inspect().counters.byEndpoint['graph.logs']?.throttled ?? 0).toBe(0)
    expect(report.outcomes.logCalls).toBe(logRequests.length)
    // The schedule is printed once.
    expect(
      run.stdout.match(/Reading the provisioning logs: first read 2 min after the last upload/g)
    ).toHaveLength(1)
  })

  test('logs-timeout 0: one read, no wait; the schedule says so', async () => {
    const { run, report, logRequests } = await applyExamples({}, { 'logs-timeout': '0' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('logs-timeout 0: the provisioning logs are read once, now, without waiting')
    expect(run.stdout).toContain('Waited 0 s for the provisioning logs (logs-timeout 0 min).')
    expect(report.outcomes.logWaitSeconds).toBe(0)
    expect(logRequests).toHaveLength(1)
  })

  test('logs-timeout 1: the run waits 1 minute for the logs, not 2 + 1', async () => {
    // The emulator's clock runs on the wall clock only: its cycle, a minute after the upload, never comes.
    const { run, report } = await applyExamples({ logs: { clockStepPerQueryMs: 0 } }, { 'logs-timeout': '1' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('first read 1 min after the last upload')
    expect(report.outcomes.logWaitSeconds).toBeLessThanOrEqual(60)
    expect(report.outcomes.totals['not-seen']).toBe(10)
  })

  test('a token that cannot read the logs: a precise warning before the upload, then a 403 named', async () => {
    const { run, report } = await applyExamples(
      { roles: ['SynchronizationData-User.Upload', 'Synchronization.Read.All', 'AuditLog.Read.All'] },
      { 'logs-timeout': '0' }
    )
    const warning = run.stdout.indexOf(
      'The access token has AuditLog.Read.All but not Directory.Read.All: reading the provisioning logs needs both, or ProvisioningLog.Read.All.'
    )
    expect(warning).toBeGreaterThan(-1)
    expect(warning).toBeLessThan(run.stdout.indexOf('::group::📤 Uploading'))
    expect(report.outcomes.problem).toMatch(
      /^403 Authorization_RequestDenied: .*ProvisioningLog\.Read\.All, or AuditLog\.Read\.All together with Directory\.Read\.All/
    )
    expect(report.outcomes.totals['not-seen']).toBe(10)
  })
})
