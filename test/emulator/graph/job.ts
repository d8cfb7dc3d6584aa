import type { EmulatorContext } from '../context.ts'
import type { JobStatusCode } from '../config.ts'
import { isoTime } from '../context.ts'
import { isObject } from '../jwt.ts'
import { buildSchema } from './mapping.ts'
import { cancelCycle, scheduleCycle } from './processing.ts'
import { graphEmpty, graphError, graphJson, type GraphCall } from './envelope.ts'

/** An operation accepted by bulkUpload and waiting in the job's queue for a cycle. */
export interface StagedOperation {
  requestSeq: number
  method: 'POST' | 'DELETE'
  bulkId: string
  data: Record<string, unknown>
  uploadedAt: number
}

export interface TaskExecution {
  activityIdentifier: string
  countEntitled: number
  countEntitledForProvisioning: number
  countEscrowed: number
  countEscrowedRaw: number
  countExported: number
  countExports: number
  countImported: number
  countImportedDeltas: number
  countImportedReferenceDeltas: number
  error: { code: string; message: string; tenantActionable: boolean } | null
  state: 'Succeeded' | 'Failed' | 'EntryLevelErrors'
  timeBegan: string
  timeEnded: string
}

export interface Quarantine {
  currentBegan: string
  nextAttempt: string
  reason: string
  seriesBegan: string
  seriesCount: number
  error: { code: string; message: string; tenantActionable: boolean }
}

export interface JobState {
  id: string
  templateId: string
  code: JobStatusCode
  quarantine: Quarantine | null
  queue: StagedOperation[]
  /** Number of accepted uploads (identifies a request for duplicate detection). */
  uploads: number
  cycleTimer: number | null
  /** Escrowed anchors: externalId → object id of the user this job created or matched. */
  anchors: Map<string, string>
  schema: Record<string, unknown>
  lastExecution: TaskExecution | null
  lastSuccessfulExecution: TaskExecution | null
  lastSuccessfulExecutionWithExports: TaskExecution | null
  escrowsPruned: boolean
  countSuccessiveCompleteFailures: number
}

export function createJob(
  ctx: EmulatorContext,
  id: string,
  templateId: string,
  code: JobStatusCode
): JobState {
  const job: JobState = {
    id,
    templateId,
    code: 'NotRun',
    quarantine: null,
    queue: [],
    uploads: 0,
    cycleTimer: null,
    anchors: new Map(),
    schema: buildSchema(ctx.config, id, `Date:${isoTime(ctx.clock.now())}`),
    lastExecution: null,
    lastSuccessfulExecution: null,
    lastSuccessfulExecutionWithExports: null,
    escrowsPruned: false,
    countSuccessiveCompleteFailures: 0
  }
  setStatus(ctx, job, code)
  return job
}

/** Puts the job in a state; Quarantine gets a quarantine record, Active resumes processing. */
export function setStatus(
  ctx: EmulatorContext,
  job: JobState,
  code: JobStatusCode,
  reason = 'EncounteredQuarantineException'
): void {
  job.code = code
  if (code === 'Quarantine') {
    const now = ctx.clock.now()
    job.quarantine = {
      currentBegan: isoTime(now),
      nextAttempt: isoTime(now + 6 * 3600 * 1000),
      reason,
      seriesBegan: job.quarantine?.seriesBegan ?? isoTime(now),
      seriesCount: (job.quarantine?.seriesCount ?? 0) + 1,
      error: {
        code: 'QuarantineException',
        message:
          'The provisioning job is in quarantine. Set a notification email under Settings, then restart provisioning.',
        tenantActionable: true
      }
    }
  } else job.quarantine = null
  if (code === 'Active') scheduleCycle(ctx, job)
  else cancelCycle(ctx, job)
}

/** `restart` with its resetScope flags; an idle job (no cycle pending) also drops staged uploads. */
export function restartJob(ctx: EmulatorContext, job: JobState, resetScope: string): void {
  const flags = resetScope.split(',').map((s) => s.trim())
  const full = flags.includes('Full')
  if (full || flags.includes('Watermark')) job.anchors.clear()
  if (full || flags.includes('Escrows')) job.escrowsPruned = true
  if (job.cycleTimer === null) job.queue = []
  setStatus(ctx, job, 'Active')
}

export function jobJson(ctx: EmulatorContext, job: JobState): Record<string, unknown> {
  const paused = job.code === 'Paused'
  return {
    id: job.id,
    templateId: job.templateId,
    schedule: {
      expiration: null,
      interval: 'PT40M',
      state: paused ? 'Paused' : job.code === 'NotRun' ? 'Disabled' : 'Active'
    },
    status: {
      code: job.code,
      countSuccessiveCompleteFailures: job.countSuccessiveCompleteFailures,
      escrowsPruned: job.escrowsPruned,
      lastExecution: job.lastExecution,
      lastSuccessfulExecution: job.lastSuccessfulExecution,
      lastSuccessfulExecutionWithExports: job.lastSuccessfulExecutionWithExports,
      progress: [],
      quarantine: job.quarantine,
      steadyStateFirstAchievedTime: '0001-01-01T00:00:00Z',
      steadyStateLastAchievedTime: '0001-01-01T00:00:00Z',
      synchronizedEntryCountByType: [{ key: 'User', value: job.anchors.size }],
      troubleshootingUrl: null
    },
    synchronizationJobSettings: [
      { name: 'QuarantineTooManyDeletesThreshold', value: '500' },
      { name: 'Domain', value: ctx.config.verifiedDomains[0] ?? '' }
    ]
  }
}

/** GET jobs, GET job, POST start|pause|restart, GET|PUT schema. Auth and 404s are done by the router. */
export function handleJobAction(call: GraphCall, job: JobState, action: string | undefined): void {
  const { ctx, ex } = call
  if (action === undefined)
    return graphJson(call, 200, { '@odata.context': context(call, `jobs/$entity`), ...jobJson(ctx, job) })
  if (action === 'schema') {
    if (ex.method === 'GET')
      return graphJson(call, 200, { '@odata.context': context(call, 'jobs/schema/$entity'), ...job.schema })
    const body = parseJson(ex.body)
    if (!isObject(body) || !Array.isArray(body.directories) || !Array.isArray(body.synchronizationRules))
      return graphError(
        call,
        400,
        'BadRequest',
        'The schema must contain directories and synchronizationRules.'
      )
    delete body['@odata.context']
    job.schema = { ...body, id: job.id, version: `Date:${isoTime(ctx.clock.now())}` }
    return graphEmpty(call, 204)
  }
  if (action === 'start') setStatus(ctx, job, 'Active')
  else if (action === 'pause') setStatus(ctx, job, 'Paused')
  else if (action === 'restart') {
    const body = parseJson(ex.body)
    const criteria = isObject(body) && isObject(body.criteria) ? body.criteria : {}
    restartJob(ctx, job, typeof criteria.resetScope === 'string' ? criteria.resetScope : 'Full')
  }
  graphEmpty(call, 204)
}

export function listJobs(call: GraphCall): void {
  const value = [...call.ctx.jobs.values()].map((j) => jobJson(call.ctx, j))
  graphJson(call, 200, { '@odata.context': context(call, 'jobs'), value })
}

function context(call: GraphCall, suffix: string): string {
  const sp = call.ctx.config.servicePrincipalId
  return `${call.ctx.baseUrl}/${call.version}/$metadata#servicePrincipals('${sp}')/synchronization/${suffix}`
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length ? JSON.parse(body.toString('utf8')) : undefined
  } catch {
    return undefined
  }
}
