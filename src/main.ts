/**
 * Wires the stages for the chosen mode. Knows their order and nothing of their insides:
 * settings → discover → read → map → validate → plan → report.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ActionIO } from './common/runner-port.ts'
import { applyPlan, type ApplyDependencies } from './apply/apply.ts'
import type { UploadResult } from './apply/upload-result.ts'
import { InputError, formatWhere, type Diagnostic } from './common/diagnostics.ts'
import { confinePath } from './common/confine.ts'
import { DEFAULT_MAPPING, DEFAULT_MAPPING_NAME } from './mapping/default-mapping.ts'
import { loadMapping, type Mapping } from './mapping/load.ts'
import { ValueStore } from './plan/value-store.ts'
import { buildPlanOfGroups, type SourceGroup } from './plan/plan.ts'
import { writeRequests } from './plan/write-requests.ts'
import { selectAnnotations } from './report/annotation-budget.ts'
import { failureReason } from './report/exit-status.ts'
import { plural } from './common/markdown.ts'
import { planOutputs } from './report/outputs.ts'
import { writePlanReport, writeStoppedReport } from './report/json-report.ts'
import { planTotals, renderPlanSummary, renderStoppedSummary } from './report/job-summary.ts'
import { readSettings, type Settings } from './settings/settings.ts'
import { secretValues } from './settings/secret-inputs.ts'
import { discoverFiles } from './sources/discover.ts'
import { openSource } from './sources/open-source.ts'
import type { SourceFile } from './sources/source-file.ts'
import { DiagnosticFactory } from './validate/diagnostic-factory.ts'
import type { GraphSession } from './apply/session.ts'
import { readPreviousReport } from './outcomes/outcomes-json.ts'
import { runReportMode } from './outcomes/from-previous-run.ts'
import { narrowPlan } from './outcomes/resend.ts'
import { resumeFrom } from './outcomes/resume.ts'
import type { SentRecord } from './outcomes/outcome.ts'
import { openSession } from './apply/session.ts'
import { cancelledNote, cancelledReason, reasonOf, whenAborted } from './apply/cancel.ts'
import { readOutcomes, sentRecords, type OutcomeStage } from './outcomes/read-outcomes.ts'
import { SUMMARY_BUDGET_BYTES } from './report/job-summary.ts'
import { pullRequestOf, readEventPayload } from './git/event.ts'
import { upsertReviewComment } from './github/comment.ts'
import { reviewDiagnostics } from './review/change-annotations.ts'
import { renderSelectionNote } from './review/review-markdown.ts'
import { findBase, reviewAgainstBase, type ReviewStage } from './review/against-base.ts'
import { runReconcile } from './reconcile/run-reconcile.ts'
import { reconcileFixPlan } from './reconcile/fix.ts'
import { prepareSchemaStage } from './apply/schema-preflight.ts'
import { writeback, type WritebackResult } from './outcomes/writeback.ts'

export interface RunDependencies {
  io: ActionIO
  env: NodeJS.ProcessEnv
  now: () => Date
  /** Network edges of apply mode (fetch, sleep, credential); real ones by default. */
  apply?: Partial<Omit<ApplyDependencies, 'io' | 'env' | 'now'>>
  /** Fires on SIGINT/SIGTERM (a cancelled or timed-out job): stop sending, report what was staged, fail. */
  signal?: AbortSignal
}

