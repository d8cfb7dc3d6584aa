/**
 * Choosing records to send again: the transient failures of this run (automatic re-submission) or the records a
 * previous run's report lists as failed (`resend-from`). Batches keep the plan's order, so managers still go first.
 */
import type { Batch, Plan } from '../plan/model.ts'
import { packBatches } from '../plan/batches.ts'
import { plural } from '../common/markdown.ts'
import { readPreviousReport } from './outcomes-json.ts'

/** Batches of at most `batchSize` holding the plan's batched records whose externalId is in `ids`, in plan order. */
export function batchesFor(
  plan: Pick<Plan, 'records' | 'batches'>,
  ids: ReadonlySet<string>,
  batchSize: number
): Batch[] {
  const chosen: number[] = []
  for (const batch of plan.batches)
    for (const index of batch.records) {
      const id = plan.records[index]?.externalId
      if (id !== undefined && ids.has(id)) chosen.push(index)
    }
  return packBatches(chosen, batchSize, (i) => plan.records[i]?.bytes ?? 0)
}

/**
 * The plan narrowed to the records listed in `ids` (resend-from): the other valid records stay in the plan (counted
 * and validated as before) but in no batch, so they are not sent. Returns the ids not found among the plan's valid
 * records.
 */
export function narrowPlan<P extends Pick<Plan, 'records' | 'batches' | 'batchSize'>>(
  plan: P,
  ids: ReadonlySet<string>
): { plan: P; missing: string[] } {
  const batches = batchesFor(plan, ids, plan.batchSize)
  const found = new Set<string>()
  for (const batch of batches)
    for (const index of batch.records) {
      const id = plan.records[index]?.externalId
      if (id !== undefined) found.add(id)
    }
  return { plan: { ...plan, batches }, missing: [...ids].filter((id) => !found.has(id)) }
}

/** resend-from: only the records a previous run's report lists as failed (matched by externalId) are sent. */
export async function resendFailed<P extends Parameters<typeof narrowPlan>[0]>(
  plan: P,
  file: string,
  roots: readonly string[],
  log: { info(message: string): void; warn(message: string): void }
): Promise<P> {
  const previous = await readPreviousReport(file, 'resend-from', roots)
  if (!previous.hasOutcomes)
    log.warn(
      `resend-from: ${file} has no outcomes (a run with logs-timeout 0 or an older version); nothing is re-sent.`
    )
  const narrowed = narrowPlan(plan, new Set(previous.failed.map((f) => f.externalId)))
  log.info(
    `resend-from: ${plural(previous.failed.length, 'record')} failed in the previous run; ${plural(previous.failed.length - narrowed.missing.length, 'is', 'are')} re-sent.`
  )
  if (narrowed.missing.length > 0)
    log.warn(
      `resend-from: ${plural(narrowed.missing.length, 'failed record')} not among this run's valid records (removed or now invalid): ${narrowed.missing.slice(0, 10).join(', ')}${narrowed.missing.length > 10 ? ', …' : ''}.`
    )
  return narrowed.plan
}
