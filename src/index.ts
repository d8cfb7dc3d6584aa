/** Entry point of the bundled action (dist/index.js). */
import { createActionIO } from './actions-io.ts'
import { run } from './main.ts'

await run({ io: createActionIO(), env: process.env, now: () => new Date() })
