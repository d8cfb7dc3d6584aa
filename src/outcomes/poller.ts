/**
 * The log poll of a run with the production schedule: first query 2 minutes after the last upload, then every
 * 30 s growing by half up to 2 minutes, until logs-timeout; pages of 500; a 2-minute overlap for clock skew;
 * at most 20 per-record queries for records still missing at the end.
 */
import type { GraphClient } from '../graph/http.ts'
import { createLogReader, pollLogs, type AwaitedRecord, type PollResult } from '../graph/logs.ts'

export const LOG_SCHEDULE = {
  pageSize: 500,
  maxPages: 2000,
  overlapMs: 2 * 60_000,
  initialDelayMs: 2 * 60_000,
  intervalMs: 30_000,
  intervalFactor: 1.5,
  maxIntervalMs: 120_000,
  maxRecordQueries: 20
} as const

export interface PollerOptions {
  client: GraphClient
  version: string
  jobId: string
  servicePrincipalId: string
  timeoutMs: number
  /** Caps each single wait (test knob ENTRA_HR_SYNC_MAX_WAIT_MS); waits still count in full toward the timeout. */
  maxWaitMs: number
  now: () => number
  sleep: (ms: number) => Promise<void>
  log: { info(message: string): void; debug(message: string): void }
}

export function createPoller(
  options: PollerOptions
): (records: AwaitedRecord[], ignoreIds: ReadonlySet<string>, readyAt: number) => Promise<PollResult> {
  const reader = createLogReader({
    client: options.client,
    version: options.version,
    jobId: options.jobId,
    servicePrincipalId: options.servicePrincipalId,
    pageSize: LOG_SCHEDULE.pageSize,
    maxPages: LOG_SCHEDULE.maxPages,
    debug: options.log.debug
  })
  return (records, ignoreIds, readyAt) =>
    pollLogs({
      reader,
      records,
      ignoreIds,
      overlapMs: LOG_SCHEDULE.overlapMs,
      timeoutMs: options.timeoutMs,
      initialDelayMs: LOG_SCHEDULE.initialDelayMs,
      readyAt,
      intervalMs: LOG_SCHEDULE.intervalMs,
      intervalFactor: LOG_SCHEDULE.intervalFactor,
      maxIntervalMs: LOG_SCHEDULE.maxIntervalMs,
      maxRecordQueries: LOG_SCHEDULE.maxRecordQueries,
      maxWaitMs: options.maxWaitMs,
      now: options.now,
      sleep: options.sleep,
      log: options.log
    })
}
