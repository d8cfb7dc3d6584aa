/**
 * The emulator's clock. Every timestamp the emulator writes (JWT times, log entries, `Date` headers) and
 * every deferred action (processing cycles, log visibility) goes through it, so a test can run hours of
 * provisioning in milliseconds with `advance()`.
 *
 * - `fake`: time stands still until `advance(ms)` moves it; due timers then run in time order, each with
 *   `now()` equal to its own due time (so a cycle scheduled at t+5 s stamps its entries with t+5 s).
 * - `real`: wall-clock time plus an offset that `advance()` increases (useful with the CLI); timers also
 *   fire by themselves through `setTimeout`.
 */
export interface Clock {
  readonly mode: 'fake' | 'real'
  now(): number
  /** Moves time forward and runs the timers that fall due, in order. */
  advance(ms: number): void
  /** Runs `fn` at `now() + delayMs`; returns a handle for `cancel`. */
  schedule(delayMs: number, fn: () => void): number
  cancel(handle: number): void
  /** Cancels every timer (used by `stop()`). */
  dispose(): void
}

interface Timer {
  id: number
  at: number
  fn: () => void
}

export function createClock(mode: 'fake' | 'real', startMs: number): Clock {
  let fakeNow = startMs
  let offset = 0
  let nextId = 1
  let timers: Timer[] = []
  let realTimer: NodeJS.Timeout | undefined

  const now = (): number => (mode === 'fake' ? fakeNow : Date.now() + offset)

  const popDue = (limit: number): Timer | undefined => {
    let best: Timer | undefined
    for (const t of timers)
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t
    if (best) timers = timers.filter((t) => t !== best)
    return best
  }

  const armReal = (): void => {
    if (mode !== 'real') return
    if (realTimer) clearTimeout(realTimer)
    realTimer = undefined
    if (timers.length === 0) return
    const first = Math.min(...timers.map((t) => t.at))
    realTimer = setTimeout(runDueReal, Math.max(0, first - now()))
  }

  const runDueReal = (): void => {
    for (let t = popDue(now()); t; t = popDue(now())) t.fn()
    armReal()
  }

  return {
    mode,
    now,
    advance(ms) {
      if (ms < 0) throw new Error('the clock cannot go backwards')
      const target = now() + ms
      for (let t = popDue(target); t; t = popDue(target)) {
        if (mode === 'fake') fakeNow = Math.max(fakeNow, t.at)
        else offset += Math.max(0, t.at - now())
        t.fn()
      }
      if (mode === 'fake') fakeNow = target
      else offset += Math.max(0, target - now())
      armReal()
    },
    schedule(delayMs, fn) {
      const id = nextId++
      timers.push({ id, at: now() + Math.max(0, delayMs), fn })
      armReal()
      return id
    },
    cancel(handle) {
      timers = timers.filter((t) => t.id !== handle)
      armReal()
    },
    dispose() {
      timers = []
      if (realTimer) clearTimeout(realTimer)
      realTimer = undefined
    }
  }
}
