/**
 * `npm run emulator -- [config.json]`: starts the emulator, prints the environment and inputs that point
 * the action at it, and runs until Ctrl-C. The config file holds EmulatorOptions (see docs/emulator.md);
 * without one the CLI runs on the wall clock (`deterministic: false`) so cycles happen by themselves.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { startEmulator, type EmulatorOptions } from './index.ts'

const file = process.argv[2]
const options: EmulatorOptions = file
  ? (JSON.parse(await readFile(file, 'utf8')) as EmulatorOptions)
  : { deterministic: false, processing: { delayMs: 2000 } }
const emulator = await startEmulator(options)
// performance.now() counts from process start, so this includes Node's boot and the module loading.
const startupMs = performance.now()

const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`
const env = Object.entries(emulator.env())
console.log(
  `Emulator ready ${startupMs.toFixed(0)} ms after process start: Entra + Graph at ${emulator.graphBaseUrl}, GitHub OIDC at ${new URL(emulator.oidc.requestUrl).origin}`
)
console.log('\nEnvironment variables and action inputs:')
for (const [k, v] of env) console.log(`${k}=${v}`)
// Apply mode on the example HR files, from the repository's root; waits are capped at a second (a test-only knob,
// docs/architecture.md) because the emulator processes in seconds what Entra logs in minutes.
const root = path.resolve(import.meta.dirname, '..', '..')
const run: Array<[string, string]> = [
  ...env,
  ['INPUT_FILES', 'examples/hr/*.csv'],
  ['INPUT_MAPPING', 'examples/mapping.yml'],
  ['INPUT_MODE', 'apply'],
  ['GITHUB_WORKSPACE', root],
  ['RUNNER_TEMP', path.join(root, '.tmp', 'emulator-run')],
  ['ENTRA_HR_SYNC_MAX_WAIT_MS', '1000']
]
console.log('\nRun the action against it in apply mode on examples/ (inputs keep their hyphen, so use env):')
console.log(
  `cd ${quote(root)} && env ${run.map(([k, v]) => quote(`${k}=${v}`)).join(' ')} bash scripts/node24 dist/index.js`
)
console.log(`\nInspect: curl --cacert ${emulator.caFile} ${emulator.graphBaseUrl}/_emulator/inspect`)
console.log('Press Ctrl-C to stop.')

const stop = (): void => {
  emulator.stop().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
