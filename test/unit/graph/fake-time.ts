import {
  createGraphClient,
  type FetchLike,
  type GraphClient,
  type GraphClientOptions
} from '../../../src/graph/http.ts'

/** A fake clock whose sleep advances time at once, so retry and pacing tests never wait. */
export function fakeTime(start = 1_000_000): {
  now: () => number
  sleep: (ms: number) => Promise<void>
  slept: number[]
} {
  let t = start
  const slept: number[] = []
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
    slept
  }
}

/** A Graph client over a fake fetch and a fake clock, with fixed ids and small retry steps unless overridden. */
export function fakeGraphClient(
  fetch: FetchLike,
  time: { now: () => number; sleep: (ms: number) => Promise<void> },
  overrides: Partial<GraphClientOptions> = {}
): GraphClient {
  return createGraphClient({
    baseUrl: 'https://graph.microsoft.com',
    version: 'v1.0',
    fetch,
    tokens: { token: async () => 't', refresh: async () => 't' },
    ...time,
    random: () => 0,
    uuid: () => 'u',
    maxAttempts: 3,
    timing: { retryBaseMs: 10, retryMaxMs: 100, maxRetryAfterMs: 1000, maxWaitMs: Infinity },
    debug: () => undefined,
    ...overrides
  })
}
