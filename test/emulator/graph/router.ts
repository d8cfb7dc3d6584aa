import type { EmulatorContext } from '../context.ts'
import type { FaultRule } from '../faults.ts'
import type { Exchange } from '../http.ts'
import type { Route } from '../route.ts'
import { authenticate, authorize, permissionsFor } from './auth.ts'
import { bucketFull, dailyQuotaExceeded, handleBulkUpload } from './bulk-upload.ts'
import { STATUS_CODES, graphError, newCall, type GraphCall } from './envelope.ts'
import { handleJobAction, listJobs } from './job.ts'
import { handleLogs } from './logs.ts'
import { handleUsers } from './users.ts'

const API_TEMPLATES = ['API2AAD', 'API2AD']
const JOB_ACTIONS = ['bulkUpload', 'start', 'pause', 'restart', 'schema']

/** Microsoft Graph under `/v1.0` and `/beta`, with identical behaviour. */
export function routeGraph(ctx: EmulatorContext, ex: Exchange): Route | null {
  const m = /^\/(v1\.0|beta)(\/.*)?$/.exec(ex.url.pathname)
  if (!m) return null
  const segments = (m[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent)
  const endpoint =
    segments[0] === 'auditLogs'
      ? 'graph.logs'
      : segments[0] === 'users'
        ? 'graph.users'
        : segments[0] === 'servicePrincipals' && segments[5] === 'bulkUpload'
          ? 'graph.bulkUpload'
          : segments[0] === 'servicePrincipals'
            ? 'graph.job'
            : 'graph.other'
  return {
    endpoint,
    handle: (fault) => {
      const call = newCall(ctx, ex, m[1] as 'v1.0' | 'beta', segments)
      if (fault?.kind === 'bucket-full') return bucketFull(call, segments[4] ?? '', undefined)
      if (fault?.kind === 'daily-quota') return dailyQuotaExceeded(call, fault.retryAfter ?? 3600)
      if (fault?.status) return statusFault(call, fault)
      const claims = authenticate(call)
      if (claims) dispatch(call, claims)
    }
  }
}

function statusFault(call: GraphCall, fault: FaultRule): void {
  const [code, message] = STATUS_CODES[fault.status!] ?? ['UnknownError', 'Injected fault.']
  const headers: Record<string, string> = {}
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter)
  graphError(call, fault.status!, fault.code ?? code, fault.message ?? message, { headers })
}

function dispatch(call: GraphCall, claims: Record<string, unknown>): void {
  const { ctx, ex, segments: s } = call
  const notFound = (what: string): void =>
    graphError(
      call,
      404,
      'Request_ResourceNotFound',
      `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`
    )
  const methodNotAllowed = (allowed: string[]): void =>
    graphError(
      call,
      405,
      'Request_BadRequest',
      `The HTTP method '${ex.method}' is not allowed for this resource.`,
      {
        headers: { Allow: allowed.join(', ') }
      }
    )

  if (s[0] === 'auditLogs' && s[1] === 'provisioning' && s.length <= 3) {
    if (ex.method !== 'GET') return methodNotAllowed(['GET'])
    if (authorize(call, claims, permissionsFor(ctx, 'logs'))) handleLogs(call, s[2])
    return
  }
  if (s[0] === 'users' && s.length <= 3) {
    if (ex.method !== 'GET') return methodNotAllowed(['GET'])
    if (authorize(call, claims, permissionsFor(ctx, 'users'))) handleUsers(call, s[1], s[2])
    return
  }
  if (s[0] === 'servicePrincipals' && s[2] === 'synchronization' && s[3] === 'jobs' && s.length <= 6) {
    const [, spId, , , jobId, action] = s
    if (action !== undefined && !JOB_ACTIONS.includes(action)) return notFound(action)
    const allowed = action === undefined ? ['GET'] : action === 'schema' ? ['GET', 'PUT'] : ['POST']
    if (!allowed.includes(ex.method)) return methodNotAllowed(allowed)
    const area = action === 'bulkUpload' ? 'upload' : ex.method === 'GET' ? 'jobRead' : 'jobWrite'
    if (!authorize(call, claims, permissionsFor(ctx, area))) return
    if (spId !== ctx.config.servicePrincipalId) return notFound(spId!)
    if (jobId === undefined) return listJobs(call)
    const job = ctx.jobs.get(jobId)
    if (!job) return notFound(jobId)
    if (action === 'bulkUpload') {
      if (!API_TEMPLATES.includes(job.templateId))
        return graphError(
          call,
          404,
          'Request_ResourceNotFound',
          `The synchronization job '${jobId}' (template '${job.templateId}') does not support bulkUpload.`
        )
      return handleBulkUpload(call, job)
    }
    return handleJobAction(call, job, action)
  }
  graphError(call, 400, 'BadRequest', `Resource not found for the segment '${s[0] ?? ''}'.`)
}
