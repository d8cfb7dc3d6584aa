/**
 * Wires the stages for the chosen mode and nothing else: `run` reads as the pipeline, settings → sources → plan →
 * review → records to send → apply → outcomes → report. Each step lives in the stage that owns it; the small
 * functions below only pass each stage what it needs.
 */
import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { InputError } from './common/diagnostics.ts'
import { plural } from './common/markdown.ts'
import type { ActionIO } from './common/runner-port.ts'
import { applyPlan, type ApplyDependencies } from './apply/apply.ts'
import { untilCancelled } from './apply/cancel.ts'
import { prepareSchemaStage, type SchemaStage } from './apply/schema-preflight.ts'
import { openSession, type GraphSession } from './apply/session.ts'
import type { UploadResult } from './apply/upload-result.ts'
import { readEventPayload } from './git/event.ts'
import type { CommentClient } from './github/comment.ts'
import { runReportMode } from './outcomes/from-previous-run.ts'
import type { SentRecord } from './outcomes/outcome.ts'
import { readOutcomes, sentRecords, type OutcomeStage } from './outcomes/read-outcomes.ts'
import { resendFailed } from './outcomes/resend.ts'
import { resumeFrom } from './outcomes/resume.ts'
import { writeback, type WritebackResult } from './outcomes/writeback.ts'
import type { Plan } from './plan/model.ts'
import { buildPlanOfGroups, type PlanOptions, type SourceGroup } from './plan/plan.ts'
import { openSourceGroups } from './plan/source-groups.ts'
import { ValueStore } from './plan/value-store.ts'
import { reconcileFixPlan } from './reconcile/fix.ts'
import { runReconcile } from './reconcile/run-reconcile.ts'
import { reportFailure } from './report/failure.ts'
import { planTotals } from './report/job-summary.ts'
import { reportRun, type RunResults } from './report/run-report.ts'
import { findBase, reviewAgainstBase, type BaseCommit, type ReviewStage } from './review/against-base.ts'
import { secretValues } from './settings/secret-inputs.ts'
import { readSettings, scratchPath, type Settings } from './settings/settings.ts'
import { DiagnosticFactory } from './settings/diagnostic-factory.ts'

export interface RunDependencies {
  io: ActionIO
  env: NodeJS.ProcessEnv
  now: () => Date
  /** Network edges of apply mode (fetch, sleep, credential); real ones by default. */
  apply?: Partial<Omit<ApplyDependencies, 'io' | 'env' | 'now'>>
  /** Fires on SIGINT/SIGTERM (a cancelled or timed-out job): stop sending, report what was staged, fail. */
  signal?: AbortSignal
  /** Signs in to GitHub's API for the pull-request comment (the runner adapter's Octokit). */
  commentClient?: (token: string) => Promise<CommentClient>
}

/** What every step is given: the settings, the runner, the clock, the network edges and the scratch files. */
interface Run extends RunDependencies {
  settings: Settings
  network: ApplyDependencies
  scratch: (extension: string) => string
}

export async function run(dependencies: RunDependencies): Promise<void> {
  const { io, env, now } = dependencies
  let settings: Settings | undefined
  let values: ValueStore | undefined
  try {
    settings = readSettings(io.getInput, env)
    const context = await start(settings, dependencies)
    if (settings.mode === 'report') return await reportFromPreviousRun(context)
    const payload = await readEventPayload(env)
    const base = settings.mode === 'reconcile' ? undefined : await findBaseCommit(context, payload)
    // Values are kept only when payloads will be rendered or compared; a plan that only reports needs none.
    if (settings.requestsDir || settings.apply || base) values = new ValueStore(context.scratch('values'))
    const groups = await io.group('📂 Reading HR files and mappings', () =>
      openSourceGroups(context.settings, io.info)
    )
    const planOptions = planOptionsFor(context)
    const schema = await schemaCheck(context, groups, planOptions.diagnostics)
    const plan = await planRecords(context, groups, { ...planOptions, values })
    if (settings.mode === 'reconcile') return await reconcile(context, plan)
    const review = base ? await reviewChanges(context, base, plan, groups, planOptions) : undefined
    const gatesStop = settings.apply !== undefined && review !== undefined && !review.review.gates.passed
    if (review?.selection?.fullReason) io.warn(review.selection.fullReason)
    const chosen = await recordsToSend(context, review?.selection?.plan ?? plan, gatesStop)
    const applied = gatesStop ? NOTHING_APPLIED : await applyAndReadOutcomes(context, chosen, schema)
    // When apply mode never reached the pre-flight (nothing to send, sign-in failed), schema-file still gives the
    // offline check.
    const checked = (settings.apply ? schema.result() : undefined) ?? schema.offline()
    const results: RunResults = { plan, sent: chosen.plan, review, gatesStop, ...applied, schema: checked }
    await reportRun({ ...context, payload }, results)
  } catch (error) {
    await reportFailure(error, io, settings, env, now)
  } finally {
    values?.dispose()
  }
}

