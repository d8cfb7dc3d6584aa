import { createClock } from './clock.ts'
import {
  jobIdOf,
  resolveConfig,
  type EmulatorConfig,
  type EmulatorOptions,
  type FederatedCredential,
  type JobStatusCode,
  type SeedUser,
  type WorkflowRun
} from './config.ts'
import type { EmulatorContext } from './context.ts'
import { isoTime } from './context.ts'
import { keyMaterial, writeCaFile } from './certs.ts'
import { routeControl } from './control.ts'
import { mintGraphToken, routeEntra } from './entra.ts'
import { createFaults, type FaultRule } from './faults.ts'
import { createIds } from './ids.ts'
import { issueIdToken, oidcRequestUrl, routeOidc } from './oidc.ts'
import { createRecorder, type Counters, type RecordedRequest } from './recorder.ts'
import { startListeners } from './server.ts'
import { createDirectory, toGraphUser, type UserValue } from './graph/directory.ts'
import { createJob, jobJson, restartJob, setStatus } from './graph/job.ts'
import type { ProvisioningObjectSummary } from './graph/logs.ts'
import { routeGraph } from './graph/router.ts'
import { createThrottle } from './graph/throttle.ts'

export type {
  EmulatorConfig,
  EmulatorOptions,
  FaultRule,
  FederatedCredential,
  JobStatusCode,
  WorkflowRun,
  SeedUser
}
export type { ProvisioningObjectSummary, RecordedRequest, Counters }
export { GITHUB_ISSUER, ENTRA_AUDIENCE } from './config.ts'

/** A snapshot of the emulator's state. */
export interface Inspection {
  now: string
  /** Directory users in Graph shape, plus `deleted` and the manager's object id. */
  users: (Record<string, unknown> & { id: string; deleted: boolean; managerId: string | null })[]
  jobs: Record<string, unknown>[]
  /** Operations staged in the main job's queue, not yet processed. */
  queued: number
  /** Every log entry, including those not yet visible through the API. */
  logs: { visibleAt: string; record: ProvisioningObjectSummary }[]
  requests: RecordedRequest[]
  counters: Counters
}

export interface Emulator {
  /** ACTIONS_ID_TOKEN_REQUEST_URL (already contains `?`) and ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  oidc: { requestUrl: string; requestToken: string; issuer: string }
  /** https://127.0.0.1:PORT, for `authorityHost` (with `disableInstanceDiscovery: true`). */
  authorityHost: string
  /** https://127.0.0.1:PORT, serving `/v1.0` and `/beta`. */
  graphBaseUrl: string
  /** PEM file of the self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string
  ca: string
  tenantId: string
  clientId: string
  servicePrincipalId: string
  jobId: string
  /** The live configuration: changes apply to the next request. */
  config: EmulatorConfig
  clock: { now(): number; advance(ms: number): void }
  /** Environment variables and action inputs (`INPUT_TENANT-ID`, …) that point the action here. */
  env(): Record<string, string>
  inspect(): Inspection
  faults: { add(rule: FaultRule): void; clear(): void; list(): FaultRule[] }
  job: {
    get(): Record<string, unknown>
    setStatus(code: JobStatusCode, quarantineReason?: string): void
    restart(resetScope?: string): void
  }
  directory: {
    addUser(props: Record<string, UserValue>, id?: string): string
    removeUser(id: string): boolean
  }
  /** Replace the app's application permissions (the next tokens' `roles`). */
  setRoles(roles: string[]): void
  /** Change the workflow run the next OIDC tokens describe. */
  setRun(run: Partial<WorkflowRun>): void
  /** Mint tokens directly, without the HTTP round trips. */
  issueIdToken(audience?: string): string
  issueGraphToken(options?: { roles?: string[]; lifetimeSec?: number; audience?: string }): string
  stop(): Promise<void>
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = resolveConfig(options)
  const keys = await keyMaterial()
  const start = config.startTime ? Date.parse(config.startTime) : Math.floor(Date.now() / 1000) * 1000
  if (Number.isNaN(start)) throw new Error(`invalid startTime ${config.startTime}`)
  const clock = createClock(config.deterministic ? 'fake' : 'real', start)
  const ids = createIds(config.deterministic ? config.seed : null)
  const ctx: EmulatorContext = {
    config,
    clock,
    ids,
    keys,
    baseUrl: '',
    oidcUrl: '',
    faults: createFaults(config.faults),
    recorder: createRecorder(),
    directory: createDirectory(config.seedUsers, ids),
    jobs: new Map(),
    logs: [],
    throttle: createThrottle(config, clock)
  }
  const jobId = jobIdOf(config)
  ctx.jobs.set(jobId, createJob(ctx, jobId, config.templateId, config.jobStatus))
  for (const extra of config.extraJobs)
    ctx.jobs.set(extra.id, createJob(ctx, extra.id, extra.templateId, 'Active'))
  const mainJob = ctx.jobs.get(jobId)!

