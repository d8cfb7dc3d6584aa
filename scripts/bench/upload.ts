/**
 * The upload benchmark (npm run bench -- --only upload): the bundled action (dist/index.js) in apply mode sends
 * 20,000 generated records (400 calls of 50) to the emulator, which allows 40 calls per 5 s and adds 200 ms to every
 * bulkUpload answer. The bound is 40 × 50 / 5 = 400 records/s; the run prints the achieved rate as a ratio of it
 * (target ≥ 0.97 with zero 429 answers), then the client's own ceiling with the limit lifted.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type EmulatorOptions } from '../../test/emulator/index.ts'
import { emulatorRunOptions, runAction } from '../../test/helpers/run-action.ts'
import { BENCH_MAPPING, generateHrCsv } from './generate.ts'
import { resolveConfig } from '../../test/emulator/config.ts'

const CUSTOM = [
  ...BENCH_MAPPING.matchAll(/^ {2}(urn:ietf:params:scim:schemas:extension:contoso:[^:]+:User:\w+):/gm)
].map((m) => m[1] as string)

export interface UploadMeasurement {
  label: string
  records: number
  seconds: number
  recordsPerSecond: number
  calls: number
  throttled: number
}

const BOUND = (40 * 50) / 5

async function measure(
  label: string,
  workspace: string,
  emulatorOptions: EmulatorOptions,
  inputs: Record<string, string>
): Promise<UploadMeasurement> {
  const emulator = await startEmulator({
    deterministic: false,
    // No processing cycle during the run: the benchmark measures the upload, not the emulator's cycle. The app
    // lists the mapping's custom attributes, as the schema check requires before an upload.
    processing: {
      delayMs: 3_600_000,
      sourceAttributes: [...resolveConfig().processing.sourceAttributes, ...CUSTOM]
    },
    ...emulatorOptions,
    graph: { queueCapacity: 10_000_000, ...emulatorOptions.graph }
  })
  try {
    const target = emulatorRunOptions(emulator.env())
    const run = await runAction({
      workspace,
      inputs: {
        files: 'hr/*.csv',
        mapping: 'mapping.yml',
        mode: 'apply',
        'fail-on': 'never',
        // No cycle runs during the benchmark: read the logs once, do not wait for entries that never come.
        'logs-timeout': '0',
        ...target.inputs,
        ...inputs
      },
      env: target.env
    })
    if (run.exitCode !== 0) throw new Error(`the action failed:\n${run.stdout.slice(-3000)}\n${run.stderr}`)
    const report = JSON.parse(readFileSync(path.join(run.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')) as {
      upload: { startedAt: string; finishedAt: string; sent: number; notSent: number; calls: number }
    }
    const seconds = (Date.parse(report.upload.finishedAt) - Date.parse(report.upload.startedAt)) / 1000
    const counters = emulator.inspect().counters.byEndpoint['graph.bulkUpload']
    return {
      label,
      records: report.upload.sent,
      seconds,
      recordsPerSecond: report.upload.sent / seconds,
      calls: report.upload.calls,
      throttled: counters?.throttled ?? 0
    }
  } finally {
    await emulator.stop()
  }
}

export async function runUploadBench(root: string, records = 20_000): Promise<UploadMeasurement[]> {
  const workspace = path.join(root, '.tmp', 'bench', 'upload-workspace')
  const csv = path.join(workspace, 'hr', `workers-${records}.csv`)
  mkdirSync(path.dirname(csv), { recursive: true })
  if (!existsSync(csv)) await generateHrCsv(csv, records)
  writeFileSync(path.join(workspace, 'mapping.yml'), BENCH_MAPPING)

  const latency = { target: 'graph.bulkUpload', delayMs: 200 }
  const results: UploadMeasurement[] = []
  const print = (m: UploadMeasurement, extra = ''): void => {
    console.log(
      `  ${m.label.padEnd(38)} ${m.records.toLocaleString('en-US')} records in ${m.seconds.toFixed(1)} s = ${Math.round(m.recordsPerSecond).toLocaleString('en-US')} records/s, ${m.calls} calls, ${m.throttled} × 429${extra}`
    )
  }
  console.log(
    `Upload, ${records.toLocaleString('en-US')} records in requests of 50 to the emulator (Node ${process.versions.node}):`
  )

  const paced = await measure('40 calls/5 s, +200 ms per call', workspace, { faults: [latency] }, {})
  results.push(paced)
  const ratio = paced.recordsPerSecond / BOUND
  print(
    paced,
    ` → ratio to the ${BOUND} records/s bound ${ratio.toFixed(3)} (target ≥ 0.97, zero 429) ${ratio >= 0.97 && paced.throttled === 0 ? 'met' : 'MISSED'}`
  )

  const lifted = { graph: { rateLimit: { windowMs: 5000, maxCalls: 1_000_000, dailyQuota: 1_000_000 } } }
  const ceiling = await measure(
    'limit lifted, +200 ms per call',
    workspace,
    { ...lifted, faults: [latency] },
    { 'rate-limit': '0' }
  )
  results.push(ceiling)
  print(ceiling)
  const bare = await measure('limit lifted, no added latency', workspace, lifted, { 'rate-limit': '0' })
  results.push(bare)
  print(bare)
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runUploadBench(path.join(import.meta.dirname, '..', '..'))
}
