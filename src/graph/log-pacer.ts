/**
 * Pacing of provisioning-log reads: at most `limit` calls in any `windowMs`, each call counted from when its
 * ANSWER came (until then from when it was sent). The service counts a call when it arrives, which is after it
 * was sent and before it is answered; so a call sent `windowMs` after the answer of the call `limit` places
 * before it always arrives at least `windowMs` after that one arrived, whatever the latency in between. (The
 * upload pacer counts from the send and adds a margin instead; with 5 calls per 10 s one slow first call would eat
 * a margin that small.) A 429's Retry-After holds every later call back.
 */
export interface LogPacer {
  /** Waits until a call may be sent, and counts it from now. */
  acquire(): Promise<void>
  /** The answer (or a network error) of the oldest call in flight came: count it from now instead. */
  answered(): void
  /** Holds every call back until `now() + ms`. */
  pause(ms: number): void
}

export function createLogPacer(options: {
  limit: number
  windowMs: number
  now: () => number
  sleep: (ms: number) => Promise<void>
}): LogPacer {
  const { limit, windowMs, now, sleep } = options
  let calls: { at: number }[] = []
  const inFlight: { at: number }[] = []
  let pausedUntil = 0

  // Log reads are sequential, so no queue: the count and the push below happen in one synchronous step.
  const acquire = async (): Promise<void> => {
    for (let t = now(); ; t = now()) {
      calls = calls.filter((c) => c.at > t - windowMs)
      const free = calls.length < limit ? t : Math.min(...calls.map((c) => c.at)) + windowMs
      const at = Math.max(free, pausedUntil)
      if (at > t) {
        await sleep(at - t)
        continue
      }
      const call = { at: t }
      calls.push(call)
      inFlight.push(call)
      return
    }
  }
  const answered = (): void => {
    const call = inFlight.shift()
    if (call) call.at = Math.max(call.at, now())
  }
  const pause = (ms: number): void => {
    pausedUntil = Math.max(pausedUntil, now() + ms)
  }
  return { acquire, answered, pause }
}
