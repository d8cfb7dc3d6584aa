/**
 * A small Microsoft Graph client over an injected `fetch`: the bearer token goes to the configured Graph origin
 * only, every request carries a fresh `client-request-id`, and transient failures are retried as
 * docs/troubleshooting.md describes (429/503 wait for Retry-After; 500, 502, 504 and network errors back off
 * exponentially with full jitter; attempts bounded; one 401 refreshes the token; 400/403/404 fail at once with
 * Graph's code and message). The bucket-full 500 and the daily-quota 429 are not retried here: quick retries
 * cannot fix them and would spend the tenant's daily calls.
 */
import type { TokenSource } from './auth.ts'

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export interface GraphClientOptions {
  /** https origin of Graph (the cloud's, or the graph-url override). */
  baseUrl: string
  version: 'v1.0' | 'beta'
  fetch: FetchLike
  tokens: Pick<TokenSource, 'token' | 'refresh'>
  now: () => number
  sleep: (ms: number) => Promise<void>
  random: () => number
  uuid: () => string
  /** Attempts per request for transient failures (max-retries). */
  maxAttempts: number
  timing: { retryBaseMs: number; retryMaxMs: number; maxRetryAfterMs: number; maxWaitMs: number }
  debug: (message: string) => void
}

export interface GraphRequest {
  method: 'GET' | 'POST'
  /** Path after the version, e.g. `/servicePrincipals/…`. */
  path: string
  body?: string
  contentType?: string
  /** Called before every attempt (pacing, budget); may throw to abort. */
  beforeAttempt?: () => Promise<void>
  /** Called when the service asks every caller to wait (429/503 with Retry-After). */
  onThrottled?: (waitMs: number) => void
  /** Called after every attempt that got an answer (or a network error: status null). */
  onAttempt?: (attempt: AttemptRecord) => void
}

export interface AttemptRecord {
  attempt: number
  status: number | null
  clientRequestId: string
  requestId: string | undefined
  /** ms since the epoch when the answer (or the error) came. */
  at: number
  /** What the client does next. */
  next: 'done' | 'retry' | 'refresh-token' | 'fail'
  waitMs: number
}

export interface GraphResponse {
  status: number
  requestId: string | undefined
  clientRequestId: string
  /** Only when it points at the configured Graph origin. */
  location: string | undefined
  text: string
  attempts: number
  at: number
}

export type GraphFailureKind = 'rejected' | 'unauthorized' | 'exhausted' | 'quota' | 'aborted' | 'bucket-full'

/** A request that did not succeed; `status` is that of the last answer (null: no answer). */
export class GraphError extends Error {
  readonly kind: GraphFailureKind
  readonly status: number | null
  readonly code: string | undefined
  readonly graphMessage: string | undefined
  readonly requestId: string | undefined
  readonly clientRequestId: string | undefined
  readonly attempts: number
  readonly at: number
  /** The service's Retry-After, in ms from `at`, when it sent one. */
  readonly retryAfterMs: number | undefined
  override readonly cause: unknown

  constructor(fields: {
    kind: GraphFailureKind
    message: string
    status: number | null
    code?: string | undefined
    graphMessage?: string | undefined
    requestId?: string | undefined
    clientRequestId?: string | undefined
    attempts: number
    at: number
    retryAfterMs?: number | undefined
    cause?: unknown
  }) {
    super(fields.message)
    this.name = 'GraphError'
    this.kind = fields.kind
    this.status = fields.status
    this.code = fields.code
    this.graphMessage = fields.graphMessage
    this.requestId = fields.requestId
    this.clientRequestId = fields.clientRequestId
    this.attempts = fields.attempts
    this.at = fields.at
    this.retryAfterMs = fields.retryAfterMs
    this.cause = fields.cause
  }
}

export interface GraphClient {
  readonly origin: string
  request(request: GraphRequest): Promise<GraphResponse>
  /** Throws unless `url` is on the configured Graph origin (for Location and @odata.nextLink). */
  assertSameOrigin(url: string): URL
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const origin = new URL(options.baseUrl).origin
  const { timing } = options

