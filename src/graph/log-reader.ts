/**
 * Reading `GET /auditLogs/provisioning` within its limits (docs/outcomes.md, "Reading the logs"):
 * - every call (pages and per-record queries alike) goes through one pacer (log-pacer.ts): at most 5 calls in any
 *   10 s per app, the service's limit for provisioning logs; a 429's Retry-After holds every later call back too;
 * - the time bound is a strict `gt` one second before the window (the documented operator); `ge` is tried only
 *   when the service says the operator is unsupported, and a query never goes out without a time bound;
 * - every `@odata.nextLink` is followed verbatim, on the configured Graph host and version only;
 * - when a page fails, the pages already read are kept (`PartialRead`) and the next query of the same window
 *   resumes from the link that failed instead of reading everything again.
 */
import { GraphError, type GraphClient } from './http.ts'
import {
  LogsUnavailable,
  PartialRead,
  parseLogEntry,
  servicePrincipalIds,
  type LogEntry,
  type LogQuery
} from './logs.ts'
import type { LogPacer } from './log-pacer.ts'

/** Log reads allowed per window, per app and tenant (Graph's identity and access reports limit). */
export const LOG_READ_LIMIT = { calls: 5, windowMs: 10_000 } as const

export type DateOperator = 'gt' | 'ge'

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** An unquoted DateTimeOffset literal, whole seconds, UTC. */
export function odataDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z')
}

/**
 * The filter of one query: the job, entries from `from` on (whole seconds: `gt` one second earlier, or `ge`),
 * and optionally one record. There is no form without the time bound.
 */
export function logsFilter(jobId: string, from: number, op: DateOperator, externalId?: string): string {
  const second = Math.floor(from / 1000) * 1000
  const bound =
    op === 'gt'
      ? `activityDateTime gt ${odataDate(second - 1000)}`
      : `activityDateTime ge ${odataDate(second)}`
  const parts = [`jobId eq ${odataString(jobId)}`, bound]
  if (externalId !== undefined) parts.push(`sourceIdentity/id eq ${odataString(externalId)}`)
  return parts.join(' and ')
}

function logsPath(filter: string, top: number): string {
  return `/auditLogs/provisioning?$filter=${encodeURIComponent(filter)}&$top=${top}`
}

/**
 * Whether a 400 says the filter's operator is unsupported. Graph's reporting APIs answer an unsupported filter
 * with `BadRequest` "Invalid filter clause", directory APIs with `Request_UnsupportedQuery`; both count, as does
 * a message that calls an operator unsupported. Other 400s (an unknown property, a bad token) do not.
 */
export function isUnsupportedOperator(error: unknown): boolean {
  if (!(error instanceof GraphError) || error.status !== 400) return false
  if (error.code === 'Request_UnsupportedQuery') return true
  return /invalid filter clause|operator .*not supported|unsupported .*operator/i.test(
    error.graphMessage ?? ''
  )
}

export interface LogReaderOptions {
  client: GraphClient
  version: string
  jobId: string
  /** The job's service principal: entries of another one are ignored (when the entry names one). */
  servicePrincipalId?: string
  /** $top of each page (the maximum is not documented; ≤ 500 is safe). */
  pageSize: number
  /** Pages one query may read before it stops (a safety net against a runaway nextLink chain). */
  maxPages: number
  /** Paces every call (pages, retries, per-record queries) at LOG_READ_LIMIT. */
  pacer: LogPacer
  debug: (message: string) => void
}

export interface QueryResult {
  calls: number
  entries: LogEntry[]
  /** True when this read continued an earlier one that had failed part-way. */
  resumed: boolean
}

export interface LogReader extends LogQuery {
  query(from: number, externalId?: string, top?: number): Promise<QueryResult>
  readonly operator: DateOperator
}

export function createLogReader(options: LogReaderOptions): LogReader {
  const operators: DateOperator[] = ['gt', 'ge']
  let level = 0
  /** The link a failed read stopped at, by the query it belonged to. */
  const resumeAt = new Map<string, string>()
  const versionPrefix = `/${options.version}/`

  const toPath = (link: string): string => {
    // Throws for another host: the bearer token must never leave the configured Graph origin.
    const url = options.client.assertSameOrigin(link)
    if (!url.pathname.startsWith(versionPrefix))
      throw new LogsUnavailable(`refusing an @odata.nextLink outside ${versionPrefix}: ${url.pathname}`, null)
    return url.pathname.slice(versionPrefix.length - 1) + url.search
  }

  async function query(from: number, externalId?: string, top = options.pageSize): Promise<QueryResult> {
    const key = `${Math.floor(from / 1000)}|${externalId ?? ''}|${top}`
    const pending = resumeAt.get(key)
    if (pending !== undefined) {
      resumeAt.delete(key)
      options.debug(`Resuming the provisioning-log read from the page that failed: ${pending}`)
      return walk(pending, key, true)
    }
    for (;;) {
      const op = operators[level] as DateOperator
      try {
        return await walk(logsPath(logsFilter(options.jobId, from, op, externalId), top), key, false)
      } catch (error) {
        if (!(error instanceof PartialRead) && isUnsupportedOperator(error) && level < operators.length - 1) {
          const graph = error as GraphError
          options.debug(
            `The logs refused the filter with '${op}' (${graph.code ?? '400'}: ${graph.graphMessage ?? ''}); trying '${operators[level + 1]}'.`
          )
          level++
          continue
        }
        throw error
      }
    }
  }

  async function walk(first: string, key: string, resumed: boolean): Promise<QueryResult> {
    const entries: LogEntry[] = []
    let calls = 0
    let path: string | undefined = first
    while (path !== undefined) {
      if (calls >= options.maxPages) {
        options.debug(`Stopped after ${calls} pages of provisioning logs (the page limit).`)
        break
      }
      let text: string
      let requestId: string | undefined
      try {
        const response = await options.client.request({
          method: 'GET',
          path,
          beforeAttempt: () => options.pacer.acquire(),
          onAttempt: () => options.pacer.answered(),
          onThrottled: (ms) => options.pacer.pause(ms)
        })
        ;({ text, requestId } = response)
        calls += response.attempts
      } catch (error) {
        calls += error instanceof GraphError ? error.attempts : 1
        // The first page's failure is the query's (a refused filter, a permission); a later page's keeps the rest.
        if (path === first && !resumed) throw error
        resumeAt.set(key, path)
        throw new PartialRead(entries, calls, error)
      }
      let body: Record<string, unknown>
      try {
        const parsed = JSON.parse(text) as unknown
        body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
      } catch {
        throw new Error(
          `the provisioning logs answered with something that is not JSON (request-id ${requestId ?? '-'})`
        )
      }
      for (const raw of Array.isArray(body.value) ? body.value : []) {
        if (options.servicePrincipalId) {
          const sps = servicePrincipalIds(raw)
          if (sps.length > 0 && !sps.includes(options.servicePrincipalId)) continue
        }
        const entry = parseLogEntry(raw)
        if (entry) entries.push(entry)
      }
      const next = body['@odata.nextLink']
      path = typeof next === 'string' && next !== '' ? toPath(next) : undefined
    }
    return { calls, entries, resumed }
  }

  return {
    query,
    get operator() {
      return operators[level] as DateOperator
    }
  }
}
