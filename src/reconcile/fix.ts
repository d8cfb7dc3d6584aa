/**
 * `reconcile: fix` in apply mode: the plan narrowed to exactly the records that drifted or are missing in Entra, so
 * one scheduled job can check and heal. Everything else of apply mode (safety gates, budget, outcomes) is unchanged.
 */
import type { ActionIO } from '../common/runner-port.ts'
import { narrowPlan } from '../outcomes/resend.ts'
import type { Plan } from '../plan/model.ts'
import { plural } from '../common/markdown.ts'
import { readAndCompare, type ReconcileContext } from './run-reconcile.ts'

export async function reconcileFixPlan<P extends Plan>(
  plan: P,
  context: Pick<ReconcileContext, 'settings' | 'deps'> & { io: ActionIO }
): Promise<P> {
  const { comparison } = await readAndCompare({ ...context, plan })
  const ids = new Set(
    comparison.findings.filter((f) => f.class === 'drift' || f.class === 'missing').map((f) => f.externalId)
  )
  const narrowed = narrowPlan(plan, ids)
  context.io.info(
    `reconcile: fix: ${plural(comparison.counts.drift, 'drifted record')} and ${plural(comparison.counts.missing, 'missing record')} are sent; ${plural(comparison.counts['leaver-enabled'], 'leaver still enabled', 'leavers still enabled')} and ${plural(comparison.counts.orphan, 'orphan')} are only reported (run mode reconcile for the details).`
  )
  return narrowed.plan
}
