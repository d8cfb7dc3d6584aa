/**
 * Provisioning-log entries and the poll over them (docs/outcomes.md, docs/service-facts.md): one query per poll for
 * the job and a time window (src/graph/log-reader.ts reads it: paced, paged, resumable), entries de-duplicated by id,
 * and every entry of each sent record kept (folded into one outcome in src/outcomes/fold.ts). Polls back off until every record has an entry or the timeout passes; records
 * still missing then get a bounded number of per-record queries. The number of calls grows with pages, not records.
 * Tolerates `servicePrincipal` as an object or an array, `errorInformation` null and enum values it does not know.
 */
import { GraphError } from './http.ts'
import { LOGS_PERMISSION_TEXT } from './log-permissions.ts'

/** A value the service skipped while applying an entry, from a skip step (`SkipReason` other than `RedundantExport`). */
export interface SkippedValue {
  /** `PropertyName` of the step, e.g. manager; absent when the step names none. */
  property: string | undefined
  /** The skipped source value: the detail key whose value names the property (`"10010": "manager Add"`). */
  value: string | undefined
  /** `SkipReason`, e.g. UnableToResolveReferenceAttributeValue. */
  reason: string
}

/** One `provisioningObjectSummary`, reduced to what the outcome needs; unknown enum values are kept as strings. */
export interface LogEntry {
  id: string
  /** ms since the epoch. */
  time: number
  externalId: string
  /** provisioningAction, lower case: create, update, disable, delete, other, or anything newer. */
  action: string
  /** provisioningStatusInfo.status, lower case: success, failure, skipped, warning, or anything newer. */
  status: string
  changeId: string | undefined
  cycleId: string | undefined
  errorCode: string | undefined
  reason: string | undefined
  recommendedAction: string | undefined
  /** errorInformation.errorCategory: failure (service-side, transient), nonServiceFailure, or newer values. */
  errorCategory: string | undefined
  /** SkipReason of a skip step for the whole entry, or 'out of scope' when a scoping filter did not pass. */
  skipReason: string | undefined
  /** Values skipped within an entry the service otherwise applied (a manager it could not resolve). */
  skips: SkippedValue[]
  /** Properties the entry changed (modifiedProperties), lower case. */
  setProperties: string[]
  /** A second entry of a change (no import step), e.g. the update that sets the manager once it exists. */
  followUp: boolean
  /** Description of the first step whose status is `warning` (the CSDL allows it; an unresolved manager is a skip). */
  warningText: string | undefined
  /** accountEnabled before and after, when the entry changed it ('True'/'False'). */
  accountEnabled: { from: string | null; to: string | null } | undefined
  /** targetIdentity.id: the Entra object id (absent when a create failed, where the service logs ''). */
  targetId: string | undefined
  /** targetIdentity.details.UserPrincipalName: the UPN Entra holds for the user after this entry. */
  userPrincipalName: string | undefined
  /** `mail` among the Entra attributes an export step of this entry wrote, when it wrote one (for writeback). */
  mail?: string | undefined
}

/** Terminal statuses: the record is done. Unknown statuses count as terminal too (an answer came). */
export function isTerminal(entry: LogEntry): boolean {
  return entry.status !== ''
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const obj = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}

/** Parses one log record defensively; undefined when it has no id or no source identity. */
export function parseLogEntry(raw: unknown): LogEntry | undefined {
  const r = obj(raw)
  const id = str(r.id)
  const source = obj(r.sourceIdentity)
  const externalId = str(source.id)
  const time = Date.parse(str(r.activityDateTime) ?? '')
  if (!id || externalId === undefined || Number.isNaN(time)) return undefined
  // v1.0 names first; the deprecated beta names (action, statusInfo) as a fallback.
  const statusInfo = obj(r.provisioningStatusInfo ?? r.statusInfo)
  const target = obj(r.targetIdentity)
  const error = obj(statusInfo.errorInformation)
  const steps = Array.isArray(r.provisioningSteps) ? r.provisioningSteps.map(obj) : []
  let skipReason: string | undefined
  let warningText: string | undefined
  let mail: string | undefined
  const skips: SkippedValue[] = []
  for (const step of steps) {
    const details = obj(step.details)
    const status = (str(step.status) ?? '').toLowerCase()
    const reason = str(details.SkipReason)
    const property = str(details.PropertyName)
    if (reason && property !== undefined) skips.push(skippedValue(details, property, reason))
    else if (reason) {
      skipReason ??= reason
      if (reason !== 'RedundantExport') skips.push({ property: undefined, value: undefined, reason })
    }
    if (str(details['Scoping filter evaluation passed'])?.toLowerCase() === 'false')
      skipReason ??= 'out of scope'
    if (status === 'warning') warningText ??= str(step.description)
    if (str(step.provisioningStepType)?.toLowerCase() === 'export') mail ??= str(details.mail) || undefined
  }
  let accountEnabled: LogEntry['accountEnabled']
  const setProperties: string[] = []
  if (Array.isArray(r.modifiedProperties))
    for (const change of r.modifiedProperties.map(obj)) {
      const name = str(change.displayName)?.toLowerCase()
      if (name) setProperties.push(name)
      if (name === 'accountenabled')
        accountEnabled = { from: str(change.oldValue) ?? null, to: str(change.newValue) ?? null }
    }
  return {
    id,
    time,
    externalId,
    action: (str(r.provisioningAction) ?? str(r.action) ?? '').toLowerCase(),
    status: (str(statusInfo.status) ?? '').toLowerCase(),
    changeId: str(r.changeId),
    cycleId: str(r.cycleId),
    errorCode: str(error.errorCode),
    reason: str(error.reason),
    recommendedAction: str(error.recommendedAction),
    errorCategory: str(error.errorCategory),
    skipReason,
    skips,
    setProperties,
    followUp: steps.length > 0 && !steps.some((s) => str(s.provisioningStepType)?.toLowerCase() === 'import'),
    warningText,
    accountEnabled,
    targetId: str(target.id) || undefined,
    userPrincipalName: str(obj(target.details).UserPrincipalName) || undefined,
    mail
  }
}

