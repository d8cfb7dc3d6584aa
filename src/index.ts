/** Entry point of the bundled action (dist/index.js). Worker threads load this file too (see plan/parallel.ts). */
import { isMainThread } from 'node:worker_threads'
import { createActionIO } from './actions-io.ts'
import { run } from './main.ts'

if (isMainThread) await run({ io: createActionIO(), env: process.env, now: () => new Date() })