  const assertSameOrigin = (url: string): URL => {
    const parsed = new URL(url, origin)
    if (parsed.origin !== origin)
      throw new Error(`refusing to send the Graph token to ${parsed.origin}: only ${origin} is configured`)
    return parsed
  }

  /** Full jitter: a random wait between 0 and the exponential step, so many clients do not retry in step. */
  const backoff = (attempt: number): number =>
    Math.min(
      timing.maxWaitMs,
      options.random() * Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** (attempt - 1))
    )

  async function request(req: GraphRequest): Promise<GraphResponse> {
    const url = assertSameOrigin(`${origin}/${options.version}${req.path}`).href
    let refreshed = false
    let last:
      | {
          status: number | null
          code?: string
          message?: string
          requestId?: string
          clientRequestId: string
        }
      | undefined
    for (let attempt = 1; ; attempt++) {
      await req.beforeAttempt?.()
      const token = await options.tokens.token()
      const clientRequestId = options.uuid()
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        'client-request-id': clientRequestId,
        Accept: 'application/json'
      }
      if (req.body !== undefined) headers['Content-Type'] = req.contentType ?? 'application/json'

      let response: Response | undefined
      let text = ''
      let networkError: unknown
      try {
        response = await options.fetch(url, {
          method: req.method,
          headers,
          body: req.body,
          redirect: 'manual'
        })
        text = await response.text()
      } catch (error) {
        networkError = error
      }
      const at = options.now()

      if (!response || networkError !== undefined) {
        last = { status: null, clientRequestId, message: describeNetworkError(networkError) }
        const waitMs = backoff(attempt)
        const next = attempt < options.maxAttempts ? 'retry' : 'fail'
        req.onAttempt?.({ attempt, status: null, clientRequestId, requestId: undefined, at, next, waitMs })
        options.debug(
          `${req.method} ${req.path}: network error (${last.message}), client-request-id ${clientRequestId}; ${next}`
        )
        if (next === 'fail') throw exhausted(last, attempt, at, networkError)
        await options.sleep(waitMs)
        continue
      }

      const status = response.status
      const requestId = response.headers.get('request-id') ?? undefined
      const diagnostic = response.headers.get('x-ms-ags-diagnostic')
      options.debug(
        `${req.method} ${req.path}: ${status}, request-id ${requestId ?? '-'}, client-request-id ${clientRequestId}` +
          (diagnostic ? `, x-ms-ags-diagnostic ${diagnostic}` : '')
      )

      if (status >= 200 && status < 300) {
        req.onAttempt?.({ attempt, status, clientRequestId, requestId, at, next: 'done', waitMs: 0 })
        return {
          status,
          requestId,
          clientRequestId,
          location: sameOriginOrNone(response.headers.get('location')),
          text,
          attempts: attempt,
          at
        }
      }

      const envelope = parseGraphError(text)
      last = { status, clientRequestId, requestId, ...envelope }

      if (status === 401) {
        const next = refreshed ? 'fail' : 'refresh-token'
        req.onAttempt?.({ attempt, status, clientRequestId, requestId, at, next, waitMs: 0 })
        if (refreshed)
          throw new GraphError({
            kind: 'unauthorized',
            message: `Graph refused the access token twice (401 ${envelope.code ?? ''}: ${envelope.message ?? ''}); check that tenant-id and cloud match the Graph host.`,
            status,
            code: envelope.code,
            graphMessage: envelope.message,
            requestId,
            clientRequestId,
            attempts: attempt,
            at
          })
        refreshed = true
        await options.tokens.refresh()
        continue
      }

      if (status === 429 || status >= 500) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), at)
        // Quick retries would only spend the tenant's daily calls: a full bucket frees in minutes, a quota in hours.
        const lasting = lastingFailure(status, envelope.message, retryAfter, timing.maxRetryAfterMs)
        if (lasting) {
          req.onAttempt?.({
            attempt,
            status,
            clientRequestId,
            requestId,
            at,
            next: 'fail',
            waitMs: retryAfter ?? 0
          })
          throw new GraphError({
            kind: lasting,
            message:
              lasting === 'bucket-full'
                ? `${status}: the job's bucket of ingested data is full (${envelope.message ?? 'no message'})`
                : DAILY_QUOTA.test(envelope.message ?? '')
                  ? `${status}: the tenant's daily bulkUpload quota is exhausted (${envelope.message})`
                  : `Graph asked to wait ${Math.round((retryAfter ?? 0) / 1000)} s (${status}): the tenant's daily bulkUpload quota is likely exhausted`,
            status,
            code: envelope.code,
            graphMessage: envelope.message,
            requestId,
            clientRequestId,
            attempts: attempt,
            at,
            retryAfterMs: retryAfter
          })
        }
        const waitMs = retryAfter !== undefined ? Math.min(retryAfter, timing.maxWaitMs) : backoff(attempt)
        const next = attempt < options.maxAttempts ? 'retry' : 'fail'
        req.onAttempt?.({ attempt, status, clientRequestId, requestId, at, next, waitMs })
        if (next === 'fail') throw exhausted(last, attempt, at)
        if (retryAfter !== undefined) req.onThrottled?.(waitMs)
        await options.sleep(waitMs)
        continue
      }

      req.onAttempt?.({ attempt, status, clientRequestId, requestId, at, next: 'fail', waitMs: 0 })
      throw new GraphError({
        kind: 'rejected',
        message: `${status} ${envelope.code ?? ''}: ${envelope.message ?? 'no message'}`.replace(/ +:/, ':'),
        status,
        code: envelope.code,
        graphMessage: envelope.message,
        requestId,
        clientRequestId,
        attempts: attempt,
        at
      })
    }

    function exhausted(
      failure: NonNullable<typeof last>,
      attempts: number,
      at: number,
      cause?: unknown
    ): GraphError {
      const what =
        failure.status === null
          ? `network error (${failure.message})`
          : `${failure.status} ${failure.code ?? ''}`.trim()
      return new GraphError({
        kind: 'exhausted',
        message: `gave up after ${attempts} attempts; last: ${what}`,
        status: failure.status,
        code: failure.code,
        graphMessage: failure.message,
        requestId: failure.requestId,
        clientRequestId: failure.clientRequestId,
        attempts,
        at,
        cause
      })
    }
  }

  function sameOriginOrNone(location: string | null): string | undefined {
    if (!location) return undefined
    try {
      return assertSameOrigin(location).href
    } catch {
      options.debug(`Ignoring a Location on another host than ${origin}.`)
      return undefined
    }
  }

  return { origin, request, assertSameOrigin }
}