/** A skip step's value is the detail key whose value starts with the property name (`"10010": "manager Add"`). */
function skippedValue(details: Record<string, unknown>, property: string, reason: string): SkippedValue {
  const prefix = `${property.toLowerCase()} `
  const value = Object.keys(details).find(
    (key) =>
      key !== 'PropertyName' && key !== 'SkipReason' && str(details[key])?.toLowerCase().startsWith(prefix)
  )
  return { property, value, reason }
}

/** The service principal of a record, whether the wire shows it as an object or (as the docs table says) an array. */
export function servicePrincipalIds(raw: unknown): string[] {
  const sp = obj(raw).servicePrincipal
  const list = Array.isArray(sp) ? sp : [sp]
  return list.map((s) => str(obj(s).id)).filter((id): id is string => id !== undefined)
}

/** A record whose outcome is awaited. */
export interface AwaitedRecord {
  externalId: string
  /** Entries before this time (ms) belong to an earlier send. */
  notBefore: number
}

/** What the poll needs of a log reader (src/graph/log-reader.ts). */
export interface LogQuery {
  /** Entries of the job from `from` on (optionally of one record), every page read. */
  query(from: number, externalId?: string, top?: number): Promise<{ calls: number; entries: LogEntry[] }>
  /** The date operator the service accepted. */
  readonly operator: string
}

export class LogsUnavailable extends Error {
  readonly status: number | null
  constructor(message: string, status: number | null) {
    super(message)
    this.name = 'LogsUnavailable'
    this.status = status
  }
}

/** A query that failed after some pages: the entries of the pages read, and the failure. */
export class PartialRead extends Error {
  readonly entries: LogEntry[]
  readonly calls: number
  override readonly cause: unknown
  constructor(entries: LogEntry[], calls: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'PartialRead'
    this.entries = entries
    this.calls = calls
    this.cause = cause
  }
}

export interface PollOptions {
  reader: LogQuery
  records: readonly AwaitedRecord[]
  /** Entry ids that belong to earlier sends (a re-sent record's failure) and must not count again. */
  ignoreIds?: ReadonlySet<string>
  /** Entries may carry times up to this much before the client's clock (clock skew). */
  overlapMs: number
  /** Time left to wait for the logs, in ms (what logs-timeout leaves); 0 queries once without waiting. */
  timeoutMs: number
  /** Wait before the first query, counted from `readyAt` (the last upload). */
  initialDelayMs: number
  readyAt: number
  /** Waits between polls: first, growth factor, ceiling. */
  intervalMs: number
  intervalFactor: number
  maxIntervalMs: number
  /** Per-record queries for records still missing at the end. */
  maxRecordQueries: number
  /** The poll's clock and wait (the poller may compress waits for tests while counting them in full). */
  now: () => number
  sleep: (ms: number) => Promise<void>
  log: { info(message: string): void; debug(message: string): void }
}

export interface PollResult {
  /** Every entry of each awaited record since it was sent, by externalId, in the order read (the outcome folds them). */
  entries: Map<string, LogEntry[]>
  /** Log calls made (pages, and per-record queries). */
  calls: number
  polls: number
  recordQueries: number
  /** Why the logs could not be read to the end, if so (the records without an entry are then not seen). */
  problem: string | undefined
  /** The date operator the service accepted. */
  operator: string
  /** When the poll finished, on the poll's clock (waits counted in full). */
  finishedAt: number
}

