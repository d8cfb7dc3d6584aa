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
  /** Extra request headers, e.g. `ConsistencyLevel: eventual` for Graph's advanced queries. */
  headers?: Record<string, string>
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
  const client: Client = { options, origin: new URL(options.baseUrl).origin }
  return {
    origin: client.origin,
    request: (req) => sendRequest(client, req),
    assertSameOrigin: (url) => onGraphOrigin(client.origin, url)
  }
}

/** What every step of a request reads: the options, and the one origin the bearer token may go to. */
interface Client {
  readonly options: GraphClientOptions
  readonly origin: string
}

/** An attempt that got an answer from Graph (any status). */
interface Answer {
  status: number
  requestId: string | undefined
  headers: Headers
  text: string
}

/** What one attempt got: an answer, or a network error (no answer); and when. */
type AttemptOutcome = { clientRequestId: string; at: number } & (
  { answer: Answer } | { answer: undefined; error: unknown; detail: string }
)

/** What the client does after an attempt; `waitMs` is what `onAttempt` reports. */
type Decision =
  | { next: 'done'; waitMs: 0; answer: Answer }
  | { next: 'retry'; waitMs: number; throttled: boolean }
  | { next: 'refresh-token'; waitMs: 0 }
  | { next: 'fail'; waitMs: number; error: GraphError }

/** A failed attempt: what every GraphError of the request carries. */
interface Failure {
  status: number | null
  code?: string
  /** Graph's message, or the network error's. */
  message?: string
  requestId: string | undefined
  clientRequestId: string
  attempts: number
  at: number
}

/** The failure kinds this client raises: all but 'aborted'. */
type ClientFailureKind = Exclude<GraphFailureKind, 'aborted'>

/**
 * The host check: `url` (absolute, or relative to the Graph origin) as a URL on the configured Graph
 * origin, or an error. Every URL the bearer token goes to passes through here.
 */
function onGraphOrigin(origin: string, url: string): URL {
  const parsed = new URL(url, origin)
  if (parsed.origin !== origin)
    throw new Error(`refusing to send the Graph token to ${parsed.origin}: only ${origin} is configured`)
  return parsed
}

/**
 * One request: attempts until one succeeds or an answer says to stop. The only state across attempts is
 * whether the token was refreshed already (the first 401 refreshes it; a second one fails).
 */
async function sendRequest(client: Client, req: GraphRequest): Promise<GraphResponse> {
  const { options } = client
  const url = onGraphOrigin(client.origin, `${client.origin}/${options.version}${req.path}`).href
  let refreshed = false
  for (let attempt = 1; ; attempt++) {
    const outcome = await sendAttempt(client, req, url)
    const decision = decideNext(options, outcome, attempt, refreshed)
    const { answer, clientRequestId, at } = outcome
    const { next, waitMs } = decision
    req.onAttempt?.({
      attempt,
      status: answer?.status ?? null,
      clientRequestId,
      requestId: answer?.requestId,
      at,
      next,
      waitMs
    })
    if (!outcome.answer)
      options.debug(
        `${req.method} ${req.path}: network error (${outcome.detail}), client-request-id ${clientRequestId}; ${next}`
      )
    switch (decision.next) {
      case 'done': {
        const { status, requestId, headers, text } = decision.answer
        const location = sameOriginOrNone(client, headers.get('location'))
        return { status, requestId, clientRequestId, location, text, attempts: attempt, at }
      }
      case 'fail':
        throw decision.error
      case 'refresh-token':
        refreshed = true
        await options.tokens.refresh()
        break
      case 'retry':
        if (decision.throttled) req.onThrottled?.(decision.waitMs)
        await options.sleep(decision.waitMs)
        break
    }
  }
}

/** One attempt: the pacing hook, the current token, a fresh client-request-id, the call, and its time. */
async function sendAttempt(client: Client, req: GraphRequest, url: string): Promise<AttemptOutcome> {
  const { options } = client
  await req.beforeAttempt?.()
  const token = await options.tokens.token()
  const clientRequestId = options.uuid()
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    'client-request-id': clientRequestId,
    Accept: 'application/json',
    ...req.headers
  }
  if (req.body !== undefined) headers['Content-Type'] = req.contentType ?? 'application/json'

  let response: Response | undefined
  let text = ''
  let error: unknown
  try {
    // 'manual': a redirect must not carry the token elsewhere (a Location is only read, if on the origin).
    response = await options.fetch(url, { method: req.method, headers, body: req.body, redirect: 'manual' })
    text = await response.text()
  } catch (caught) {
    error = caught
  }
  const at = options.now()
  if (!response || error !== undefined)
    return { clientRequestId, at, answer: undefined, error, detail: describeNetworkError(error) }

  const status = response.status
  const requestId = response.headers.get('request-id') ?? undefined
  const diagnostic = response.headers.get('x-ms-ags-diagnostic')
  options.debug(
    `${req.method} ${req.path}: ${status}, request-id ${requestId ?? '-'}, client-request-id ${clientRequestId}` +
      (diagnostic ? `, x-ms-ags-diagnostic ${diagnostic}` : '')
  )
  return { clientRequestId, at, answer: { status, requestId, headers: response.headers, text } }
}

