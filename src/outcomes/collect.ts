/**
 * The outcome of every record sent: poll the logs, then re-send the records that failed for a transient reason
 * (up to `resubmitAttempts` rounds) and poll for them again. Pure: the log poll and the re-send are injected.
 */
import type { AwaitedRecord, PollResult } from '../graph/logs.ts'
import { isTransient, toOutcome, type RecordOutcome, type SentRecord } from './outcome.ts'

export interface CollectOptions {
  sent: readonly SentRecord[]
  /** One poll round for these records; `readyAt` is when the last of them was sent. */
  poll: (records: AwaitedRecord[], ignoreIds: ReadonlySet<string>, readyAt: number) => Promise<PollResult>
  /** Re-sends the records; returns when each accepted one was staged (ms), by externalId. Absent: no re-send. */
  resend?: (records: readonly RecordOutcome[]) => Promise<Map<string, number>>
  resubmitAttempts: number
  log: { info(message: string): void; warn(message: string): void }
}

export interface CollectResult {
  /** In the order of `sent`. */
  outcomes: RecordOutcome[]
  calls: number
  polls: number
  recordQueries: number
  /** Re-send rounds run, and records re-sent in all. */
  rounds: number
  resubmitted: number
  /** Why the logs could not be read to the end (then the records without an entry are not seen). */
  problem: string | undefined
  operator: string
}

export async function collectOutcomes(options: CollectOptions): Promise<CollectResult> {
  const { sent, log } = options
  const result: CollectResult = {
    outcomes: [],
    calls: 0,
    polls: 0,
    recordQueries: 0,
    rounds: 0,
    resubmitted: 0,
    problem: undefined,
    operator: 'ge'
  }
  if (sent.length === 0) return result
  const consumed = new Set<string>()
  const account = (poll: PollResult): void => {
    result.calls += poll.calls
    result.polls += poll.polls
    result.recordQueries += poll.recordQueries
    result.problem = poll.problem
    result.operator = poll.operator
    for (const list of poll.entries.values()) for (const entry of list) consumed.add(entry.id)
  }

  const readyAt = Math.max(...sent.map((r) => r.sentAt))
  const first = await options.poll(
    sent.map((r) => ({ externalId: r.externalId, notBefore: r.sentAt })),
    consumed,
    readyAt
  )
  account(first)
  const outcomes = sent.map((r) => toOutcome(r, first.entries.get(r.externalId)))
  const index = new Map(outcomes.map((o, i) => [o.externalId, i]))

  for (let round = 1; round <= options.resubmitAttempts && options.resend; round++) {
    const transient = outcomes.filter(isTransient)
    if (transient.length === 0) break
    log.info(
      `Re-sending ${transient.length} record${transient.length === 1 ? '' : 's'} that failed for a transient reason (round ${round} of ${options.resubmitAttempts}).`
    )
    const accepted = await options.resend(transient)
    result.rounds++
    const awaited: AwaitedRecord[] = []
    for (const failed of transient) {
      const at = accepted.get(failed.externalId)
      if (at === undefined) continue
      result.resubmitted++
      // Only entries after the failure count: the failed entry itself is in `consumed`.
      awaited.push({ externalId: failed.externalId, notBefore: Math.max(at, failed.time ?? at) })
    }
    if (awaited.length < transient.length)
      log.warn(
        `${transient.length - awaited.length} of ${transient.length} records could not be re-sent; their outcome stays failed.`
      )
    if (awaited.length === 0) break
    const poll = await options.poll(awaited, consumed, Math.max(...awaited.map((a) => a.notBefore)))
    account(poll)
    for (const a of awaited) {
      const i = index.get(a.externalId) as number
      const before = outcomes[i] as RecordOutcome
      const entries = poll.entries.get(a.externalId)
      const sentAt = accepted.get(a.externalId) ?? before.sentAt
      outcomes[i] = toOutcome({ ...pick(before), sentAt }, entries, before.resubmitted + 1)
    }
  }
  result.outcomes = outcomes
  return result
}

function pick(o: RecordOutcome): SentRecord {
  return { file: o.file, line: o.line, externalId: o.externalId, sentAt: o.sentAt }
}