export async function run({ io, env, now, apply, signal }: RunDependencies): Promise<void> {
  let settings: Settings | undefined
  let values: ValueStore | undefined
  try {
    settings = readSettings(io.getInput, env)
    const active = settings
    for (const secret of secretValues(active.apply)) io.setSecret?.(secret)
    await mkdir(active.runnerTemp, { recursive: true })
    const scratch = (name: string): string => scratchPath(active, env, name)
    if (active.mode === 'report' && active.apply && active.previousReport) {
      await runReportMode({
        io,
        deps: { ...apply, io, env, now: () => now().getTime() },
        apply: active.apply,
        outcomes: active.outcomes,
        previousReport: active.previousReport,
        workspace: active.workspace,
        runnerTemp: active.runnerTemp,
        delimiter: active.delimiter,
        detail: active.summaryDetail,
        repository: active.repository,
        maxAnnotations: active.maxAnnotations,
        reportFile: scratch('json'),
        failedFilePath: scratch('failed.csv'),
        generatedAt: now
      })
      return
    }
    const payload = await readEventPayload(env)
    const base =
      active.mode === 'reconcile'
        ? undefined
        : await findBase(active, env, payload, {
            info: io.info,
            warn: (message) => io.annotate({ severity: 'warning', title: 'No review of changes', message })
          })
    // Values are kept only when payloads will be rendered or compared; a plan that only reports needs none.
    if (active.requestsDir || active.apply || base) values = new ValueStore(scratch('values'))
    const store = values
    const groups = await io.group('📂 Reading HR files and mappings', () => openGroups(active, io))
    const planOptions = {
      batchSize: active.batchSize,
      emptyValues: active.emptyValues,
      context: { now, guid: randomUUID, random: Math.random },
      diagnostics: new DiagnosticFactory(active.rules)
    }
    const schema = await prepareSchemaStage({
      ...active,
      mappings: groups.map((group) => group.mapping),
      factory: planOptions.diagnostics,
      io,
      currentFile: scratch('schema.json')
    })
    const plan = await io.group('🔎 Mapping and validating records', async () => {
      const built = await buildPlanOfGroups(groups, { ...planOptions, values: store })
      const totals = planTotals(built)
      io.info(
        `${plural(totals.records, 'record')}: ${totals.valid} valid, ${totals.invalid} invalid, ${totals.ignored} ignored; ` +
          `${plural(built.batches.length, 'bulk request')} planned.`
      )
      return built
    })
    if (active.mode === 'reconcile' && active.apply) {
      const deps = { ...apply, io, env, now: () => now().getTime() }
      const files = { reportFile: scratch('json'), csvFile: scratch('reconcile.csv') }
      await runReconcile({
        io,
        settings: { ...active, apply: active.apply },
        plan,
        deps,
        ...files,
        generatedAt: now
      })
      return
    }

    const stage = base
      ? await io.group(
          `🔀 Comparing with ${base.ref.label.replace(/^./, (c) => c.toLowerCase())}`,
          async () => {
            const reviewed = await reviewAgainstBase({
              settings: active,
              base,
              headPlan: plan,
              groups,
              planOptions,
              scratch
            })
            const { counts } = reviewed.review.diff
            io.info(
              `${counts.joiners} joiners, ${counts.movers} movers, ${counts.leavers} leavers, ${counts.rehires} rehires, ${counts.unchanged} unchanged.`
            )
            return reviewed
          }
        )
      : undefined
    const gatesStop = active.apply !== undefined && stage !== undefined && !stage.review.gates.passed
    if (stage?.selection?.fullReason) io.warn(stage.selection.fullReason)

    // Records with errors are not in any batch, so they are never sent; nor is anything when a safety gate stops.
    let sent = stage?.selection?.plan ?? plan
    if (active.resendFrom)
      sent = await resendOnly(sent, active.resendFrom, [active.workspace, active.runnerTemp], io)
    let resumed: SentRecord[] = []
    if (active.resumeFrom)
      ({ plan: sent, staged: resumed } = await resumeFrom(
        sent,
        active.resumeFrom,
        [active.workspace, active.runnerTemp],
        io
      ).catch(asInputError))
    if (active.reconcile.fix && active.apply && !gatesStop) {
      const deps = { ...apply, io, env, now: () => now().getTime() }
      sent = await reconcileFixPlan(sent, { io, settings: { ...active, apply: active.apply }, deps })
    }
    let upload: UploadResult | undefined
    let session: GraphSession | undefined
    let outcomes: OutcomeStage | undefined
    let written: WritebackResult | undefined
    if (active.apply && !gatesStop) {
      const deps = { ...apply, io, env, now: () => now().getTime(), ...(signal ? { signal } : {}) }
      upload = await applyPlan(sent, active.apply, {
        ...deps,
        journalFile: scratch('manifest.jsonl'),
        onSession: (s) => (session = s),
        preflight: schema.preflight
      })
      const staged = [...resumed, ...sentRecords(sent, upload)]
      if (!session && staged.length > 0) session = openSession(active.apply, deps)
      if (session && staged.length > 0 && !signal?.aborted)
        outcomes = await untilCancelled(
          signal,
          readOutcomes({
            io,
            session,
            apply: active.apply,
            outcomes: active.outcomes,
            sent: staged,
            plan: sent,
            now: deps.now,
            workspace: active.workspace,
            delimiter: active.delimiter,
            detail: active.summaryDetail,
            failedFilePath: scratch('failed.csv')
          })
        )
      if (active.writeback && outcomes)
        written = await writeback(
          active.writeback,
          outcomes.collected.outcomes,
          [active.workspace, active.runnerTemp],
          io
        )
    }

    // The schema check's findings are reported with the plan's (they point at the mapping file). When apply mode
    // never reached the pre-flight (nothing to send, sign-in failed), schema-file still gives the offline check.
    const schemaResult = (active.apply ? schema.result() : undefined) ?? schema.offline()
    const withSchema = <P extends { diagnostics: Diagnostic[] }>(p: P): P =>
      schemaResult ? { ...p, diagnostics: [...schemaResult.diagnostics, ...p.diagnostics] } : p
    await io.group('📝 Reporting', async () => {
      const reportFile = scratchPath(active, env, 'json')
      await writePlanReport(
        reportFile,
        sent,
        { generatedAt: now(), detail: active.summaryDetail },
        upload,
        outcomes?.reportSection(active.summaryDetail)
      )
      io.info(`JSON report: ${reportFile}`)
      if (active.requestsDir) {
        const written = await writeRequests(plan, active.requestsDir, [active.workspace, active.runnerTemp])
        io.info(`${plural(written.length, 'bulk request')} written to ${active.requestsDir}`)
      }
      // Safety gates, the schema check, then outcome failures and warnings: they win GitHub's per-severity annotation slots.
      const diagnostics = [
        ...(stage?.review.gates.diagnostics ?? []),
        ...(schemaResult?.diagnostics ?? []),
        ...(outcomes?.diagnostics ?? []),
        ...plan.diagnostics,
        ...(stage ? reviewDiagnostics(stage.review.diff) : [])
      ]
      const gate = gatesStop ? stage?.review.gates.diagnostics.find((d) => d.severity === 'error') : undefined
      const reason = signal?.aborted
        ? cancelledReason(upload, reasonOf(signal), scratch('manifest.jsonl'))
        : gate
          ? `Nothing was sent: ${gate.message}`
          : (failureReason(planTotals(withSchema(plan)), active.failOn, upload) ??
            outcomes?.failureReason ??
            written?.failure)
      for (const annotation of selectAnnotations(diagnostics, active.maxAnnotations, {
        failing: reason !== undefined
      }))
        io.annotate(annotation)
      const selection = stage?.selection
        ? renderSelectionNote(stage.selection, active.review.changedOnly)
        : ''
      const review = stage ? `\n${stage.review.markdown}${selection}` : ''
      const outcomeSection = outcomes
        ? `\n${outcomes.section({ detail: active.summaryDetail, repository: active.repository, budgetBytes: 400_000, reportFile })}`
        : ''
      const schemaSection = schemaResult ? `\n${schemaResult.section}` : ''
      const summary = renderPlanSummary(withSchema(sent), {
        detail: active.summaryDetail,
        repository: active.repository,
        reportFile,
        budgetBytes:
          SUMMARY_BUDGET_BYTES -
          Buffer.byteLength(review) -
          Buffer.byteLength(outcomeSection) -
          Buffer.byteLength(schemaSection),
        ...(upload ? { upload } : {})
      })
      const cancelled = signal?.aborted ? cancelledNote(upload, reasonOf(signal)) : ''
      if (!(await io.writeSummary(cancelled + summary + schemaSection + outcomeSection + review)))
        io.warn('No job summary: GITHUB_STEP_SUMMARY is not set.')
      if (stage && active.review.comment) await commentOnPullRequest(stage, active, env, payload, io)
      const outputs = {
        ...planOutputs(sent, reportFile, upload),
        ...(stage ? reviewOutputs(stage) : {}),
        ...(outcomes?.outputs ?? {}),
        ...(schemaResult?.outputs ?? {}),
        ...(written?.outputs ?? {})
      }
      for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value)
      if (reason) io.setFailed(reason)
    })
  } catch (error) {
    await reportFailure(error, io, settings, env, now)
  } finally {
    values?.dispose()
  }
}

