/**
 * The bucket-full 500 of bulkUpload: Entra holds the uploads of a job in a bucket until its next cycle, and while the
 * bucket is full it refuses more. It drains in minutes (Entra advises waiting 5 to 10), so quick retries would only
 * spend the tenant's daily calls. The whole upload holds back for bucket-full-wait, then the request is sent again;
 * requests already under way when a wait began share it. A wait that would end after the time budget is not begun.
 */
import { GraphError, type GraphRequest, type GraphResponse } from '../graph/http.ts'
import type { Pacer } from '../graph/pacer.ts'

export interface BucketWait {
  /** The wait, as the user set it. */
  waitMs: number
  /** When the upload's time budget ends (ms since the epoch); a wait that would end later stops the upload. */
  deadline: number
  /** Caps the real sleep (test-only timing knob); the log and the deadline use `waitMs`. */
  maxSleepMs: number
}

export type Hooks = Pick<GraphRequest, 'beforeAttempt' | 'onThrottled' | 'onAttempt'>

/**
 * Wraps a send so that a bucket-full answer is waited out; rethrows it when no wait is configured, the upload has
 * stopped, or the next wait would pass the deadline.
 */
export function createBucketWaiter(options: {
  wait: BucketWait | undefined
  pacer: Pick<Pacer, 'pause'>
  now: () => number
  stopped: () => boolean
  warn: (message: string) => void
}): (index: number, send: (hooks: Hooks) => Promise<GraphResponse>, hooks: Hooks) => Promise<GraphResponse> {
  let since = -Infinity
  let until = 0
  // Wait not really slept (the test-only cap), still counted against the time budget.
  let skipped = 0
  return async (index, send, hooks) => {
    let sentAt = 0
    const timed: Hooks = {
      ...hooks,
      beforeAttempt: async () => {
        await hooks.beforeAttempt?.()
        sentAt = options.now()
      }
    }
    for (;;) {
      try {
        return await send(timed)
      } catch (error) {
        const wait = options.wait
        if (!(error instanceof GraphError) || error.kind !== 'bucket-full' || !wait) throw error
        const t = options.now()
        if (sentAt > since) {
          if (options.stopped() || t + skipped + wait.waitMs > wait.deadline) throw error
          options.warn(
            `Request ${index + 1}: ${error.message} (request-id ${error.requestId ?? '-'}). ` +
              `Waiting ${formatWait(wait.waitMs)} (bucket-full-wait) before sending again, until ${new Date(t + skipped + wait.waitMs).toISOString()}.`
          )
          const sleep = Math.min(wait.waitMs, wait.maxSleepMs)
          skipped += wait.waitMs - sleep
          since = t
          until = t + sleep
        }
        options.pacer.pause(Math.max(0, until - t))
      }
    }
  }
}

function formatWait(ms: number): string {
  const minutes = ms / 60_000
  return minutes >= 1 ? `${Number(minutes.toFixed(1))} min` : `${Math.round(ms / 1000)} s`
}
