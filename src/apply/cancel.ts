/**
 * Cancellation. When a run is cancelled or times out, GitHub sends the step SIGINT, then SIGTERM 7.5 s later, then
 * kills it 2.5 s after that. On the first signal the action stops sending, waits a little for the answers of calls
 * already in flight (they may be staged), then writes the report, the job summary and the outputs, and fails.
 */
import type { UploadResult } from './upload-result.ts'

/** How long answers of calls in flight are awaited after the signal: well inside GitHub's 10 s. */
export const CANCEL_GRACE_MS = 4_000

export class Cancelled extends Error {
  constructor(reason: string) {
    super(`the run was cancelled (${reason})`)
    this.name = 'Cancelled'
  }
}

/** A cancellation signal fed by the process's SIGINT and SIGTERM; later signals are absorbed (the run is finishing). */
export function cancellationOnSignals(
  process: Pick<NodeJS.Process, 'on'>,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
): AbortSignal {
  const controller = new AbortController()
  for (const name of signals)
    process.on(name, () => {
      if (!controller.signal.aborted) controller.abort(name)
    })
  return controller.signal
}

export function reasonOf(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'cancelled'
}

/** A sleep that ends at once, rejecting with Cancelled, when the signal fires: no wait outlives a cancellation. */
export function cancellableSleep(
  sleep: (ms: number) => Promise<void>,
  signal: AbortSignal | undefined
): (ms: number) => Promise<void> {
  if (!signal) return sleep
  return (ms) => {
    if (signal.aborted) return Promise.reject(new Cancelled(reasonOf(signal)))
    return Promise.race([
      sleep(ms),
      whenAborted(signal).then(() => Promise.reject(new Cancelled(reasonOf(signal))))
    ])
  }
}

/** Resolves when the signal fires (never, without one). */
export function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined)
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}

/** The work's result, or undefined as soon as the run is cancelled (the work is left to be cut off at exit). */
export async function untilCancelled<T>(
  signal: AbortSignal | undefined,
  work: Promise<T>
): Promise<T | undefined> {
  work.catch(() => undefined)
  return Promise.race([work, whenAborted(signal).then(() => undefined)])
}

/** The job summary's first line after a cancellation. */
export function cancelledNote(upload: UploadResult | undefined, reason: string): string {
  const staged = upload?.totals.sent ?? 0
  const notSent = upload?.totals.notSent ?? 0
  return (
    `> [!CAUTION]\n> **cancelled: ${staged} staged, ${notSent} not sent** (records, on ${reason}). ` +
    "The JSON report's manifest and the manifest journal list exactly what was staged; re-run with `resume-from` to " +
    'send only the rest.\n\n'
  )
}

/** The step's failure message after a cancellation. */
export function cancelledReason(
  upload: UploadResult | undefined,
  reason: string,
  journalFile: string
): string {
  return (
    `cancelled (${reason}): ${upload?.totals.sent ?? 0} staged, ${upload?.totals.notSent ?? 0} not sent. ` +
    `${journalFile} lists what was staged; re-run with resume-from to send only the rest.`
  )
}

/** Resolves `ms` after the signal fires (never, without one); the timer does not keep the process alive. */
export function graceAfter(signal: AbortSignal | undefined, ms = CANCEL_GRACE_MS): Promise<void> {
  return whenAborted(signal).then(() => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()))
}