/** resend-from: only the records a previous run's report lists as failed (matched by externalId) are sent. */
async function resendOnly<P extends Parameters<typeof narrowPlan>[0]>(
  plan: P,
  file: string,
  roots: readonly string[],
  io: ActionIO
): Promise<P> {
  const previous = await readPreviousReport(file, 'resend-from', roots)
  if (!previous.hasOutcomes)
    io.warn(
      `resend-from: ${file} has no outcomes (a run with logs-timeout 0 or an older version); nothing is re-sent.`
    )
  const narrowed = narrowPlan(plan, new Set(previous.failed.map((f) => f.externalId)))
  io.info(
    `resend-from: ${plural(previous.failed.length, 'record')} failed in the previous run; ${plural(previous.failed.length - narrowed.missing.length, 'is', 'are')} re-sent.`
  )
  if (narrowed.missing.length > 0)
    io.warn(
      `resend-from: ${plural(narrowed.missing.length, 'failed record')} not among this run's valid records (removed or now invalid): ${narrowed.missing.slice(0, 10).join(', ')}${narrowed.missing.length > 10 ? ', …' : ''}.`
    )
  return narrowed.plan
}

function asInputError(error: unknown): never {
  throw new InputError({ severity: 'error', rule: 'input', message: (error as Error).message })
}