/**
 * What to do after an attempt: 2xx is done; the first 401 refreshes the token; 429 and 5xx wait and retry
 * (unless the failure is a lasting one); network errors back off and retry; anything else fails at once.
 */
function decideNext(
  options: GraphClientOptions,
  outcome: AttemptOutcome,
  attempt: number,
  refreshed: boolean
): Decision {
  const { answer, clientRequestId, at } = outcome
  if (!answer) {
    const failure: Failure = {
      status: null,
      clientRequestId,
      message: outcome.detail,
      requestId: undefined,
      attempts: attempt,
      at
    }
    const wait = { waitMs: backoff(options, attempt), throttled: false }
    return retryOrGiveUp(options, failure, wait, outcome.error)
  }
  const { status, requestId } = answer
  if (status >= 200 && status < 300) return { next: 'done', waitMs: 0, answer }

  const failure: Failure & { status: number } = {
    status,
    clientRequestId,
    requestId,
    attempts: attempt,
    at,
    ...parseGraphError(answer.text)
  }
  if (status === 401)
    return refreshed
      ? { next: 'fail', waitMs: 0, error: failedAttemptError('unauthorized', failure) }
      : { next: 'refresh-token', waitMs: 0 }
  if (status === 429 || status >= 500) return decideTransient(options, failure, answer.headers)
  return { next: 'fail', waitMs: 0, error: failedAttemptError('rejected', failure) }
}

/** A 429 or 5xx: wait for Retry-After when the service sent one (it asks every caller), else back off. */
function decideTransient(
  options: GraphClientOptions,
  failure: Failure & { status: number },
  headers: Headers
): Decision {
  const { timing } = options
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), failure.at)
  // Quick retries would only spend the tenant's daily calls: a full bucket frees in minutes, a quota in hours.
  const lasting = lastingFailure(failure.status, failure.message, retryAfterMs, timing.maxRetryAfterMs)
  if (lasting)
    return {
      next: 'fail',
      waitMs: retryAfterMs ?? 0,
      error: failedAttemptError(lasting, failure, { retryAfterMs })
    }
  if (retryAfterMs === undefined)
    return retryOrGiveUp(options, failure, { waitMs: backoff(options, failure.attempts), throttled: false })
  return retryOrGiveUp(options, failure, {
    waitMs: Math.min(retryAfterMs, timing.maxWaitMs),
    throttled: true
  })
}

/** Another attempt after the wait, unless this was the last one allowed (max-retries). */
function retryOrGiveUp(
  options: GraphClientOptions,
  failure: Failure,
  wait: { waitMs: number; throttled: boolean },
  cause?: unknown
): Decision {
  if (failure.attempts < options.maxAttempts) return { next: 'retry', ...wait }
  return { next: 'fail', waitMs: wait.waitMs, error: failedAttemptError('exhausted', failure, { cause }) }
}

/** Full jitter: a random wait between 0 and the exponential step, so many clients do not retry in step. */
function backoff(options: GraphClientOptions, attempt: number): number {
  const { timing } = options
  return Math.min(
    timing.maxWaitMs,
    options.random() * Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** (attempt - 1))
  )
}

/** The error for a failed attempt: its kind's message, and what the attempt answered. */
function failedAttemptError(
  kind: ClientFailureKind,
  failure: Failure,
  extra: { retryAfterMs?: number | undefined; cause?: unknown } = {}
): GraphError {
  return new GraphError({
    kind,
    message: failureMessage(kind, failure, extra.retryAfterMs),
    status: failure.status,
    code: failure.code,
    graphMessage: failure.message,
    requestId: failure.requestId,
    clientRequestId: failure.clientRequestId,
    attempts: failure.attempts,
    at: failure.at,
    retryAfterMs: extra.retryAfterMs,
    cause: extra.cause
  })
}

/** The one line each kind of failure says. */
function failureMessage(kind: ClientFailureKind, failure: Failure, retryAfterMs: number | undefined): string {
  const { status, code, message } = failure
  switch (kind) {
    case 'unauthorized':
      return `Graph refused the access token twice (401 ${code ?? ''}: ${message ?? ''}); check that tenant-id and cloud match the Graph host.`
    case 'bucket-full':
      return `${status}: the job's bucket of ingested data is full (${message ?? 'no message'})`
    case 'quota':
      return DAILY_QUOTA.test(message ?? '')
        ? `${status}: the tenant's daily bulkUpload quota is exhausted (${message})`
        : `Graph asked to wait ${Math.round((retryAfterMs ?? 0) / 1000)} s (${status}): the tenant's daily bulkUpload quota is likely exhausted`
    case 'exhausted': {
      const what = status === null ? `network error (${message})` : `${status} ${code ?? ''}`.trim()
      return `gave up after ${failure.attempts} attempts; last: ${what}`
    }
    case 'rejected':
      return `${status} ${code ?? ''}: ${message ?? 'no message'}`.replace(/ +:/, ':')
  }
}

/** A Location worth keeping: only one on the Graph origin (the token goes nowhere else). */
function sameOriginOrNone(client: Client, location: string | null): string | undefined {
  if (!location) return undefined
  try {
    return onGraphOrigin(client.origin, location).href
  } catch {
    client.options.debug(`Ignoring a Location on another host than ${client.origin}.`)
    return undefined
  }
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