/** Masks the credentials before anything is logged and makes sure RUNNER_TEMP exists. */
async function start(settings: Settings, dependencies: RunDependencies): Promise<Run> {
  const { io, env, now } = dependencies
  for (const secret of secretValues(settings.apply)) io.setSecret?.(secret)
  await mkdir(settings.runnerTemp, { recursive: true })
  return {
    ...dependencies,
    settings,
    network: { ...dependencies.apply, io, env, now: () => now().getTime() },
    scratch: (extension) => scratchPath(settings.runnerTemp, env, extension)
  }
}

/** mode: report — the outcomes of an earlier apply run's records, read from the logs; nothing is uploaded. */
async function reportFromPreviousRun({ settings, io, network, scratch, now }: Run): Promise<void> {
  const { apply, previousReport } = settings
  // readSettings refuses mode report without previous-report; every mode but plan has apply settings.
  if (!apply || !previousReport) throw new Error('mode report without apply settings or previous-report')
  await runReportMode({
    io,
    deps: network,
    apply,
    outcomes: settings.outcomes,
    previousReport,
    workspace: settings.workspace,
    runnerTemp: settings.runnerTemp,
    delimiter: settings.delimiter,
    detail: settings.summaryDetail,
    repository: settings.repository,
    maxAnnotations: settings.maxAnnotations,
    reportFile: scratch('json'),
    failedFilePath: scratch('failed.csv'),
    generatedAt: now
  })
}

async function findBaseCommit({ settings, env, io }: Run, payload: unknown): Promise<BaseCommit | undefined> {
  return findBase(settings, env, payload, {
    info: io.info,
    warn: (message) => io.annotate({ severity: 'warning', title: 'No review of changes', message })
  })
}

/** How records are planned, the same for the head and the base of a review (each plan keeps its own values). */
function planOptionsFor({ settings, now }: Run): Omit<PlanOptions, 'values'> {
  return {
    batchSize: settings.batchSize,
    emptyValues: settings.emptyValues,
    context: { now, guid: randomUUID, random: Math.random },
    diagnostics: new DiagnosticFactory(settings.rules)
  }
}

/** The mappings against the provisioning job's schema: schema-file now, the tenant's in the apply pre-flight. */
async function schemaCheck(
  { settings, io, scratch }: Run,
  groups: SourceGroup[],
  factory: DiagnosticFactory
): Promise<SchemaStage> {
  return prepareSchemaStage({
    ...settings,
    mappings: groups.map((group) => group.mapping),
    factory,
    io,
    currentFile: scratch('schema.json')
  })
}

async function planRecords({ io }: Run, groups: SourceGroup[], options: PlanOptions): Promise<Plan> {
  return io.group('🔎 Mapping and validating records', async () => {
    const plan = await buildPlanOfGroups(groups, options)
    const totals = planTotals(plan)
    io.info(
      `${plural(totals.records, 'record')}: ${totals.valid} valid, ${totals.invalid} invalid, ${totals.ignored} ignored; ` +
        `${plural(plan.batches.length, 'bulk request')} planned.`
    )
    return plan
  })
}

