/**
 * One measurement in a fresh process: `child.ts papaparse|plan <workspace> <csv>`; prints a JSON line last.
 * `plan` runs the bundled action (dist/index.js) in this process, configured the way the runner does it.
 */
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import Papa from 'papaparse'
import { BENCH_MAPPING } from './generate.ts'

const [kind, workspace, csv] = process.argv.slice(2) as [string, string, string]
const dist = process.env.BENCH_DIST ?? path.join(import.meta.dirname, '..', '..', 'dist', 'index.js')

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

/** Sets up the runner's environment, then loads dist/index.js, which runs the action. */
async function planMode(): Promise<number> {
  const runner = path.join(workspace, '..', 'runner')
  mkdirSync(runner, { recursive: true })
  writeFileSync(path.join(workspace, 'mapping.yml'), BENCH_MAPPING)
  const files = {
    GITHUB_OUTPUT: path.join(runner, 'output'),
    GITHUB_STEP_SUMMARY: path.join(runner, 'summary.md')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  Object.assign(process.env, files, {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: path.join(runner, 'temp'),
    GITHUB_ACTION: 'bench',
    INPUT_FILES: path.relative(workspace, csv),
    INPUT_MAPPING: 'mapping.yml',
    INPUT_MODE: 'plan',
    'INPUT_FAIL-ON': 'never'
  })
  process.chdir(workspace)
  await import(pathToFileURL(dist).href)
  const outputs = readFileSync(files.GITHUB_OUTPUT, 'utf8')
  const records = /^records<<(\S+)\n(\d+)\n\1$/m.exec(outputs)?.[2]
  if (records === undefined || process.exitCode) throw new Error(`the action failed:\n${outputs}`)
  return Number(records)
}

const started = performance.now()
const rows = kind === 'papaparse' ? await papaparseAlone() : await planMode()
const seconds = (performance.now() - started) / 1000
console.log(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, rows }))