  const inspect = (): Inspection => ({
    now: isoTime(clock.now()),
    users: ctx.directory.all().map((u) => ({
      ...toGraphUser(u),
      id: u.id,
      deleted: u.deleted,
      managerId: typeof u.props.manager === 'string' ? u.props.manager : null
    })),
    jobs: [...ctx.jobs.values()].map((j) => jobJson(ctx, j)),
    queued: mainJob.queue.length,
    logs: ctx.logs.map((e) => ({ visibleAt: isoTime(e.visibleAt), record: structuredClone(e.record) })),
    requests: ctx.recorder.requests(),
    counters: ctx.recorder.counters()
  })

  const listeners = await startListeners(
    ctx,
    [(ex) => routeControl(ctx, ex, inspect), (ex) => routeEntra(ctx, ex), (ex) => routeGraph(ctx, ex)],
    [(ex) => routeOidc(ctx, ex)],
    keys.tls
  )
  ctx.baseUrl = `https://127.0.0.1:${listeners.httpsPort}`
  ctx.oidcUrl = `http://127.0.0.1:${listeners.oidcPort}`
  const ca = await writeCaFile(keys.tls.cert)

  const emulator: Emulator = {
    oidc: {
      requestUrl: oidcRequestUrl(ctx),
      requestToken: config.oidc.requestToken,
      issuer: config.oidc.issuer
    },
    authorityHost: ctx.baseUrl,
    graphBaseUrl: ctx.baseUrl,
    caFile: ca.caFile,
    ca: keys.tls.cert,
    tenantId: config.tenantId,
    clientId: config.clientId,
    servicePrincipalId: config.servicePrincipalId,
    jobId,
    config,
    clock: { now: () => clock.now(), advance: (ms) => clock.advance(ms) },
    env: () => ({
      ACTIONS_ID_TOKEN_REQUEST_URL: emulator.oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: config.oidc.requestToken,
      NODE_EXTRA_CA_CERTS: ca.caFile,
      'INPUT_TENANT-ID': config.tenantId,
      'INPUT_CLIENT-ID': config.clientId,
      'INPUT_SERVICE-PRINCIPAL-ID': config.servicePrincipalId,
      'INPUT_JOB-ID': jobId,
      'INPUT_AUTHORITY-HOST': ctx.baseUrl,
      'INPUT_GRAPH-URL': ctx.baseUrl,
      // The action paces its log reads to the window this emulator enforces (10 s unless a test shortens it).
      ENTRA_HR_SYNC_LOG_WINDOW_MS: String(config.logs.rateLimit.windowMs)
    }),
    inspect,
    faults: { add: (r) => ctx.faults.add(r), clear: () => ctx.faults.clear(), list: () => ctx.faults.list() },
    job: {
      get: () => jobJson(ctx, mainJob),
      setStatus: (code, reason) => setStatus(ctx, mainJob, code, reason),
      restart: (scope = 'Full') => restartJob(ctx, mainJob, scope)
    },
    directory: {
      addUser: (props, id) => ctx.directory.create(props, id).id,
      removeUser: (id) => ctx.directory.remove(id)
    },
    setRoles(roles) {
      config.roles = [...roles]
    },
    setRun(run) {
      config.oidc.run = { ...config.oidc.run, ...run }
    },
    issueIdToken: (audience) => issueIdToken(ctx, audience),
    issueGraphToken: (opts) => mintGraphToken(ctx, opts),
    async stop() {
      clock.dispose()
      await listeners.close()
      await ca.cleanup()
    }
  }
  return emulator
}
