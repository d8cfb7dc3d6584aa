/**
 * The run's manifest as it happens: one JSON line per bulkUpload answer, written and flushed to disk before the next
 * answer is handled. A run that is cancelled, times out or is killed outright still leaves an exact record of what
 * Entra staged, which a rerun reads (`resume-from`) to send only the rest.
 *
 * Format (JSON Lines): a first line `{"journal":1,"startedAt":…,"requests":N,"records":M}`, then one line per answer:
 * `{"request":3,"outcome":"staged","httpStatus":202,"requestId":…,"clientRequestId":…,"time":…,"attempts":1,
 * "externalIds":["E1","E2"]}`.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs'
import path from 'node:path'
import type { Batch } from '../plan/model.ts'
import { notStarted, uploadTotals, type RequestOutcome, type UploadResult } from './upload-result.ts'

export const JOURNAL_VERSION = 1

export interface JournalHeader {
  journal: typeof JOURNAL_VERSION
  startedAt: string
  requests: number
  records: number
}

export interface JournalEntry {
  request: number
  outcome: RequestOutcome['outcome']
  httpStatus: number | null
  requestId: string | null
  clientRequestId: string | null
  time: string | null
  attempts: number
  kind?: string
  externalIds: string[]
}

export interface Journal {
  readonly file: string
  /** Appends one answer and flushes it to disk; outcomes with no call made (a stop before sending) are not answers. */
  record(outcome: RequestOutcome, externalIds: readonly string[]): void
  close(): void
}

export function openJournal(file: string, header: Omit<JournalHeader, 'journal'>): Journal {
  mkdirSync(path.dirname(file), { recursive: true })
  // 'w': a journal belongs to one run; a rerun in the same job step starts its own.
  const fd = openSync(file, 'w', 0o600)
  let open = true
  const append = (value: unknown): void => {
    writeSync(fd, `${JSON.stringify(value)}\n`)
    // Flushed per answer: the runner may kill the process at any moment after a cancellation.
    fdatasyncSync(fd)
  }
  append({ journal: JOURNAL_VERSION, ...header })
  return {
    file,
    record(outcome, externalIds) {
      if (!open || outcome.attempts === 0) return
      const entry: JournalEntry = {
        request: outcome.request,
        outcome: outcome.outcome,
        httpStatus: outcome.status,
        requestId: outcome.requestId ?? null,
        clientRequestId: outcome.clientRequestId ?? null,
        time: outcome.at === undefined ? null : new Date(outcome.at).toISOString(),
        attempts: outcome.attempts,
        ...(outcome.kind ? { kind: outcome.kind } : {}),
        externalIds: [...externalIds]
      }
      append(entry)
    },
    close() {
      if (!open) return
      open = false
      closeSync(fd)
    }
  }
}

/** The records a journal says were staged, with when (ms since the epoch). Lines that are not answers are skipped. */
export function stagedInJournal(text: string, file: string): Map<string, number> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const header = parseLine(lines[0] ?? '') as Partial<JournalHeader> | undefined
  if (header?.journal !== JOURNAL_VERSION)
    throw new Error(
      `'${file}' is not a manifest journal of this action (its first line has no "journal": 1).`
    )
  const staged = new Map<string, number>()
  for (const line of lines.slice(1)) {
    // The last line of a killed run may be cut short: it is skipped, as the answer was not fully recorded.
    const entry = parseLine(line) as Partial<JournalEntry> | undefined
    if (entry?.outcome !== 'staged' || !Array.isArray(entry.externalIds) || typeof entry.time !== 'string')
      continue
    const at = Date.parse(entry.time)
    if (Number.isNaN(at)) continue
    for (const id of entry.externalIds) if (typeof id === 'string') staged.set(id, at)
  }
  return staged
}

function parseLine(line: string): unknown {
  if (line.trim() === '') return undefined
  try {
    return JSON.parse(line) as unknown
  } catch {
    return undefined
  }
}

/**
 * The upload's result when calls in flight did not answer within the grace period: the answers recorded so far, and
 * every other request not confirmed staged (it may still have been, if it was in flight: its records show as such).
 */
export function cutShort(
  batches: readonly Batch[],
  answered: ReadonlyArray<RequestOutcome | undefined>,
  context: { reason: string; startedAt: number; finishedAt: number; budget: number | undefined }
): UploadResult {
  const message = `the run was cancelled (${context.reason}); answers still awaited were not recorded.`
  const unanswered = notStarted(
    { batches: [...batches] },
    { kind: 'cancelled', message },
    context.finishedAt
  ).requests
  const requests = unanswered.map(
    (request, index): RequestOutcome =>
      answered[index] ?? {
        ...request,
        reason: `not confirmed: ${message} If it was in flight, Entra may have staged it (the provisioning logs tell).`
      }
  )
  return {
    requests,
    startedAt: context.startedAt,
    finishedAt: context.finishedAt,
    calls: requests.reduce((sum, r) => sum + r.attempts, 0),
    throttled: 0,
    budget: context.budget,
    stopped: { kind: 'cancelled', message },
    totals: uploadTotals(requests)
  }
}
