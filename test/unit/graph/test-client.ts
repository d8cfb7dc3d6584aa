import { createGraphClient, type FetchLike, type GraphClient } from '../../../src/graph/http.ts'

/** A Graph client over a fake fetch and a fake clock: fixed token, ids and jitter, short backoff. */
export function testGraphClient(
  fetch: FetchLike,
  time: { now: () => number; sleep: (ms: number) => Promise<void> },
  limits: { maxAttempts?: number; maxRetryAfterMs?: number } = {}
): GraphClient {
  const timing = { retryBaseMs: 10, retryMaxMs: 100, maxRetryAfterMs: limits.maxRetryAfterMs ?? 60_000 }
  return createGraphClient({
    ...{ baseUrl: 'https://graph.microsoft.com', version: 'v1.0', fetch, now: time.now, sleep: time.sleep },
    ...{ random: () => 0, uuid: () => 'u', debug: () => undefined, maxAttempts: limits.maxAttempts ?? 2 },
    tokens: { token: async () => 't', refresh: async () => 't' },
    timing: { ...timing, maxWaitMs: Infinity }
  })
}
