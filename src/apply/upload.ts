/**
 * Sends a plan's batches to bulkUpload and accounts for every one: staged (202: accepted for processing, which is
 * not yet success), or not sent and why. Several requests are in flight at once so network latency does not lower
 * throughput, while the pacer keeps the calls within the rate limit and the budget. A batch waits for the batches
 * holding its records' managers, so the service sees managers first even when requests overtake each other.
 */
import type { Batch, Plan } from '../plan/model.ts'
import { GraphError, type AttemptRecord, type GraphClient } from '../graph/http.ts'
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

/** Sends the plan's batches; the result accounts for every request, sent or not. */
export async function uploadPlan(options: UploadOptions): Promise<UploadResult> {
  const run = new UploadRun(options)
  await run.sendAll()
  return run.result()
}

/** Why a request was not sent, and the answer that said so (none when no call was answered). */
interface NotSent {
  kind: NotSentKind
  reason: string
  from?: GraphError | undefined
}

/** The request's numbers, as every outcome starts. */
type RequestBase = Pick<RequestOutcome, 'request' | 'records'>

/**
 * One upload: the state its workers share (the next batch to take, each batch's outcome, why the upload stopped,
 * the counts) and the steps a worker takes. Workers interleave only at awaits, so the fields need no locking.
 */
class UploadRun {
  private readonly options: UploadOptions
  private readonly batches: readonly Batch[]
  private readonly outcomes: Array<RequestOutcome | undefined>
  /** For each batch, the earlier batches holding its records' managers: it is sent after they are answered. */
  private readonly deps: number[][]
  /** Resolved once a batch is answered or given up, for the batches waiting on it. */
  private readonly settled: Array<{ promise: Promise<void>; resolve: () => void }>
  private readonly startedAt: number
  /** Progress is logged about every tenth of the requests. */
  private readonly progressEvery: number
  private readonly waitForBucket: ReturnType<typeof createBucketWaiter>
  private stopped: UploadResult['stopped']
  private throttled = 0
  /** The index of the next batch a free worker takes. */
  private next = 0
  private done = 0

  constructor(options: UploadOptions) {
    this.options = options
    this.batches = options.plan.batches
    this.outcomes = new Array(this.batches.length)
    this.deps = managerDependencies(options.plan)
    this.settled = this.batches.map(() => deferred())
    this.startedAt = options.now()
    this.progressEvery = Math.max(1, Math.ceil(this.batches.length / 10))
    this.waitForBucket = createBucketWaiter({
      wait: options.bucketWait,
      pacer: options.pacer,
      now: options.now,
      stopped: () => this.stopped !== undefined,
      warn: options.log.warn
    })
  }

  /** Runs `concurrency` workers (no more than there are batches) until every batch is taken or the upload stops. */
  sendAll(): Promise<void[]> {
    const workers = Math.min(this.options.concurrency, Math.max(1, this.batches.length))
    return Promise.all(Array.from({ length: workers }, () => this.worker()))
  }

  /** Every request's outcome (those never taken are not sent, for the reason the upload stopped) and the counts. */
  result(): UploadResult {
    const stopped = this.stopped
    const requests = this.batches.map(
      (batch, index): RequestOutcome =>
        this.outcomes[index] ??
        notSentOutcome(
          { request: index, records: batch.records.length },
          0,
          stopped?.kind === 'budget'
            ? { kind: 'budget', reason: 'not sent: daily-call-budget reached' }
            : { kind: 'stopped', reason: `not sent: ${stopped?.message ?? 'the upload stopped'}` }
        )
    )
    return {
      requests,
      startedAt: this.startedAt,
      finishedAt: this.options.now(),
      calls: this.options.pacer.calls,
      throttled: this.throttled,
      budget: this.options.budget,
      stopped,
      totals: uploadTotals(requests)
    }
  }

  /** Takes the next batch, waits for its managers' batches, sends it and records the outcome; until none is left. */
  private async worker(): Promise<void> {
    const { log, pacer } = this.options
    for (;;) {
      if (this.halted()) return
      const index = this.next++
      if (index >= this.batches.length) return
      try {
        await Promise.all((this.deps[index] ?? []).map((d) => this.settled[d]?.promise))
        this.outcomes[index] = await this.send(index)
        this.options.onOutcome?.(this.outcomes[index] as RequestOutcome)
      } finally {
        this.settled[index]?.resolve()
      }
      this.done++
      if (this.done % this.progressEvery === 0 || this.done === this.batches.length)
        log.info(
          `${this.done} of ${this.batches.length} requests answered; ${pacer.calls} calls, ${this.throttled} throttled.`
        )
    }
  }

  /** Sends one batch (retries and bucket-full waits included) and says what became of it. */
  private async send(index: number): Promise<RequestOutcome> {
    const { options } = this
    const batch = this.batches[index] as Batch
    const base: RequestBase = { request: index, records: batch.records.length }
    const tally = { attempts: 0 }
    try {
      const body = options.render(batch)
      const post = (hooks: Hooks) => bulkUpload(options.client, options.target, body, hooks)
      const response = await this.waitForBucket(index, post, {
        beforeAttempt: () => this.beforeAttempt(tally),
        onThrottled: (waitMs) => options.pacer.pause(waitMs),
        onAttempt: (attempt) => this.onAttempt(index, attempt)
      })
      options.log.debug(
        `Request ${index + 1}: ${response.status} staged, request-id ${response.requestId ?? '-'}`
      )
      return {
        ...base,
        outcome: 'staged',
        status: response.status,
        requestId: response.requestId,
        clientRequestId: response.clientRequestId,
        at: response.at,
        attempts: tally.attempts
      }
    } catch (error) {
      return notSentOutcome(base, tally.attempts, this.whyNotSent(index, error))
    }
  }

