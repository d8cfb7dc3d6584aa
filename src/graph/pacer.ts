/**
 * Pacing of bulkUpload calls: at most `limit` calls in any window of `windowMs` (the API's "40 calls in any 5-second
 * window"), counted from when each call is sent, plus a margin for calls that travel at different speeds. A sliding
 * log rather than a token bucket: a bucket of 40 refilling at 8/s lets 80 calls into one 5-second window. Also the
 * run's call budget (daily-call-budget): the pacer refuses the call that would exceed it.
 */

export class BudgetExhausted extends Error {
  constructor(budget: number) {
    super(`the daily-call-budget of ${budget} calls is used up`)
    this.name = 'BudgetExhausted'
  }
}

export interface PacerOptions {
  /** Calls per window; 0 turns pacing off. */
  limit: number
  windowMs: number
  marginMs: number
  /** Calls this run may make in all, or undefined. */
  budget: number | undefined
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export interface Pacer {
  /** Waits until a call may be sent, and counts it. Throws BudgetExhausted when the budget is used up. */
  acquire(): Promise<void>
  /** Holds every call back until `now() + ms` (a 429's Retry-After applies to the whole tenant). */
  pause(ms: number): void
  /** Calls counted so far. */
  readonly calls: number
}

export function createPacer(options: PacerOptions): Pacer {
  const { limit, now, sleep } = options
  const span = options.windowMs + options.marginMs
  const sent: number[] = []
  let head = 0
  let calls = 0
  let pausedUntil = 0
  // Callers queue in order: the first to ask is the first to go, so no request starves under a storm.
  let queue: Promise<void> = Promise.resolve()

  const admit = async (): Promise<void> => {
    for (;;) {
      if (options.budget !== undefined && calls >= options.budget) throw new BudgetExhausted(options.budget)
      const t = now()
      if (pausedUntil > t) {
        await sleep(pausedUntil - t)
        continue
      }
      if (limit > 0) {
        while (head < sent.length && (sent[head] as number) <= t - span) head++
        if (sent.length - head >= limit) {
          await sleep((sent[head] as number) + span - t)
          continue
        }
        sent.push(t)
        if (head > 1024) {
          sent.splice(0, head)
          head = 0
        }
      }
      calls++
      return
    }
  }

  return {
    acquire() {
      const turn = queue.then(admit)
      queue = turn.catch(() => undefined)
      return turn
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms)
    },
    get calls() {
      return calls
    }
  }
}
