/**
 * npm run bench: measures, side by side in one run, plan mode on a 1,000,000-row HR export against papaparse alone
 * parsing the same file. Each measurement runs in its own process (clean peak RSS) and alternates, best of N.
 * Then the upload benchmark (scripts/bench/upload.ts): apply mode against the emulator's rate limit.
 * `--only json`: plan mode on the same rows as one .json file (scripts/bench/json.ts).
 * Usage: npm run bench [-- --rows 1000000 --rounds 2 --only plan|upload|json]
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { BENCH_COLUMNS, generateHrCsv } from './bench/generate.ts'
import { runJsonBench } from './bench/json.ts'
import { runUploadBench } from './bench/upload.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? Number(args[index + 1]) : fallback
}
const rows = option('rows', 1_000_000)
const rounds = option('rounds', 2)
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
if (only !== undefined && !['plan', 'upload', 'json'].includes(only))
  throw new Error('--only takes plan, upload or json')

const root = path.join(import.meta.dirname, '..')
if (only === 'upload') {
  await runUploadBench(root)
  process.exit(0)
}
const folder = path.join(root, '.tmp', 'bench')
const workspace = path.join(folder, 'workspace')
const csv = path.join(workspace, 'hr', `workers-${rows}.csv`)
mkdirSync(path.dirname(csv), { recursive: true })

if (!existsSync(csv)) {
  const started = performance.now()
  const bytes = await generateHrCsv(csv, rows)
  console.log(
    `Generated ${csv}: ${rows.toLocaleString('en-US')} rows × ${BENCH_COLUMNS.length} columns, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
} else {
  console.log(`Using ${csv} (${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB)`)
}

if (only === 'json') {
  await runJsonBench(workspace, csv, rounds)
  process.exit(0)
}

interface Measurement {
  seconds: number
  peakRssMiB: number
  rows: number
}

function measure(kind: 'papaparse' | 'plan'): Measurement {
  const output = execFileSync(
    process.execPath,
    [path.join(import.meta.dirname, 'bench', 'child.ts'), kind, workspace, csv],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20
    }
  )
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Measurement
}

const results: Record<'papaparse' | 'plan', Measurement[]> = { papaparse: [], plan: [] }
for (let round = 1; round <= rounds; round++) {
  for (const kind of ['papaparse', 'plan'] as const) {
    const result = measure(kind)
    results[kind].push(result)
    console.log(
      `round ${round} ${kind.padEnd(9)} ${result.seconds.toFixed(2)} s, peak RSS ${result.peakRssMiB.toFixed(0)} MiB, ${result.rows.toLocaleString('en-US')} rows`
    )
  }
}

const best = (list: Measurement[]): Measurement => list.reduce((a, b) => (b.seconds < a.seconds ? b : a))
const papaparse = best(results.papaparse)
const plan = best(results.plan)
const ratio = plan.seconds / papaparse.seconds
const peak = Math.max(...results.plan.map((r) => r.peakRssMiB))
console.log('')
console.log(
  `Plan mode, ${rows.toLocaleString('en-US')} rows × ${BENCH_COLUMNS.length} columns (Node ${process.versions.node}):`
)
console.log(
  `  papaparse alone : ${papaparse.seconds.toFixed(2)} s (${Math.round(papaparse.rows / papaparse.seconds).toLocaleString('en-US')} rows/s)`
)
console.log(
  `  plan mode       : ${plan.seconds.toFixed(2)} s (${Math.round(plan.rows / plan.seconds).toLocaleString('en-US')} rows/s)`
)
console.log(`  ratio           : ${ratio.toFixed(2)} (target ≤ 2.00) ${ratio <= 2 ? 'met' : 'MISSED'}`)
console.log(
  `  peak RSS        : ${peak.toFixed(0)} MiB (target ≤ 1024 MiB) ${peak <= 1024 ? 'met' : 'MISSED'}`
)

if (only !== 'plan') {
  console.log('')
  await runUploadBench(root)
}
