/**
 * The JSON benchmark (npm run bench -- --only json): the bundled action (dist/index.js) in plan mode on the
 * 1,000,000-row export written as one `.json` array (about 330 MB), beside the same rows as CSV. Each run is a fresh
 * process (clean peak RSS). A `.json` file is streamed, so its peak RSS must stay under 1 GiB like the CSV's.
 */
import { execFileSync } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import Papa from 'papaparse'

interface Measurement {
  seconds: number
  peakRssMiB: number
  rows: number
}

/** Writes the rows of `csv` as a JSON array, one object per line; returns the size in bytes. */
async function csvToJson(csv: string, json: string): Promise<number> {
  const out = createWriteStream(json)
  let first = true
  let block = '['
  await new Promise<void>((resolve, reject) => {
    Papa.parse<Record<string, string>>(createReadStream(csv, { encoding: 'utf8' }), {
      header: true,
      skipEmptyLines: true,
      chunk: (results, parser) => {
        for (const row of results.data) {
          block += (first ? '\n' : ',\n') + JSON.stringify(row)
          first = false
        }
        if (block.length > 1 << 20 && !out.write(block)) {
          parser.pause()
          void once(out, 'drain').then(() => parser.resume())
        }
        if (block.length > 1 << 20) block = ''
      },
      complete: () => resolve(),
      error: reject
    })
  })
  out.end(block + '\n]\n')
  await once(out, 'finish')
  return statSync(json).size
}

function measure(workspace: string, file: string): Measurement {
  const output = execFileSync(
    process.execPath,
    [path.join(import.meta.dirname, 'child.ts'), 'plan', workspace, file],
    { encoding: 'utf8', maxBuffer: 1 << 20 }
  )
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Measurement
}

export async function runJsonBench(workspace: string, csv: string, rounds: number): Promise<void> {
  const json = csv.replace(/\.csv$/, '.json')
  if (!existsSync(json)) {
    const bytes = await csvToJson(csv, json)
    console.log(`Generated ${json}: ${(bytes / 2 ** 20).toFixed(0)} MiB`)
  }
  const results: Record<'csv' | 'json', Measurement[]> = { csv: [], json: [] }
  for (let round = 1; round <= rounds; round++) {
    for (const kind of ['csv', 'json'] as const) {
      const result = measure(workspace, kind === 'csv' ? csv : json)
      results[kind].push(result)
      console.log(
        `round ${round} plan ${kind.padEnd(4)} ${result.seconds.toFixed(2)} s, peak RSS ${result.peakRssMiB.toFixed(0)} MiB, ${result.rows.toLocaleString('en-US')} rows`
      )
    }
  }
  const peak = Math.max(...results.json.map((r) => r.peakRssMiB))
  const best = (list: Measurement[]): number => Math.min(...list.map((r) => r.seconds))
  console.log('')
  console.log(`Plan mode on ${path.basename(json)} (${(statSync(json).size / 2 ** 20).toFixed(0)} MiB):`)
  console.log(`  time, JSON / CSV : ${(best(results.json) / best(results.csv)).toFixed(2)}`)
  console.log(
    `  peak RSS (JSON)  : ${peak.toFixed(0)} MiB (target ≤ 1024 MiB) ${peak <= 1024 ? 'met' : 'MISSED'}`
  )
}