/** mode: reconcile — the plan compared with the Entra users in scope; nothing is uploaded. */
async function reconcile({ settings, io, network, scratch, now }: Run, plan: Plan): Promise<void> {
  const { apply } = settings
  if (!apply) throw new Error('mode reconcile without apply settings') // readSettings gives them to every mode but plan
  await runReconcile({
    io,
    settings: { ...settings, apply },
    plan,
    deps: network,
    reportFile: scratch('json'),
    csvFile: scratch('reconcile.csv'),
    generatedAt: now
  })
}

async function reviewChanges(
  { settings, io, scratch }: Run,
  base: BaseCommit,
  headPlan: Plan,
  groups: SourceGroup[],
  planOptions: Omit<PlanOptions, 'values'>
): Promise<ReviewStage> {
  return io.group(`🔀 Comparing with ${base.ref.label.replace(/^./, (c) => c.toLowerCase())}`, async () => {
    const reviewed = await reviewAgainstBase({ settings, base, headPlan, groups, planOptions, scratch })
    const { counts } = reviewed.review.diff
    io.info(
      `${counts.joiners} joiners, ${counts.movers} movers, ${counts.leavers} leavers, ${counts.rehires} rehires, ${counts.unchanged} unchanged.`
    )
    return reviewed
  })
}

/**
 * Records with errors are in no batch, so they are never sent. resend-from keeps only a previous run's failures,
 * resume-from drops what an interrupted run already staged, `reconcile: fix` keeps only what drifted.
 */
async function recordsToSend(
  { settings, io, network }: Run,
  selected: Plan,
  gatesStop: boolean
): Promise<{ plan: Plan; resumed: SentRecord[] }> {
  const roots = [settings.workspace, settings.runnerTemp]
  let plan = selected
  let resumed: SentRecord[] = []
  if (settings.resendFrom) plan = await resendFailed(plan, settings.resendFrom, roots, io)
  if (settings.resumeFrom)
    ({ plan, staged: resumed } = await resumeFrom(plan, settings.resumeFrom, roots, io).catch(asInputError))
  if (settings.reconcile.fix && settings.apply && !gatesStop)
    plan = await reconcileFixPlan(plan, {
      io,
      settings: { ...settings, apply: settings.apply },
      deps: network
    })
  return { plan, resumed }
}

function asInputError(error: unknown): never {
  throw new InputError({ severity: 'error', rule: 'input', message: (error as Error).message })
}

interface Applied {
  upload: UploadResult | undefined
  outcomes: OutcomeStage | undefined
  written: WritebackResult | undefined
}

const NOTHING_APPLIED: Applied = { upload: undefined, outcomes: undefined, written: undefined }

/** Apply mode: upload, then read the outcomes of everything staged (this run's and a resumed run's), then writeback. */
async function applyAndReadOutcomes(
  { settings, io, network, scratch, signal }: Run,
  chosen: { plan: Plan; resumed: SentRecord[] },
  schema: SchemaStage
): Promise<Applied> {
  const apply = settings.apply
  if (!apply) return NOTHING_APPLIED
  const deps = { ...network, ...(signal ? { signal } : {}) }
  let session: GraphSession | undefined
  const upload = await applyPlan(chosen.plan, apply, {
    ...deps,
    journalFile: scratch('manifest.jsonl'),
    onSession: (opened) => (session = opened),
    preflight: schema.preflight
  })
  const staged = [...chosen.resumed, ...sentRecords(chosen.plan, upload)]
  if (!session && staged.length > 0) session = openSession(apply, deps)
  let outcomes: OutcomeStage | undefined
  if (session && staged.length > 0 && !signal?.aborted)
    outcomes = await untilCancelled(
      signal,
      readOutcomes({
        io,
        session,
        apply,
        outcomes: settings.outcomes,
        sent: staged,
        plan: chosen.plan,
        now: deps.now,
        workspace: settings.workspace,
        delimiter: settings.delimiter,
        detail: settings.summaryDetail,
        failedFilePath: scratch('failed.csv')
      })
    )
  const roots = [settings.workspace, settings.runnerTemp]
  const written =
    settings.writeback && outcomes
      ? await writeback(settings.writeback, outcomes.collected.outcomes, roots, io)
      : undefined
  return { upload, outcomes, written }
}
