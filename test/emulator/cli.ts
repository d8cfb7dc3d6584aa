/**
 * `npm run emulator -- [config.json]`: starts the emulator, prints the environment and inputs that point
 * the action at it, and runs until Ctrl-C. The config file holds EmulatorOptions (see docs/emulator.md);
 * without one the CLI runs on the wall clock (`deterministic: false`) so cycles happen by themselves.
 */
import { readFile } from 'node:fs/promises'
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
console.log('\nRun the action against it (inputs keep their hyphen, so use env):')
console.log(`env ${env.map(([k, v]) => quote(`${k}=${v}`)).join(' ')} node dist/index.js`)
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
