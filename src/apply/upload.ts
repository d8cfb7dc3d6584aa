/**
 * Sends a plan's batches to bulkUpload and accounts for every one: staged (202: accepted for processing, which is
 * not yet success), or not sent and why. Several requests are in flight at once so network latency does not lower
 * throughput, while the pacer keeps the calls within the rate limit and the budget. A batch waits for the batches
 * holding its records' managers, so the service sees managers first even when requests overtake each other.
 */
import type { Batch, Plan } from '../plan/model.ts'
import { GraphError, type GraphClient } from '../graph/http.ts'
import { BudgetExhausted, type Pacer } from '../graph/pacer.ts'
import { bulkUpload, rejectionHint, type JobTarget } from '../graph/provisioning.ts'
import { createBucketWaiter, type BucketWait, type Hooks } from './bucket.ts'
import { Cancelled } from './cancel.ts'
import { uploadTotals, type NotSentKind, type RequestOutcome, type UploadResult } from './upload-result.ts'

export interface UploadOptions {
  plan: Pick<Plan, 'records' | 'batches'>
  render: (batch: Batch) => string
  client: GraphClient
  target: JobTarget
  pacer: Pacer
  budget: number | undefined
  concurrency: number
  now: () => number
  /** How long to hold every call back after the bucket-full 500 (bucket-full-wait). */
  bucketWait?: BucketWait | undefined
  log: { info(message: string): void; warn(message: string): void; debug(message: string): void }
  /** Called with each request's outcome as soon as it is settled (the manifest journal). */
  onOutcome?: (outcome: RequestOutcome) => void
  /** Cancellation (SIGINT/SIGTERM): no call starts after it; answers of calls in flight are still recorded. */
  signal?: AbortSignal
}

class StopSignal extends Error {}

