/**
 * Reconcile mode after the plan: read the Entra users in scope (read-only: GET /users and nothing else), compare them
 * with the planned HR records, and report. Never uploads.
 */
import type { ActionIO } from '../common/runner-port.ts'
import type { ApplyDependencies } from '../apply/apply.ts'
import { openSession } from '../apply/session.ts'
import { createPacer } from '../graph/pacer.ts'
import { readUsers } from '../graph/users.ts'
import { ApplyStop } from '../graph/errors.ts'
import { GraphError } from '../graph/http.ts'
import { InputError } from '../common/diagnostics.ts'
import { selectAnnotations } from '../common/annotation-budget.ts'
import { plural } from '../common/markdown.ts'
import { writePlanReport } from '../report/json-report.ts'
import { SUMMARY_BUDGET_BYTES } from '../common/github-limits.ts'
import type { Plan } from '../plan/model.ts'
import type { ApplySettings, Settings } from '../settings/settings.ts'
import { compare, type Comparison, type HrRecord } from './compare.ts'
import { DEFAULT_CORRESPONDENCE, MATCHING, comparedProperties } from './correspondence.ts'
import {
  reconcileDiagnostics,
  reconcileFailure,
  reconcileOutputs,
  reconcileReportSection,
  renderReconcileSummary,
  writeFindingsCsv
} from './findings-report.ts'

/**
 * Calls per 10-second window: the smallest tenant's read budget (3,500 ResourceUnits) over a page's cost (2: a list
 * of users is 2, `$select` takes 1 off, `$expand` adds 1), so no tenant size is throttled by this client alone.
 */
const PAGE_COST = 2
const READ_BUDGET = 3500
const WINDOW_MS = 10_000
const PAGE_SIZE = 999

export interface ReconcileContext {
  io: ActionIO
  settings: Settings & { apply: ApplySettings }
  plan: Plan
  deps: ApplyDependencies
  reportFile: string
  csvFile: string
  generatedAt: () => Date
}

/** The plan's records as the comparison sees them; values are read from the value store one record at a time. */
export function* hrRecords(plan: Plan): Generator<HrRecord> {
  const attributes = plan.mappings.map((mapping) =>
    mapping.attributes.map((a) => ({ path: a.path, secret: a.expression.secret }))
  )
  for (const record of plan.records) {
    if (record.externalId === undefined || record.externalId === '') continue
    const summary = plan.files[record.fileIndex]
    const valid = record.status === 'valid' && record.values !== undefined && plan.values !== undefined
    yield {
      externalId: record.externalId,
      file: summary?.file ?? '',
      line: record.line,
      valid,
      attributes: attributes[summary?.mapping ?? 0] ?? [],
      values: valid ? plan.values?.get(record.values as number) : undefined
    }
  }
}

/** Reads the Entra users in scope and compares them with the plan's records. */
export async function readAndCompare(
  context: Pick<ReconcileContext, 'io' | 'settings' | 'plan' | 'deps'>
): Promise<{ comparison: Comparison; calls: number }> {
  const { io, settings, plan, deps } = context
  const { scope } = settings.reconcile
  const table = DEFAULT_CORRESPONDENCE
  const read = await io.group('🔁 Reading the Entra users in scope (read-only)', async () => {
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
    const session = openSession(settings.apply, { ...deps, sleep })
    const pacer = createPacer({
      limit: Math.floor(READ_BUDGET / PAGE_COST),
      windowMs: WINDOW_MS,
      marginMs: settings.apply.timing.windowMarginMs,
      budget: undefined,
      now: deps.now,
      sleep
    })
    const result = await readUsers({
      client: session.client,
      version: settings.apply.graphVersion,
      filter: scope,
      properties: comparedProperties(table),
      managerProperty: MATCHING.entra,
      pacer,
      pageSize: PAGE_SIZE,
      debug: io.debug
    }).catch((error: unknown) => {
      throw readFailure(error, scope)
    })
    io.info(
      `${plural(result.users.length, 'Entra user')} in scope '${scope}' read with ${plural(result.calls, 'call')}` +
        `${result.throttled > 0 ? ` (${plural(result.throttled, 'throttled answer')}, waited as asked)` : ''}.`
    )
    return result
  })
  const comparison = compare(hrRecords(plan), read.users, table)
  const { counts } = comparison
  io.info(
    `${counts['leaver-enabled']} leavers still enabled, ${counts.drift} drifted, ${counts.missing} missing in Entra, ${counts.orphan} orphans.`
  )
  return { comparison, calls: read.calls }
}

export async function runReconcile(context: ReconcileContext): Promise<void> {
  const { io, settings, plan } = context
  const { scope, failOn } = settings.reconcile
  const { comparison, calls } = await readAndCompare(context)
  const read = { calls }
  await io.group('📝 Reporting', async () => {
    const detail = settings.summaryDetail
    const section = reconcileReportSection(comparison, { detail, scope, calls: read.calls })
    await writePlanReport(
      context.reportFile,
      plan,
      { generatedAt: context.generatedAt(), detail, mode: 'reconcile' },
      undefined,
      [`"reconcile": ${JSON.stringify(section)}`]
    )
    const rows = await writeFindingsCsv(context.csvFile, comparison, detail)
    io.info(`JSON report: ${context.reportFile}; findings CSV (${plural(rows, 'row')}): ${context.csvFile}`)
    const diagnostics = [...reconcileDiagnostics(comparison), ...plan.diagnostics]
    const reason = reconcileFailure(comparison, failOn)
    for (const annotation of selectAnnotations(diagnostics, settings.maxAnnotations, {
      failing: reason !== undefined
    }))
      io.annotate(annotation)
    const summary = renderReconcileSummary(comparison, {
      detail,
      repository: settings.repository,
      scope,
      calls: read.calls,
      budgetBytes: SUMMARY_BUDGET_BYTES,
      reportFile: context.reportFile,
      csvFile: context.csvFile
    })
    if (!(await io.writeSummary(summary))) io.warn('No job summary: GITHUB_STEP_SUMMARY is not set.')
    const outputs = { 'report-file': context.reportFile, ...reconcileOutputs(comparison, context.csvFile) }
    for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value)
    if (reason) io.setFailed(reason)
  })
}

/** Why the users could not be read, as one line that says what to change; anything unforeseen is rethrown. */
export function readFailure(error: unknown, scope: string): unknown {
  const stop = (message: string): InputError =>
    new InputError({ severity: 'error', rule: 'reconcile', message })
  if (error instanceof ApplyStop) return stop(error.message)
  if (!(error instanceof GraphError)) return error
  const graph = `${error.status ?? 'no answer'} ${error.code ?? ''}: ${error.graphMessage ?? error.message}`
  if (error.status === 400)
    return stop(
      `Input 'reconcile-scope': Graph refused the filter '${scope}' (${graph}); write an OData filter on user properties Graph can filter, e.g. employeeType eq 'Employee'.`
    )
  if (error.status === 403)
    return stop(
      `Graph refused to list users (${graph}): the app registration needs the application permission User.Read.All with admin consent.`
    )
  return stop(`Could not read the Entra users: ${error.message}.`)
}
