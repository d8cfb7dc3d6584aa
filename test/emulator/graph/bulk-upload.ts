import { header } from '../http.ts'
import { isObject } from '../jwt.ts'
import type { JobState, StagedOperation } from './job.ts'
import { scheduleCycle } from './processing.ts'
import { graphEmpty, graphError, type ErrorDetail, type GraphCall } from './envelope.ts'

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const INVALID = 'Invalid Data Format'

/**
 * POST …/jobs/{jobId}/bulkUpload after authentication, permission and job lookup (done by the router):
 * rate limits, content type, size, BulkRequest validation, the job's queue capacity, then 202 with
 * an empty body and the Location of the job's provisioning logs.
 */
export function handleBulkUpload(call: GraphCall, job: JobState): void {
  const { ctx, ex } = call
  const { graph } = ctx.config

  const limit = ctx.throttle.check()
  if (!limit.ok)
    return limit.reason === 'window'
      ? graphError(
          call,
          429,
          'TooManyRequests',
          `Too many requests. The limit is ${graph.rateLimit.maxCalls} calls in ${graph.rateLimit.windowMs / 1000} seconds. Please try again later.`,
          { headers: { 'Retry-After': String(limit.retryAfterSec) } }
        )
      : dailyQuotaExceeded(call, limit.retryAfterSec)

  const mediaType = (header(ex, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (mediaType !== 'application/scim+json') return graphError(call, 400, 'BadRequest', INVALID)
  if (ex.bodyTooLarge)
    return graphError(
      call,
      413,
      'RequestEntityTooLarge',
      `The request body exceeds ${graph.maxBodyBytes} bytes.`
    )

  let body: unknown
  try {
    body = JSON.parse(ex.body.toString('utf8'))
  } catch {
    return invalid(call, [{ code: 'InvalidJson', message: 'The request body is not valid JSON.' }])
  }
  const checked = validate(body, graph.maxOperations, graph.legacyDelete)
  if ('errors' in checked) return invalid(call, checked.errors)

  const ops = checked.operations
  const capacity =
    job.code === 'Active' ? graph.queueCapacity : (graph.queueCapacityWhenStopped ?? graph.queueCapacity)
  if (job.queue.length + ops.length > capacity) return bucketFull(call, job.id, job.queue.length)

  const requestSeq = ++job.uploads
  const uploadedAt = ctx.clock.now()
  job.queue.push(...ops.map((op) => ({ ...op, requestSeq, uploadedAt })))
  scheduleCycle(ctx, job)
  graphEmpty(call, 202, {
    Location: `${ctx.baseUrl}/${call.version}/auditLogs/provisioning/?$filter=jobid%20eq%20'${job.id}'`
  })
}

/** The 500 the service answers while the job's bucket of ingested data is full (wait 5–10 minutes). */
export function bucketFull(call: GraphCall, jobId: string, waiting: number | undefined): void {
  const queued = waiting === undefined ? '' : `: ${waiting} operations are waiting to be processed`
  graphError(
    call,
    500,
    'InternalServerError',
    `The bucket for synchronization job '${jobId}' is full${queued}. Try again in 5 to 10 minutes.`
  )
}

/** The 429 of the tenant's daily bulkUpload quota (2,000 calls with P1/P2, 6,000 with Governance). */
export function dailyQuotaExceeded(call: GraphCall, retryAfterSec: number | string): void {
  graphError(
    call,
    429,
    'TooManyRequests',
    `Too many requests. The tenant's daily quota of ${call.ctx.config.graph.rateLimit.dailyQuota} calls is exhausted. Please try again later.`,
    { headers: { 'Retry-After': String(retryAfterSec) } }
  )
}

function invalid(call: GraphCall, details: ErrorDetail[]): void {
  graphError(call, 400, 'BadRequest', INVALID, { details })
}

type Operation = Omit<StagedOperation, 'requestSeq' | 'uploadedAt'>

/** BulkRequest rules of the spec (§1.4, checklist 6); missing externalId is accepted and fails later. */
function validate(
  body: unknown,
  maxOperations: number,
  legacyDelete: boolean
): { operations: Operation[] } | { errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = []
  const err = (target: string, message: string): void => {
    errors.push({ code: 'InvalidBulkRequest', message, target })
  }
  if (!isObject(body))
    return { errors: [{ code: 'InvalidBulkRequest', message: 'The body must be a JSON object.' }] }
  if (!Array.isArray(body.schemas) || !body.schemas.includes(BULK_REQUEST))
    err('schemas', `schemas must contain '${BULK_REQUEST}'.`)
  const ops = body.Operations
  if (!Array.isArray(ops) || ops.length === 0) err('Operations', 'Operations must be a non-empty array.')
  else if (ops.length > maxOperations)
    err('Operations', `Operations has ${ops.length} items; at most ${maxOperations} are allowed per request.`)
  if (errors.length) return { errors }

  const operations: Operation[] = []
  ;(ops as unknown[]).forEach((op, i) => {
    const at = `Operations[${i}]`
    if (!isObject(op)) return err(at, 'Each operation must be an object.')
    const allowed = legacyDelete ? ['POST', 'DELETE'] : ['POST']
    if (typeof op.method !== 'string' || !allowed.includes(op.method))
      err(`${at}.method`, `method must be ${allowed.map((m) => `'${m}'`).join(' or ')}.`)
    if (op.path !== '/Users') err(`${at}.path`, "path must be '/Users'.")
    if (typeof op.bulkId !== 'string' || op.bulkId === '') err(`${at}.bulkId`, 'bulkId is required.')
    const data = op.data
    if (!isObject(data)) return err(`${at}.data`, 'data is required.')
    const schemas = Array.isArray(data.schemas) ? data.schemas : []
    if (!schemas.includes(CORE_USER)) err(`${at}.data.schemas`, `data.schemas must contain '${CORE_USER}'.`)
    for (const key of Object.keys(data))
      if (key.startsWith('urn:') && !schemas.includes(key))
        err(`${at}.data.schemas`, `The extension '${key}' is used but not listed in data.schemas.`)
    operations.push({ method: op.method as 'POST' | 'DELETE', bulkId: String(op.bulkId), data })
  })
  return errors.length ? { errors } : { operations }
}
