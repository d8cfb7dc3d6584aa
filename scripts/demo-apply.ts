/**
 * The apply half of npm run demo: starts the emulator (wall clock), runs the bundled action in mode apply on the
 * example HR files the way the runner does, prints its log, outputs and job summary, then stops the emulator.
 */
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator } from '../test/emulator/index.ts'
import { emulatorRunOptions, runAction } from '../test/helpers/run-action.ts'

const emulator = await startEmulator({ deterministic: false, processing: { delayMs: 500 } })
try {
  console.log(
    `▶ emulator: Entra + Graph at ${emulator.graphBaseUrl}, GitHub OIDC at ${new URL(emulator.oidc.requestUrl).origin}`
  )
  const workspace = mkdtempSync(path.join(tmpdir(), 'demo-apply-'))
  cpSync(path.join(import.meta.dirname, '..', 'examples'), workspace, { recursive: true })
  const target = emulatorRunOptions(emulator.env())
  console.log('▶ mode: apply on examples/hr/*.csv (OIDC sign-in, job pre-flight, paced upload)')
  const run = await runAction({
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'apply', ...target.inputs },
    // Entra's logs arrive minutes after an upload, so the action waits minutes; the emulator is quicker, and the
    // test knob caps each wait at a second so the demo does not sit idle.
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '1000' }
  })
  // The runner hides ::debug:: lines and consumes ::add-mask:: commands; so does the demo.
  console.log(
    run.stdout
      .split('\n')
      .filter((line) => !/^::(debug|add-mask)::/.test(line))
      .join('\n')
  )
  console.log('▶ outputs')
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name} ${value}`)
  console.log('\n▶ job summary')
  console.log(run.summary)
  await new Promise((resolve) => setTimeout(resolve, 600))
  const { counters, users } = emulator.inspect()
  console.log(
    `▶ emulator saw ${counters.byEndpoint['graph.bulkUpload']?.calls ?? 0} bulkUpload call(s); after its processing cycle the directory holds ${users.length} users.`
  )
  process.exitCode = run.exitCode ?? 1
} finally {
  await emulator.stop()
}