/** Polls the logs until every awaited record has a terminal entry, or the timeout passes. */
export async function pollLogs(options: PollOptions): Promise<PollResult> {
  const { reader, records, log } = options
  const clock = options.now
  const wait = async (ms: number): Promise<void> => {
    if (ms > 0) await options.sleep(ms)
  }
  const ignore = options.ignoreIds ?? new Set<string>()
  const awaited = new Map(records.map((r) => [r.externalId, r]))
  const found = new Map<string, LogEntry[]>()
  const seenIds = new Set<string>()
  let from = Infinity
  for (const r of records) from = Math.min(from, r.notBefore)
  from -= options.overlapMs

  const take = (entries: readonly LogEntry[]): void => {
    for (const entry of entries) {
      if (seenIds.has(entry.id) || ignore.has(entry.id)) continue
      seenIds.add(entry.id)
      const record = awaited.get(entry.externalId)
      if (!record || entry.time < record.notBefore - options.overlapMs) continue
      const list = found.get(entry.externalId)
      if (list) list.push(entry)
      else found.set(entry.externalId, [entry])
    }
  }
  const missing = (): AwaitedRecord[] => records.filter((r) => !found.has(r.externalId))

  const start = clock()
  const deadline = start + options.timeoutMs
  let calls = 0
  let polls = 0
  let problem: string | undefined
  let interval = options.intervalMs
  if (options.timeoutMs > 0) {
    const first = Math.min(options.readyAt + options.initialDelayMs, deadline) - clock()
    if (first > 0) {
      log.debug(`Waiting ${seconds(first)} before the first read of the provisioning logs.`)
      await wait(first)
    }
  }
  for (;;) {
    polls++
    try {
      const result = await reader.query(from)
      calls += result.calls
      take(result.entries)
      problem = undefined
    } catch (error) {
      calls += callsOf(error)
      // Pages read before a later page failed still count; the next poll resumes from the failed page.
      if (error instanceof PartialRead) take(error.entries)
      problem = describe(error)
      if (fatal(error)) break
      log.info(`Reading the provisioning logs failed (${problem}); trying again at the next poll.`)
    }
    const left = missing().length
    log.info(
      `Provisioning logs, poll ${polls}: ${records.length - left} of ${records.length} records have an outcome (${calls} log calls so far).`
    )
    if (left === 0) break
    const remaining = deadline - clock()
    if (remaining <= 0) break
    await wait(Math.min(interval, remaining))
    interval = Math.min(options.maxIntervalMs, Math.round(interval * options.intervalFactor))
  }

  let recordQueries = 0
  // With no time to wait (logs-timeout 0) the one query is all: per-record queries would only add calls.
  if (options.timeoutMs > 0 && (!problem || !fatalMessage(problem))) {
    for (const record of missing().slice(0, options.maxRecordQueries)) {
      try {
        const result = await reader.query(record.notBefore - options.overlapMs, record.externalId, 10)
        calls += result.calls
        recordQueries++
        take(result.entries)
      } catch (error) {
        calls += callsOf(error)
        recordQueries++
        if (error instanceof PartialRead) take(error.entries)
        if (fatal(error)) break
      }
    }
  }
  return {
    entries: found,
    calls,
    polls,
    recordQueries,
    problem,
    operator: reader.operator,
    finishedAt: clock()
  }
}

const FATAL = /^(403|401|404|host|nextLink)/

/** Errors that another poll would not fix: permissions, a foreign host, a malformed link. */
function fatal(error: unknown): boolean {
  return fatalMessage(describe(error))
}

function fatalMessage(message: string): boolean {
  return FATAL.test(message)
}

/** HTTP calls a failed query made (a GraphError counts its attempts). */
function callsOf(error: unknown): number {
  if (error instanceof PartialRead) return error.calls
  return error instanceof GraphError ? error.attempts : 1
}

function describe(failure: unknown): string {
  const error = failure instanceof PartialRead ? failure.cause : failure
  if (error instanceof GraphError) {
    if (error.status === 403)
      return `403 ${error.code ?? ''}: reading the provisioning logs needs the application permission ${LOGS_PERMISSION_TEXT}, with admin consent`.replace(
        '  ',
        ' '
      )
    if (error.status === 401 || error.status === 404) return `${error.status} ${error.message}`
    return error.message
  }
  if (error instanceof LogsUnavailable) return `nextLink: ${error.message}`
  const message = error instanceof Error ? error.message : String(error)
  return message.startsWith('refusing to send the Graph token') ? `host: ${message}` : message
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`
}
