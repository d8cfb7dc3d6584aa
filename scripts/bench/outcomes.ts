/**
 * The outcome benchmarks (npm run bench -- --only outcomes), the bundled action (dist/index.js) against the emulator:
 * - outcome read: the outcomes of 10,000 staged records read in mode report from the provisioning logs, which the
 *   emulator limits to 5 calls per 10 s per app (as Graph does); log calls, 429s (target 0) and the wall time of
 *   the read against the least time 5 calls per 10 s allow for that many calls;
 * - runner seconds per apply: 10,000 records uploaded at 40 calls per 5 s, the logs visible a configurable delay
 *   after the upload, for logs-timeout 0, 1 and 15.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../test/emulator/index.ts'
import { emulatorRunOptions, runAction, type ActionRun } from '../../test/helpers/run-action.ts'
import { BENCH_MAPPING, generateHrCsv } from './generate.ts'

const LIFTED = {
  rateLimit: { windowMs: 5000, maxCalls: 1_000_000, dailyQuota: 1_000_000 },
  queueCapacity: 10_000_000
}
/** Each wait for the logs takes this long in real time; the action still counts it in full (logs-timeout). */
const COMPRESSED_WAIT_MS = 10

interface Report {
  outcomes: { totals: Record<string, number>; logCalls: number; logWaitSeconds: number }
}

async function workspaceOf(root: string, records: number): Promise<string> {
  const workspace = path.join(root, '.tmp', 'bench', 'outcomes-workspace')
  const csv = path.join(workspace, 'hr', `workers-${records}.csv`)
  mkdirSync(path.dirname(csv), { recursive: true })
  if (!existsSync(csv)) await generateHrCsv(csv, records)
  writeFileSync(path.join(workspace, 'mapping.yml'), BENCH_MAPPING)
  return workspace
}

async function run(
  emulator: Emulator,
  workspace: string,
  inputs: Record<string, string>
): Promise<{ run: ActionRun; report: Report; reportFile: string; seconds: number }> {
  const target = emulatorRunOptions(emulator.env())
  const started = performance.now()
  const result = await runAction({
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', 'fail-on': 'never', ...target.inputs, ...inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: String(COMPRESSED_WAIT_MS) }
  })
  const seconds = (performance.now() - started) / 1000
  if (result.exitCode !== 0)
    throw new Error(`the action failed:\n${result.stdout.slice(-3000)}\n${result.stderr}`)
  const reportFile = path.join(result.runnerTemp, 'entra-hr-sync-sync.json')
  return { run: result, report: JSON.parse(readFileSync(reportFile, 'utf8')) as Report, reportFile, seconds }
}

const logCounters = (emulator: Emulator): { calls: number; throttled: number } => {
  const c = emulator.inspect().counters.byEndpoint['graph.logs']
  return { calls: c?.calls ?? 0, throttled: c?.throttled ?? 0 }
}

export interface OutcomeReadMeasurement {
  records: number
  entries: number
  calls: number
  throttled: number
  seconds: number
  boundSeconds: number
}

/** 10,000 records staged and processed, then their outcomes read in mode report under the log-read limit. */
export async function runOutcomeReadBench(root: string, records = 10_000): Promise<OutcomeReadMeasurement> {
  const workspace = await workspaceOf(root, records)
  const emulator = await startEmulator({
    deterministic: false,
    processing: { delayMs: 3_600_000 },
    graph: LIFTED
  })
  try {
    // Stage the records quickly (the upload is measured elsewhere), then let the emulator's cycle run.
    const apply = await run(emulator, workspace, { mode: 'apply', 'rate-limit': '0', 'logs-timeout': '0' })
    emulator.clock.advance(3_600_000)
    const artifact = path.join(workspace, 'entra-hr-sync-report', 'previous.json')
    mkdirSync(path.dirname(artifact), { recursive: true })
    cpSync(apply.reportFile, artifact)
    const before = logCounters(emulator)
    const firstSeq = emulator.inspect().requests.length
    const report = await run(emulator, workspace, {
      mode: 'report',
      'previous-report': 'entra-hr-sync-report/previous.json',
      'logs-timeout': '15'
    })
    const after = logCounters(emulator)
    const reads = emulator
      .inspect()
      .requests.slice(firstSeq)
      .filter((r) => r.endpoint === 'graph.logs')
    const seconds = (Date.parse(reads.at(-1)!.time) - Date.parse(reads[0]!.time)) / 1000
    const calls = after.calls - before.calls
    const seen = records - (report.report.outcomes.totals['not-seen'] ?? 0)
    if (seen !== records) throw new Error(`only ${seen} of ${records} outcomes were read`)
    return {
      records,
      entries: emulator.inspect().logs.length,
      calls,
      throttled: after.throttled - before.throttled,
      seconds,
      // The first 5 calls go at once, then 5 per 10 s: the least time from the first call to the last.
      boundSeconds: Math.max(0, Math.ceil(calls / 5) - 1) * 10
    }
  } finally {
    await emulator.stop()
  }
}

