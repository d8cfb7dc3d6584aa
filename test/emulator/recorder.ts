/** What the emulator received: every request (except control calls) and counters per endpoint. */
export interface RecordedRequest {
  seq: number
  /** Emulator-clock time of arrival. */
  time: string
  endpoint: string
  method: string
  /** Path and query as received. */
  url: string
  headers: Record<string, string>
  body: string
  /** Null when the connection was dropped. */
  status: number | null
  /** Set when a fault rule answered instead of the emulated service. */
  fault: boolean
}

export interface Counters {
  calls: number
  throttled: number
  byEndpoint: Record<string, { calls: number; throttled: number; byStatus: Record<string, number> }>
}

const KEPT_HEADERS = ['content-type', 'client-request-id', 'user-agent', 'authorization', 'accept']
const MAX_BODY = 256 * 1024

export interface Recorder {
  start(entry: Omit<RecordedRequest, 'seq' | 'status' | 'fault'>): RecordedRequest
  finish(entry: RecordedRequest, status: number | null): void
  requests(): RecordedRequest[]
  counters(): Counters
}

export function createRecorder(): Recorder {
  const all: RecordedRequest[] = []
  const counters: Counters = { calls: 0, throttled: 0, byEndpoint: {} }
  return {
    start(entry) {
      const headers: Record<string, string> = {}
      for (const k of KEPT_HEADERS) if (entry.headers[k] !== undefined) headers[k] = entry.headers[k]
      const rec: RecordedRequest = {
        ...entry,
        headers,
        body: entry.body.length > MAX_BODY ? `${entry.body.slice(0, MAX_BODY)}…` : entry.body,
        seq: all.length + 1,
        status: null,
        fault: false
      }
      all.push(rec)
      counters.calls++
      const ep = (counters.byEndpoint[entry.endpoint] ??= { calls: 0, throttled: 0, byStatus: {} })
      ep.calls++
      return rec
    },
    finish(entry, status) {
      entry.status = status
      const ep = counters.byEndpoint[entry.endpoint]!
      const key = status === null ? 'dropped' : String(status)
      ep.byStatus[key] = (ep.byStatus[key] ?? 0) + 1
      if (status === 429) {
        counters.throttled++
        ep.throttled++
      }
    },
    requests: () => all.map((r) => ({ ...r })),
    counters: () => structuredClone(counters)
  }
}