  /** Before each call: none starts once the upload has stopped, and each waits for the pacer. */
  private async beforeAttempt(tally: { attempts: number }): Promise<void> {
    if (this.halted()) throw new StopSignal()
    await this.options.pacer.acquire()
    if (this.halted()) throw new StopSignal()
    tally.attempts++
  }

  /** Counts throttled answers and logs each call that is made again. */
  private onAttempt(index: number, attempt: AttemptRecord): void {
    if (attempt.status === 429) this.throttled++
    if (attempt.next === 'retry' || attempt.next === 'refresh-token')
      this.options.log.info(
        `Request ${index + 1}: ${attempt.status ?? 'network error'} (request-id ${attempt.requestId ?? '-'}), attempt ${attempt.attempt}; ` +
          (attempt.next === 'retry'
            ? `retrying in ${(attempt.waitMs / 1000).toFixed(1)} s.`
            : 'signing in again.')
      )
  }

  /** Why a request that failed was not sent; stops the upload when no later request could fare better. */
  private whyNotSent(index: number, error: unknown): NotSent {
    // A wait (pacer, retry) cut short by the cancellation: this request was not sent again.
    if (error instanceof StopSignal || (error instanceof Cancelled && this.halted()))
      return { kind: 'stopped', reason: `not sent: ${this.stopped?.message ?? 'the upload stopped'}` }
    if (error instanceof BudgetExhausted) {
      this.stop(
        'budget',
        `${error.message}; the remaining requests were not sent (raise daily-call-budget or re-run later).`
      )
      return { kind: 'budget', reason: 'not sent: daily-call-budget reached' }
    }
    if (!(error instanceof GraphError)) throw error
    return this.refusedBy(index, error)
  }

  /** The Graph answer that refused a request: which stop the upload (quota, bucket-full, sign-in, 403/404...). */
  private refusedBy(index: number, error: GraphError): NotSent {
    const id = `request-id ${error.requestId ?? '-'}`
    switch (error.kind) {
      case 'quota': {
        const retryAt = error.retryAfterMs === undefined ? undefined : error.at + error.retryAfterMs
        const frees =
          retryAt === undefined
            ? 'Entra gave no time: the quota counts calls over a rolling 24 hours'
            : `Entra says it frees at ${new Date(retryAt).toISOString()}`
        this.stop(
          'quota',
          `${error.message} (${id}); ${frees}. Re-run then (resend-from sends only what is missing).`
        )
        if (this.stopped && retryAt !== undefined) this.stopped.retryAt ??= retryAt
        return { kind: 'quota', reason: `not sent: ${error.message}`, from: error }
      }
      case 'bucket-full':
        this.stop(
          'bucket-full',
          `request ${index + 1}: ${error.message} (${id}), and ${this.options.bucketWait ? "waiting for it to drain would pass the upload's time budget (upload-timeout)" : 'this upload does not wait for it'}; re-run later.`
        )
        return { kind: 'bucket-full', reason: `not sent: ${error.message}`, from: error }
      case 'unauthorized':
        this.stop('unauthorized', `${error.message} (${id})`)
        return { kind: 'unauthorized', reason: error.message, from: error }
      case 'exhausted':
        this.stop(
          'exhausted',
          `request ${index + 1} ${error.message} (${id}); Graph is failing, re-run later.`
        )
        return { kind: 'exhausted', reason: error.message, from: error }
      default: {
        const hint = rejectionHint(error.status)
        const reason = `Graph refused the request: ${error.message}${hint ? `. ${hint}` : ''}`
        // 403/404 hold for every request; a 400 or 413 may be this request's alone.
        if (error.status === 403 || error.status === 404) this.stop('rejected', `${reason} (${id})`)
        else this.options.log.warn(`Request ${index + 1} not sent: ${reason} (${id})`)
        return { kind: 'rejected', reason, from: error }
      }
    }
  }

  /** True once the upload has stopped; a cancellation stops it here. */
  private halted(): boolean {
    const { signal } = this.options
    if (signal?.aborted) this.stop('cancelled', `the run was cancelled (${String(signal.reason)}).`)
    return this.stopped !== undefined
  }

  /** The first reason to stop wins, and is logged once. */
  private stop(kind: string, message: string): void {
    if (!this.stopped) {
      this.stopped = { kind, message }
      this.options.log.warn(`Upload stopped: ${message}`)
    }
  }
}

function notSentOutcome(base: RequestBase, attempts: number, why: NotSent): RequestOutcome {
  const from = why.from
  return {
    ...base,
    outcome: 'not-sent',
    status: from?.status ?? null,
    requestId: from?.requestId,
    clientRequestId: from?.clientRequestId,
    at: from?.at,
    attempts,
    kind: why.kind,
    reason: why.reason
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
