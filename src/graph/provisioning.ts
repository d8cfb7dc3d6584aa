/**
 * The provisioning job: the pre-flight read (is it there, running, not quarantined, and may we use it) and
 * bulkUpload itself.
 */
import { ApplyStop } from './errors.ts'
import { LOGS_PERMISSION_TEXT } from './log-permissions.ts'
import { GraphError, type GraphClient, type GraphRequest, type GraphResponse } from './http.ts'

export const UPLOAD_PERMISSION = 'SynchronizationData-User.Upload'
const PERMISSION_HINT =
  `Grant the app registration the Microsoft Graph application permission ${UPLOAD_PERMISSION} (or .OwnedBy on a provisioning app it owns) with admin consent; ` +
  `reading the job needs Synchronization.Read.All, reading provisioning logs needs ${LOGS_PERMISSION_TEXT}.`

export interface JobTarget {
  servicePrincipalId: string
  jobId: string
}

export interface JobCheck {
  /** status.code of the job, or undefined when the job could not be read (no permission to read it). */
  code: string | undefined
  warnings: string[]
}

export function jobPath(target: JobTarget): string {
  return `/servicePrincipals/${encodeURIComponent(target.servicePrincipalId)}/synchronization/jobs/${encodeURIComponent(target.jobId)}`
}

/**
 * Reads the job before uploading. Stops the run when the job is missing, paused or quarantined (uploads would
 * only pile up in its bucket) or when Graph refuses the upload permission.
 */
export async function checkJob(
  client: GraphClient,
  target: JobTarget,
  grantedRoles: readonly string[] | undefined
): Promise<JobCheck> {
  const warnings: string[] = []
  const canUpload = grantedRoles?.some((role) => role.startsWith(UPLOAD_PERMISSION))
  if (grantedRoles && !canUpload) {
    throw new ApplyStop(
      'permission',
      `The access token has no ${UPLOAD_PERMISSION} permission (roles: ${grantedRoles.join(', ') || 'none'}). ${PERMISSION_HINT}`
    )
  }
  let response: GraphResponse
  try {
    response = await client.request({ method: 'GET', path: jobPath(target) })
  } catch (error) {
    if (!(error instanceof GraphError)) throw error
    const where = `request-id ${error.requestId ?? '-'}`
    if (error.status === 404)
      throw new ApplyStop(
        'job-not-found',
        `Provisioning job not found (404 ${error.code ?? ''}, ${where}): check service-principal-id (the object id of the provisioning app's service principal, not its appId) and job-id (Provisioning → View technical information).`
      )
    if (error.status === 403) {
      if (canUpload) {
        // The upload permission is there; only reading the job is not. Upload without the pre-flight.
        warnings.push(
          `Could not read the provisioning job (403): grant Synchronization.Read.All to check its state before uploading. Uploading anyway.`
        )
        return { code: undefined, warnings }
      }
      throw new ApplyStop(
        'permission',
        `Graph refused access to the provisioning job (403 ${error.code ?? ''}, ${where}). ${PERMISSION_HINT}`
      )
    }
    throw new ApplyStop('job-read', `Could not read the provisioning job: ${error.message} (${where}).`)
  }

  const job = parseJson(response.text)
  const status = (job.status ?? {}) as Record<string, unknown>
  const code = typeof status.code === 'string' ? status.code : undefined
  if (code === 'Paused')
    throw new ApplyStop(
      'job-paused',
      `The provisioning job is paused: uploads would wait in its queue and never be processed. Start it (Entra admin centre → the provisioning app → Provisioning → Start provisioning), then re-run.`
    )
  if (code === 'Quarantine') {
    const quarantine = (status.quarantine ?? {}) as Record<string, unknown>
    const error = (quarantine.error ?? {}) as Record<string, unknown>
    const reason = typeof quarantine.reason === 'string' ? quarantine.reason : 'Unknown'
    const detail = typeof error.message === 'string' ? `: ${error.message}` : ''
    throw new ApplyStop(
      'job-quarantined',
      `The provisioning job is in quarantine (${reason}${detail}). Fix the cause (for API-driven apps often a missing notification e-mail in Settings), then Restart provisioning in the Entra admin centre and re-run.`
    )
  }
  if (code === 'NotRun' || code === 'NotConfigured')
    warnings.push(
      `The provisioning job's status is ${code}: records will be staged but processed only once provisioning is started.`
    )
  const schedule = (job.schedule ?? {}) as Record<string, unknown>
  if (typeof schedule.state === 'string' && schedule.state !== 'Active')
    warnings.push(
      `The provisioning job's schedule is ${schedule.state}: staged records are processed only while it is Active.`
    )
  return { code, warnings }
}

/** POST …/bulkUpload with the SCIM content type (without it Graph answers 400 "Invalid Data Format"). */
export function bulkUpload(
  client: GraphClient,
  target: JobTarget,
  body: string,
  hooks: Pick<GraphRequest, 'beforeAttempt' | 'onThrottled' | 'onAttempt'>
): Promise<GraphResponse> {
  return client.request({
    method: 'POST',
    path: `${jobPath(target)}/bulkUpload`,
    body,
    contentType: 'application/scim+json',
    ...hooks
  })
}

/** The fix for a bulkUpload that Graph refused outright. */
export function rejectionHint(status: number | null): string {
  switch (status) {
    case 400:
      return 'The request body was refused; this is a bug in entra-hr-sync if the plan passed validation: please report it with the request-id.'
    case 403:
      return PERMISSION_HINT
    case 404:
      return 'Check service-principal-id and job-id.'
    case 413:
      return 'The request is too large; lower batch-size.'
    default:
      return ''
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
