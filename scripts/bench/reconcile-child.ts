/**
 * One reconcile measurement in a fresh process (clean peak RSS): the parent sets the runner's environment and the
 * action's inputs; this loads the bundled action, which runs, then prints a JSON line with the time and peak RSS.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const dist = process.env.BENCH_DIST ?? path.join(import.meta.dirname, '..', '..', 'dist', 'index.js')
const started = performance.now()
// dist/index.js awaits the whole run at its top level: the import resolves when the action is done.
await import(pathToFileURL(dist).href)
const seconds = (performance.now() - started) / 1000
const outputs = readFileSync(process.env.GITHUB_OUTPUT as string, 'utf8')
console.log(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, outputs }))
