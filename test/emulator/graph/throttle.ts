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

/**
 * Provisioning-log reads: at most `maxCalls` in any `windowMs` per app (Graph's service-specific limit for the
 * identity and access reports: 5 requests per 10 seconds per app per tenant). Every call counts, throttled ones
 * included; Retry-After is the wait until a retried call would fit. `maxCalls` 0 turns it off.
 */
export interface LogThrottle {
  check(appId: string): ThrottleResult
}

export function createLogThrottle(config: EmulatorConfig, clock: Clock): LogThrottle {
  const calls = new Map<string, number[]>()
  return {
    check(appId) {
      const { windowMs, maxCalls } = config.logs.rateLimit
      if (maxCalls <= 0) return { ok: true }
      const now = clock.now()
      const window = (calls.get(appId) ?? []).filter((t) => t > now - windowMs)
      window.push(now)
      calls.set(appId, window)
      if (window.length <= maxCalls) return { ok: true }
      const until = window[window.length - maxCalls]! + windowMs
      return { ok: false, reason: 'window', retryAfterSec: Math.max(1, Math.ceil((until - now) / 1000)) }
    }
  }
}