/** The bucket-full 500: Entra's message says the bucket holding the job's ingested data is full. */
const BUCKET_FULL = /\bbucket\b.*\bfull\b/i
/** A 429 whose message names the daily (24-hour) quota rather than the 5-second window. */
const DAILY_QUOTA = /\b(daily|quota|24[- ]hours?)\b/i

/**
 * A throttling or server answer that quick retries cannot fix: the bucket-full 500 (wait minutes), or the daily quota
 * (a 429 whose message says so, or whose Retry-After is longer than a window wait).
 */
export function lastingFailure(
  status: number,
  message: string | undefined,
  retryAfterMs: number | undefined,
  maxRetryAfterMs: number
): 'bucket-full' | 'quota' | undefined {
  if (status === 500 && message !== undefined && BUCKET_FULL.test(message)) return 'bucket-full'
  if (status === 429 && message !== undefined && DAILY_QUOTA.test(message)) return 'quota'
  if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) return 'quota'
  return undefined
}

/** Retry-After in seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export function parseGraphError(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }
    const out: { code?: string; message?: string } = {}
    if (typeof body.error?.code === 'string') out.code = body.error.code
    if (typeof body.error?.message === 'string') out.message = body.error.message
    return out
  } catch {
    return text ? { message: text.slice(0, 200) } : {}
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: unknown }).cause
  const detail = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : ''
  return `${error.message}${detail}`
}
