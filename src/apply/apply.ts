/**
 * Apply mode after the plan: sign in, check the provisioning job, upload the batches. Returns what happened to every
 * request; a stop before the upload (sign-in, permissions, a paused job) is a result too, so the report still
 * accounts for every record.
 */
import { CLOUDS } from '../common/clouds.ts'
import type { Plan } from '../plan/model.ts'
import { createRequestRenderer } from '../plan/batches.ts'
import type { ApplySettings } from '../settings/settings.ts'
import { plural } from '../common/markdown.ts'
import { decodeClaims } from '../graph/auth.ts'
import { ApplyStop } from '../graph/errors.ts'
import { logPermissionProblem, rolesOf } from '../graph/log-permissions.ts'
import type { GraphClient } from '../graph/http.ts'
import { createPacer } from '../graph/pacer.ts'
import { checkJob, type JobTarget } from '../graph/provisioning.ts'
import { uploadPlan, type UploadOptions } from './upload.ts'
import { notStarted, type RequestOutcome, type UploadResult } from './upload-result.ts'
import { Cancelled, cancellableSleep, graceAfter, reasonOf } from './cancel.ts'
import { cutShort, openJournal } from './journal.ts'
import { openSession, type GraphSession, type SessionDependencies } from './session.ts'

/** The network edges (from the session) and what the upload adds: the pre-flight, cancellation and the journal. */
export interface ApplyDependencies extends SessionDependencies {
  /** Receives the signed-in session, so the log poll after the upload reuses it (no second sign-in). */
  onSession?: (session: GraphSession) => void
  /** More pre-flight checks after the job's (the mapping against the job's schema); an ApplyStop stops the upload. */
  preflight?: (client: GraphClient, target: JobTarget) => Promise<void>
  /** SIGINT/SIGTERM: stop sending, keep the answers of calls in flight (within CANCEL_GRACE_MS), return. */
  signal?: AbortSignal
  /** Where the manifest journal goes (JSON Lines, one line per answer, flushed as it arrives). */
  journalFile?: string
}

export async function applyPlan(
  plan: Plan,
  settings: ApplySettings,
  deps: ApplyDependencies
): Promise<UploadResult> {
  const { io, now } = deps
  const sleep = cancellableSleep(
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    deps.signal
  )
  if (plan.batches.length === 0) {
    io.info('No valid record to send.')
    return { ...notStarted(plan, { kind: 'empty', message: 'nothing to send' }, now()), stopped: undefined }
  }
  const log = { info: io.info, warn: io.warn, debug: io.debug }
  try {
    const session = openSession(settings, { ...deps, sleep })
    const { tokens, client } = session
    deps.onSession?.(session)
    const target = { servicePrincipalId: settings.servicePrincipalId, jobId: settings.jobId }

    const roles = await io.group('🔐 Signing in to Entra', async () => {
      const token = await tokens.token()
      const claims = decodeClaims(token)
      io.info(
        `Signed in to tenant ${settings.tenantId} (${settings.cloud} cloud) as app ${settings.clientId} with ${tokens.kind === 'oidc' ? 'the GitHub OIDC federated credential' : `a client ${tokens.kind}`}; ` +
          `Graph at ${client.origin}${settings.graphBaseUrl === CLOUDS[settings.cloud].graphBaseUrl ? '' : ' (graph-url override)'}.`
      )
      if (claims.roles) io.info(`Application permissions in the token: ${claims.roles.join(', ') || 'none'}.`)
      const logsProblem = logPermissionProblem(rolesOf(claims))
      if (logsProblem) io.warn(logsProblem)
      return claims.roles
    })

    await io.group('🩺 Checking the provisioning job', async () => {
      const check = await checkJob(client, target, roles)
      for (const warning of check.warnings) io.warn(warning)
      if (check.code) io.info(`Provisioning job ${settings.jobId}: ${check.code}.`)
      await deps.preflight?.(client, target)
    })

    if (deps.signal?.aborted) throw new Cancelled(reasonOf(deps.signal))
    return await io.group('📤 Uploading', async () => {
      const limit = settings.rateLimit
      io.info(
        `${plural(plan.batches.length, 'bulk request')} to send, ${limit > 0 ? `at most ${limit} calls per ${settings.timing.windowMs / 1000} s` : 'unpaced (rate-limit 0)'}, ` +
          `${settings.dailyCallBudget === undefined ? 'no call budget' : `a budget of ${plural(settings.dailyCallBudget, 'call')}`}, up to ${settings.maxRetries} attempts each.`
      )
      const result = await journaledUpload(plan, deps, {
        plan,
        render: createRequestRenderer(plan),
        client,
        target,
        pacer: createPacer({
          limit,
          windowMs: settings.timing.windowMs,
          marginMs: settings.timing.windowMarginMs,
          budget: settings.dailyCallBudget,
          now,
          sleep
        }),
        budget: settings.dailyCallBudget,
        concurrency: settings.timing.concurrency,
        now,
        bucketWait: {
          waitMs: settings.bucketFullWaitMs,
          deadline: now() + settings.uploadTimeoutMs,
          maxSleepMs: settings.timing.maxWaitMs
        },
        log,
        ...(deps.signal ? { signal: deps.signal } : {})
      })
      const { totals } = result
      io.info(
        `${plural(totals.sent, 'record')} sent (staged) in ${plural(totals.requestsSent, 'request')}, ${totals.retried} after a retry, ${totals.notSent} not sent; ` +
          `${plural(result.calls, 'call')}, ${result.throttled} throttled, ${((result.finishedAt - result.startedAt) / 1000).toFixed(1)} s.`
      )
      return result
    })
  } catch (error) {
    if (!(error instanceof ApplyStop) && !(error instanceof Cancelled)) throw error
    io.warn(error.message)
    const kind = error instanceof ApplyStop ? error.kind : 'cancelled'
    return {
      ...notStarted(plan, { kind, message: error.message }, now()),
      budget: settings.dailyCallBudget
    }
  }
}

/**
 * The upload, with every answer appended to the manifest journal as it arrives. After a cancellation, answers of
 * calls in flight are awaited for CANCEL_GRACE_MS at most; then the result is made of the answers recorded.
 */
async function journaledUpload(
  plan: Plan,
  deps: Pick<ApplyDependencies, 'signal' | 'journalFile' | 'now'>,
  options: UploadOptions
): Promise<UploadResult> {
  const answered: RequestOutcome[] = []
  const idsOf = (request: number): string[] =>
    (plan.batches[request]?.records ?? []).flatMap((index) => plan.records[index]?.externalId ?? [])
  const startedAt = deps.now()
  const journal = deps.journalFile
    ? openJournal(deps.journalFile, {
        startedAt: new Date(startedAt).toISOString(),
        requests: plan.batches.length,
        records: plan.batches.reduce((sum, batch) => sum + batch.records.length, 0)
      })
    : undefined
  try {
    const uploading = uploadPlan({
      ...options,
      onOutcome: (outcome) => {
        answered[outcome.request] = outcome
        journal?.record(outcome, idsOf(outcome.request))
      }
    })
    return await Promise.race([
      uploading,
      graceAfter(deps.signal).then(() =>
        cutShort(plan.batches, answered, {
          reason: deps.signal ? reasonOf(deps.signal) : 'cancelled',
          startedAt,
          finishedAt: deps.now(),
          budget: options.budget
        })
      )
    ])
  } finally {
    journal?.close()
  }
}