/** The work's result, or undefined as soon as the run is cancelled (the work is left to be cut off at exit). */
async function untilCancelled<T>(signal: AbortSignal | undefined, work: Promise<T>): Promise<T | undefined> {
  work.catch(() => undefined)
  return Promise.race([work, whenAborted(signal).then(() => undefined)])
}

/** Counts of the comparison with the base, and the calls `changed-only` saved. */
function reviewOutputs(stage: ReviewStage): Record<string, string> {
  const { counts } = stage.review.diff
  return {
    joiners: String(counts.joiners),
    movers: String(counts.movers),
    leavers: String(counts.leavers),
    ...(stage.selection ? { 'calls-saved': String(stage.selection.calls.saved) } : {})
  }
}

/** The review as a sticky pull-request comment; where the token cannot comment (forks), a notice says so. */
async function commentOnPullRequest(
  stage: ReviewStage,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  payload: unknown,
  io: ActionIO
): Promise<void> {
  const target = pullRequestOf(env, payload)
  if (!target) {
    io.info('comment is true, but this run is not for a pull request: no comment.')
    return
  }
  const body = stage.review.comment ?? stage.review.markdown
  try {
    const result = await upsertReviewComment({ target, body, token: settings.review.githubToken })
    if (result.status === 'skipped')
      io.annotate({ severity: 'notice', title: 'No pull-request comment', message: result.reason })
    else io.info(`Pull-request comment ${result.status}: ${result.url}`)
  } catch (error) {
    io.warn(
      `Could not comment on the pull request: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}

/** Each source's files (headers read, records not yet) and its mapping. A file may belong to one source only. */
async function openGroups(settings: Settings, io: ActionIO): Promise<SourceGroup[]> {
  const groups: SourceGroup[] = []
  const owner = new Map<string, number>()
  for (const [index, setting] of settings.sources.entries()) {
    const files = await discoverFiles(setting.files, settings.workspace)
    const sources: SourceFile[] = []
    for (const file of files) {
      const other = owner.get(file.relative)
      if (other !== undefined) {
        throw new InputError({
          severity: 'error',
          rule: 'input',
          file: file.relative,
          message: `Input 'sources': this file is matched by sources ${other + 1} and ${index + 1}; give each file to one source.`
        })
      }
      owner.set(file.relative, index)
      const source = await openSource(file, { delimiter: settings.delimiter })
      io.info(
        `${source.file}: ${source.format.toUpperCase()}, ${source.encoding}, ${plural(source.headers.length, 'column')}`
      )
      sources.push(source)
    }
    const name = settings.sources.length > 1 ? `the mapping of source ${index + 1}` : `Input 'mapping'`
    groups.push({ mapping: await readMapping(setting.mapping, name, settings.workspace, io), sources })
  }
  return groups
}

async function readMapping(
  file: string | undefined,
  name: string,
  workspace: string,
  io: ActionIO
): Promise<Mapping> {
  if (!file) {
    io.info(`No mapping given: using the default mapping (docs/mapping.md).`)
    return loadMapping(DEFAULT_MAPPING, DEFAULT_MAPPING_NAME)
  }
  // A mapping file may be a symbolic link (a pull request can add one): it must not lead outside the workspace.
  const real = await confinePath(file, { roots: [workspace], what: name })
  let text: string
  try {
    text = await readFile(real, 'utf8')
  } catch {
    throw new InputError({
      severity: 'error',
      rule: 'input',
      message: `${name}: cannot read '${file}' in the workspace; check the path (and that the repository is checked out).`
    })
  }
  const mapping = loadMapping(text.replace(/^\uFEFF/, ''), file)
  io.info(`${file}: ${plural(mapping.attributes.length, 'attribute')} mapped.`)
  return mapping
}

/** A file in RUNNER_TEMP named after the step, so several steps of a job do not collide. */
function scratchPath(
  settings: Pick<Settings, 'runnerTemp'>,
  env: NodeJS.ProcessEnv,
  extension: string
): string {
  const step = (env.GITHUB_ACTION || 'local').replace(/[^\w.-]/g, '_')
  return path.join(settings.runnerTemp, `entra-hr-sync-${step}.${extension}`)
}

/**
 * Input problems are annotated where they are, summarized and written to a report (whose path and error count are
 * outputs, so later steps can react); anything else is one line, never a stack trace. The failure line is an error
 * annotation too, so it counts against GitHub's 10 and does not repeat an annotated problem.
 */
async function reportFailure(
  error: unknown,
  io: ActionIO,
  settings: Settings | undefined,
  env: NodeJS.ProcessEnv,
  now: () => Date
): Promise<void> {
  if (error instanceof InputError) {
    const diagnostics: readonly Diagnostic[] = error.diagnostics
    // The first problem without a place becomes the failure line; every other problem is an annotation.
    const first = diagnostics.find((d) => d.file === undefined) ?? diagnostics[0]
    const annotated = diagnostics.filter((d) => d !== first || d.file !== undefined)
    for (const annotation of selectAnnotations(annotated, settings?.maxAnnotations ?? 10, { failing: true }))
      io.annotate(annotation)
    const detail = settings?.summaryDetail ?? 'ids'
    await io.writeSummary(
      renderStoppedSummary(diagnostics, {
        detail,
        repository: settings?.repository ?? { serverUrl: '', repo: '', sha: '' }
      })
    )
    const temp = settings?.runnerTemp ?? env.RUNNER_TEMP
    if (temp) {
      const reportFile = scratchPath({ runnerTemp: temp }, env, 'json')
      await writeStoppedReport(reportFile, diagnostics, { generatedAt: now(), detail })
      io.setOutput('report-file', reportFile)
    }
    io.setOutput('errors', String(diagnostics.filter((d) => d.severity === 'error').length))
    const others = diagnostics.length - 1
    const more =
      others > 0 ? ` (and ${plural(others, 'more problem')}: see the annotations and the job summary)` : ''
    // A located problem is already an annotation on its line: the failure line points at it instead of repeating it.
    const head =
      first === undefined
        ? error.message
        : first.file === undefined
          ? first.message
          : `The run stopped before reading any record: see the error at ${formatWhere(first)}`
    io.setFailed(`${head}${more}`)
    return
  }
  const message = error instanceof Error ? error.message : String(error)
  io.setFailed(
    `Unexpected error: ${message}. Please report it with the log of this step (debug logging shows more).`
  )
  if (error instanceof Error && error.stack) io.debug(error.stack)
}
