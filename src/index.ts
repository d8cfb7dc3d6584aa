/** Entry point of the bundled action (dist/index.js). Worker threads load this file too (see plan/parallel.ts). */
import { isMainThread } from 'node:worker_threads'
import { createActionIO, createCommentClient } from './actions-io.ts'
import { cancellationOnSignals } from './apply/cancel.ts'
import { run } from './main.ts'

if (isMainThread) {
  // A cancelled or timed-out job gets SIGINT, then SIGTERM: the run reports what it did instead of dying silently.
  const signal = cancellationOnSignals(process)
  await run({
    io: createActionIO(),
    env: process.env,
    now: () => new Date(),
    signal,
    commentClient: createCommentClient
  })
  // After a cancellation, work still pending (a log poll, calls that never answered) must not hold the job.
  if (signal.aborted) process.exit(process.exitCode ?? 1)
}
