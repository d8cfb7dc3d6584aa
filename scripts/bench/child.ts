/** One measurement in a fresh process: `child.ts papaparse|plan <workspace> <csv>`; prints a JSON line. */
import { createReadStream, writeFileSync } from 'node:fs'
import path from 'node:path'
import Papa from 'papaparse'
import type { ActionIO } from '../../src/actions-io.ts'
import { run } from '../../src/main.ts'
import { BENCH_MAPPING } from './generate.ts'

const [kind, workspace, csv] = process.argv.slice(2) as [string, string, string]

async function papaparseAlone(): Promise<number> {
  let rows = 0
  await new Promise<void>((resolve, reject) => {
    Papa.parse(createReadStream(csv, { encoding: 'utf8', highWaterMark: 64 * 1024 }), {
      delimiter: ',',
      chunk: (results: Papa.ParseResult<string[]>) => {
        rows += results.data.length
      },
      complete: () => resolve(),
      error: reject
    })
  })
  return rows - 1 // the header
}

async function planMode(): Promise<number> {
  writeFileSync(path.join(workspace, 'mapping.yml'), BENCH_MAPPING)
  const inputs: Record<string, string> = {
    files: path.relative(workspace, csv),
    mapping: 'mapping.yml',
    mode: 'plan',
    'fail-on': 'never'
  }
  const outputs: Record<string, string> = {}
  const quiet: ActionIO = {
    getInput: (name) => inputs[name] ?? '',
    info: () => {},
    debug: () => {},
    warn: () => {},
    annotate: () => {},
    setOutput: (name, value) => {
      outputs[name] = value
    },
    writeSummary: async () => true,
    setFailed: (message) => {
      throw new Error(message)
    },
    group: (_name, work) => work()
  }
  await run({
    io: quiet,
    env: { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: path.join(workspace, '..', 'runner-temp') },
    now: () => new Date()
  })
  return Number(outputs.records)
}

const started = performance.now()
const rows = kind === 'papaparse' ? await papaparseAlone() : await planMode()
const seconds = (performance.now() - started) / 1000
console.log(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, rows }))
