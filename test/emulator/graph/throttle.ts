import type { Clock } from '../clock.ts'
import type { EmulatorConfig } from '../config.ts'

const DAY_MS = 24 * 3600 * 1000

export type ThrottleResult = { ok: true } | { ok: false; reason: 'window' | 'daily'; retryAfterSec: number }

/**
 * The bulkUpload limits for the tenant: a sliding window (40 calls per 5 s) in which every call counts,
 * throttled ones included (as Graph's throttling guidance says), and a rolling 24-hour quota of admitted
 * calls. Retry-After is the wait until a retried call would fit.
 */
export interface Throttle {
  check(): ThrottleResult
  reset(): void
}

export function createThrottle(config: EmulatorConfig, clock: Clock): Throttle {
  let window: number[] = []
  let admitted: number[] = []
  return {
    check() {
      const { windowMs, maxCalls, dailyQuota } = config.graph.rateLimit
      const now = clock.now()
      window = window.filter((t) => t > now - windowMs)
      admitted = admitted.filter((t) => t > now - DAY_MS)
      window.push(now)
      const secs = (until: number): number => Math.max(1, Math.ceil((until - now) / 1000))
      if (window.length > maxCalls)
        return {
          ok: false,
          reason: 'window',
          retryAfterSec: secs(window[window.length - maxCalls]! + windowMs)
        }
      if (admitted.length >= dailyQuota)
        return {
          ok: false,
          reason: 'daily',
          retryAfterSec: secs(admitted[admitted.length - dailyQuota]! + DAY_MS)
        }
      admitted.push(now)
      return { ok: true }
    },
    reset() {
      window = []
      admitted = []
    }
  }
}