export interface RunnerMeasurement {
  logsTimeout: number
  /** Wall time of the action plus its waits for the logs at full length. */
  runnerSeconds: number
  wallSeconds: number
  waitedSeconds: number
  logCalls: number
  seen: number
}

/** Runner seconds of an apply of `records` records, logs visible `delayMinutes` emulator-minutes after the upload. */
export async function runRunnerSecondsBench(
  root: string,
  records = 10_000,
  delayMinutes = 6
): Promise<RunnerMeasurement[]> {
  const workspace = await workspaceOf(root, records)
  const results: RunnerMeasurement[] = []
  for (const logsTimeout of [0, 1, 15]) {
    const options: EmulatorOptions = {
      deterministic: false,
      // The cycle a minute after the upload, its entries visible the rest of the delay later; each new log query
      // moves the emulator's clock a minute on (the action's waits for logs are compressed in real time).
      processing: { delayMs: 60_000 },
      logs: { visibilityDelayMs: (delayMinutes - 1) * 60_000, clockStepPerQueryMs: 60_000 },
      graph: { queueCapacity: 10_000_000, rateLimit: { windowMs: 5000, maxCalls: 40, dailyQuota: 1_000_000 } }
    }
    const emulator = await startEmulator(options)
    try {
      const apply = await run(emulator, workspace, { mode: 'apply', 'logs-timeout': String(logsTimeout) })
      const waited = apply.report.outcomes.logWaitSeconds
      results.push({
        logsTimeout,
        runnerSeconds: apply.seconds + waited,
        wallSeconds: apply.seconds,
        waitedSeconds: waited,
        logCalls: apply.report.outcomes.logCalls,
        seen: records - (apply.report.outcomes.totals['not-seen'] ?? 0)
      })
    } finally {
      await emulator.stop()
    }
  }
  return results
}

/** Both benchmarks, printed. */
export async function runOutcomeBenches(root: string, records = 10_000, delayMinutes = 6): Promise<void> {
  const fmt = (n: number): string => n.toLocaleString('en-US')
  console.log(
    `Outcome read, ${fmt(records)} records staged, read in mode report (Node ${process.versions.node}):`
  )
  const read = await runOutcomeReadBench(root, records)
  const ok = read.throttled === 0
  console.log(
    `  ${fmt(read.entries)} log entries, pages of 500: ${read.calls} log calls in ${read.seconds.toFixed(1)} s, ${read.throttled} × 429 on log reads ` +
      `(target 0) ${ok ? 'met' : 'MISSED'}; bound at 5 calls/10 s: ${read.boundSeconds} s → ratio ${read.boundSeconds > 0 ? (read.seconds / read.boundSeconds).toFixed(3) : 'n/a'}`
  )
  console.log('')
  console.log(
    `Runner seconds per apply, ${fmt(records)} records at 40 calls/5 s, logs visible ${delayMinutes} emulator-minutes after the upload ` +
      `(emulator clock +1 min per new log query; the action's waits for logs take ${COMPRESSED_WAIT_MS} ms each in real time and are counted at full length):`
  )
  for (const m of await runRunnerSecondsBench(root, records, delayMinutes))
    console.log(
      `  logs-timeout ${String(m.logsTimeout).padEnd(2)}  runner ${m.runnerSeconds.toFixed(0).padStart(4)} s = wall ${m.wallSeconds.toFixed(1)} s + waits for logs ${m.waitedSeconds} s; ` +
        `${m.logCalls} log calls, ${fmt(m.seen)} of ${fmt(records)} outcomes read`
    )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runOutcomeBenches(path.join(import.meta.dirname, '..', '..'))
}