export async function uploadPlan(options: UploadOptions): Promise<UploadResult> {
  const { plan, log } = options
  const batches = plan.batches
  const outcomes: Array<RequestOutcome | undefined> = new Array(batches.length)
  const deps = managerDependencies(plan)
  const settled = batches.map(() => deferred())
  const startedAt = options.now()
  let stopped: UploadResult['stopped']
  let throttled = 0
  let next = 0
  let done = 0
  const progressEvery = Math.max(1, Math.ceil(batches.length / 10))

  const stop = (kind: string, message: string): void => {
    if (!stopped) {
      stopped = { kind, message }
      log.warn(`Upload stopped: ${message}`)
    }
  }

  const waitForBucket = createBucketWaiter({
    wait: options.bucketWait,
    pacer: options.pacer,
    now: options.now,
    stopped: () => stopped !== undefined,
    warn: log.warn
  })
  const halted = (): boolean => {
    if (options.signal?.aborted)
      stop('cancelled', `the run was cancelled (${String(options.signal.reason)}).`)
    return stopped !== undefined
  }

  const send = async (index: number): Promise<RequestOutcome> => {
    const batch = batches[index] as Batch
    const base = { request: index, records: batch.records.length }
    let attempts = 0
    try {
      const body = options.render(batch)
      const post = (hooks: Hooks) => bulkUpload(options.client, options.target, body, hooks)
      const response = await waitForBucket(index, post, {
        beforeAttempt: async () => {
          if (halted()) throw new StopSignal()
          await options.pacer.acquire()
          if (halted()) throw new StopSignal()
          attempts++
        },
        onThrottled: (waitMs) => options.pacer.pause(waitMs),
        onAttempt: (attempt) => {
          if (attempt.status === 429) throttled++
          if (attempt.next === 'retry' || attempt.next === 'refresh-token')
            log.info(
              `Request ${index + 1}: ${attempt.status ?? 'network error'} (request-id ${attempt.requestId ?? '-'}), attempt ${attempt.attempt}; ` +
                (attempt.next === 'retry'
                  ? `retrying in ${(attempt.waitMs / 1000).toFixed(1)} s.`
                  : 'signing in again.')
            )
        }
      })
      log.debug(`Request ${index + 1}: ${response.status} staged, request-id ${response.requestId ?? '-'}`)
      return {
        ...base,
        outcome: 'staged',
        status: response.status,
        requestId: response.requestId,
        clientRequestId: response.clientRequestId,
        at: response.at,
        attempts
      }
    } catch (error) {
      const notSent = (kind: NotSentKind, reason: string, from?: GraphError): RequestOutcome => ({
        ...base,
        outcome: 'not-sent',
        status: from?.status ?? null,
        requestId: from?.requestId,
        clientRequestId: from?.clientRequestId,
        at: from?.at,
        attempts,
        kind,
        reason
      })
      // A wait (pacer, retry) cut short by the cancellation: this request was not sent again.
      if (error instanceof StopSignal || (error instanceof Cancelled && halted()))
        return notSent('stopped', `not sent: ${stopped?.message ?? 'the upload stopped'}`)
      if (error instanceof BudgetExhausted) {
        stop(
          'budget',
          `${error.message}; the remaining requests were not sent (raise daily-call-budget or re-run later).`
        )
        return notSent('budget', 'not sent: daily-call-budget reached')
      }
      if (!(error instanceof GraphError)) throw error
      const id = `request-id ${error.requestId ?? '-'}`
      switch (error.kind) {
        case 'quota': {
          const retryAt = error.retryAfterMs === undefined ? undefined : error.at + error.retryAfterMs
          const frees =
            retryAt === undefined
              ? 'Entra gave no time: the quota counts calls over a rolling 24 hours'
              : `Entra says it frees at ${new Date(retryAt).toISOString()}`
          stop(
            'quota',
            `${error.message} (${id}); ${frees}. Re-run then (resend-from sends only what is missing).`
          )
          if (stopped && retryAt !== undefined) stopped.retryAt ??= retryAt
          return notSent('quota', `not sent: ${error.message}`, error)
        }
        case 'bucket-full':
          stop(
            'bucket-full',
            `request ${index + 1}: ${error.message} (${id}), and ${options.bucketWait ? "waiting for it to drain would pass the upload's time budget (upload-timeout)" : 'this upload does not wait for it'}; re-run later.`
          )
          return notSent('bucket-full', `not sent: ${error.message}`, error)
        case 'unauthorized':
          stop('unauthorized', `${error.message} (${id})`)
          return notSent('unauthorized', error.message, error)
        case 'exhausted':
          stop('exhausted', `request ${index + 1} ${error.message} (${id}); Graph is failing, re-run later.`)
          return notSent('exhausted', error.message, error)
        default: {
          const hint = rejectionHint(error.status)
          const reason = `Graph refused the request: ${error.message}${hint ? `. ${hint}` : ''}`
          // 403/404 hold for every request; a 400 or 413 may be this request's alone.
          if (error.status === 403 || error.status === 404) stop('rejected', `${reason} (${id})`)
          else log.warn(`Request ${index + 1} not sent: ${reason} (${id})`)
          return notSent('rejected', reason, error)
        }
      }
    }
  }

  const worker = async (): Promise<void> => {
    for (;;) {
      if (halted()) return
      const index = next++
      if (index >= batches.length) return
      try {
        await Promise.all((deps[index] ?? []).map((d) => settled[d]?.promise))
        outcomes[index] = await send(index)
        options.onOutcome?.(outcomes[index] as RequestOutcome)
      } finally {
        settled[index]?.resolve()
      }
      done++
      if (done % progressEvery === 0 || done === batches.length)
        log.info(
          `${done} of ${batches.length} requests answered; ${options.pacer.calls} calls, ${throttled} throttled.`
        )
    }
  }

  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, Math.max(1, batches.length)) }, worker)
  )

  const requests = batches.map(
    (batch, index): RequestOutcome =>
      outcomes[index] ?? {
        request: index,
        records: batch.records.length,
        outcome: 'not-sent',
        status: null,
        requestId: undefined,
        clientRequestId: undefined,
        at: undefined,
        attempts: 0,
        kind: stopped?.kind === 'budget' ? 'budget' : 'stopped',
        reason:
          stopped?.kind === 'budget'
            ? 'not sent: daily-call-budget reached'
            : `not sent: ${stopped?.message ?? 'the upload stopped'}`
      }
  )
  return {
    requests,
    startedAt,
    finishedAt: options.now(),
    calls: options.pacer.calls,
    throttled,
    budget: options.budget,
    stopped,
    totals: uploadTotals(requests)
  }
}

/** For each batch, the earlier batches that hold managers of its records. */
export function managerDependencies(plan: Pick<Plan, 'records' | 'batches'>): number[][] {
  const batchOfId = new Map<string, number>()
  plan.batches.forEach((batch, b) => {
    for (const index of batch.records) {
      const id = plan.records[index]?.externalId
      if (id !== undefined) batchOfId.set(id, b)
    }
  })
  return plan.batches.map((batch, b) => {
    const found = new Set<number>()
    for (const index of batch.records) {
      const manager = plan.records[index]?.managerId
      const at = manager === undefined ? undefined : batchOfId.get(manager)
      if (at !== undefined && at < b) found.add(at)
    }
    return [...found]
  })
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}
