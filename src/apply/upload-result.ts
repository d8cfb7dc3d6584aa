/**
 * What an upload did with each bulk request: staged (202) or not sent, and why. Plain data, produced by the upload
 * and rendered by the job summary, the JSON report, the outputs and the cancellation note.
 */
import type { Plan } from '../plan/model.ts'

export type NotSentKind =
  'budget' | 'quota' | 'bucket-full' | 'rejected' | 'exhausted' | 'unauthorized' | 'stopped'

export interface RequestOutcome {
  /** Index into plan.batches (the `request` of the plan report). */
  request: number
  records: number
  outcome: 'staged' | 'not-sent'
  /** HTTP status of the last answer; null when none came (network error) or nothing was sent. */
  status: number | null
  requestId: string | undefined
  clientRequestId: string | undefined
  /** When the last answer came, ms since the epoch; undefined when nothing was sent. */
  at: number | undefined
  /** Calls made for this request (1 when it went through at once). */
  attempts: number
  kind?: NotSentKind
  reason?: string
}

export interface UploadResult {
  requests: RequestOutcome[]
  startedAt: number
  finishedAt: number
  /** bulkUpload calls made, retries included. */
  calls: number
  /** Answers with status 429. */
  throttled: number
  budget: number | undefined
  /** Set when the upload stopped before the end (or never started): what kind of stop, and why in one line. */
  stopped: { kind: string; message: string; retryAt?: number } | undefined
  totals: UploadTotals
}

export interface UploadTotals {
  /** Records in staged requests (202). */
  sent: number
  /** Of those, records whose request needed more than one attempt. */
  retried: number
  /** Valid records not accepted. */
  notSent: number
  notSentBy: Partial<Record<NotSentKind, number>>
  requestsSent: number
  requestsNotSent: number
}

export function uploadTotals(requests: readonly RequestOutcome[]): UploadTotals {
  const totals: UploadTotals = {
    sent: 0,
    retried: 0,
    notSent: 0,
    notSentBy: {},
    requestsSent: 0,
    requestsNotSent: 0
  }
  for (const r of requests) {
    if (r.outcome === 'staged') {
      totals.sent += r.records
      totals.requestsSent++
      if (r.attempts > 1) totals.retried += r.records
    } else {
      totals.notSent += r.records
      totals.requestsNotSent++
      const kind = r.kind ?? 'stopped'
      totals.notSentBy[kind] = (totals.notSentBy[kind] ?? 0) + r.records
    }
  }
  return totals
}

/** The result of an upload that never started (sign-in or pre-flight stopped it): every request not sent. */
export function notStarted(
  plan: Pick<Plan, 'batches'>,
  stopped: { kind: string; message: string },
  at: number
): UploadResult {
  const requests = plan.batches.map((batch, request): RequestOutcome => ({
    request,
    records: batch.records.length,
    outcome: 'not-sent',
    status: null,
    requestId: undefined,
    clientRequestId: undefined,
    at: undefined,
    attempts: 0,
    kind: 'stopped',
    reason: `not sent: ${stopped.message}`
  }))
  return {
    requests,
    startedAt: at,
    finishedAt: at,
    calls: 0,
    throttled: 0,
    budget: undefined,
    stopped,
    totals: uploadTotals(requests)
  }
}
