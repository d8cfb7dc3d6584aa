/**
 * The log poll of a run with the production schedule: the first read 2 minutes after the last upload (sooner when
 * logs-timeout is shorter; at once in mode report), then every 30 s growing by half up to 2 minutes, until every
 * record has an entry or logs-timeout passes; pages of 500; a 2-minute overlap for clock skew; at most 5
 * per-record queries for records still missing at the end. logs-timeout bounds the waits of each poll, counted from
 * the upload it follows (a re-send round is an upload: its records get logs-timeout again). Every log call is paced
 * at 5 per 10 s (the service's limit for provisioning logs), and the schedule is printed once.
 */
import type { GraphClient } from '../graph/http.ts'
import { createLogReader, LOG_READ_LIMIT } from '../graph/log-reader.ts'
import { pollLogs, type AwaitedRecord, type PollResult } from '../graph/logs.ts'
import { createLogPacer } from '../graph/log-pacer.ts'

export const LOG_SCHEDULE = {
  pageSize: 500,
  maxPages: 2000,
  overlapMs: 2 * 60_000,
  initialDelayMs: 2 * 60_000,
  intervalMs: 30_000,
  intervalFactor: 1.5,
  maxIntervalMs: 120_000,
  maxRecordQueries: 5
} as const

export interface PollerOptions {
  client: GraphClient
  version: string
  jobId: string
  servicePrincipalId: string
  timeoutMs: number
  /**
   * Caps each single wait for the logs in real time (ENTRA_HR_SYNC_MAX_WAIT_MS, a test and benchmark knob: see
   * docs/architecture.md, "Test-only timing knobs"); capped waits still count in full toward logs-timeout.
   */
  maxWaitMs: number
  /** Length of the log-read pacing window (ENTRA_HR_SYNC_LOG_WINDOW_MS; 10 s in production). */
  readWindowMs?: number | undefined
  now: () => number
  sleep: (ms: number) => Promise<void>
  log: { info(message: string): void; debug(message: string): void }
}

export type Poll = (
  records: AwaitedRecord[],
  ignoreIds: ReadonlySet<string>,
  readyAt: number
) => Promise<PollResult>

export interface Poller {
  poll: Poll
  /** Time spent waiting for the logs so far, counted in full (ms). */
  readonly waitedMs: number
  /** Of which the real time not waited because of maxWaitMs (ms). */
  readonly compressedMs: number
}

/** The schedule in one sentence, for the log. */
export function describeSchedule(timeoutMs: number, readWindowMs: number): string {
  const pace = `log reads paced at ${LOG_READ_LIMIT.calls} per ${readWindowMs / 1000} s`
  if (timeoutMs <= 0)
    return `logs-timeout 0: the provisioning logs are read once, now, without waiting; ${pace}.`
  const first = Math.min(LOG_SCHEDULE.initialDelayMs, timeoutMs)
  const then =
    first < timeoutMs
      ? `, then every ${LOG_SCHEDULE.intervalMs / 1000} s growing to ${LOG_SCHEDULE.maxIntervalMs / 60_000} min, until every record has an entry or ${minutes(timeoutMs)} have passed`
      : ' (the only read: logs-timeout ends then)'
  return `Reading the provisioning logs: first read ${minutes(first)} after the last upload (at once if that is past)${then}; a re-send round waits up to logs-timeout again; ${pace}.`
}

export function createPoller(options: PollerOptions): Poller {
  const readWindowMs = options.readWindowMs ?? LOG_READ_LIMIT.windowMs
  const reader = createLogReader({
    client: options.client,
    version: options.version,
    jobId: options.jobId,
    servicePrincipalId: options.servicePrincipalId,
    pageSize: LOG_SCHEDULE.pageSize,
    maxPages: LOG_SCHEDULE.maxPages,
    // Real time: the service counts calls on its own clock, whatever the test knobs do to the waits below.
    pacer: createLogPacer({
      limit: LOG_READ_LIMIT.calls,
      windowMs: readWindowMs,
      now: options.now,
      sleep: options.sleep
    }),
    debug: options.log.debug
  })
  let waitedMs = 0
  let compressedMs = 0
  const clock = (): number => options.now() + compressedMs
  const wait = async (ms: number): Promise<void> => {
    const real = Math.min(ms, options.maxWaitMs)
    waitedMs += ms
    compressedMs += ms - real
    await options.sleep(real)
  }
  let described = false

  const poll: Poll = (records, ignoreIds, readyAt) => {
    if (!described) options.log.info(describeSchedule(options.timeoutMs, readWindowMs))
    described = true
    return pollLogs({
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
      now: clock,
      sleep: wait,
      log: options.log
    })
  }
  return {
    poll,
    get waitedMs() {
      return waitedMs
    },
    get compressedMs() {
      return compressedMs
    }
  }
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`
}
