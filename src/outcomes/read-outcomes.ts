/**
 * The outcomes stage, for main.ts: after an apply run's upload (with automatic re-submission of transient failures)
 * or in mode report (from a previous run's report file). Polls the logs, writes the failed-records CSV and gives the
 * pieces the report needs: diagnostics for annotations, the summary section, the JSON report section, outputs and
 * the fail-on verdict.
 */
import type { ActionIO } from '../common/runner-port.ts'
import type { Diagnostic } from '../common/diagnostics.ts'
import type { Plan } from '../plan/model.ts'
import type { ApplySettings, SummaryDetail } from '../settings/settings.ts'
import { createRequestRenderer } from '../plan/batches.ts'
import { createPacer } from '../graph/pacer.ts'
import { plural } from '../common/markdown.ts'
import type { GraphSession } from '../apply/session.ts'
import { uploadPlan } from '../apply/upload.ts'
import type { UploadResult } from '../apply/upload-result.ts'
import { outcomeDiagnostics } from './outcome-annotations.ts'
import { collectOutcomes, type CollectResult } from './collect.ts'
import { writeFailedCsv } from './failed-csv.ts'
import { outcomeFailureReason, outcomeTotals, type RecordOutcome, type SentRecord } from './outcome.ts'
import { createPoller } from './poller.ts'
import { outcomeOutputs, outcomesSection } from './outcomes-json.ts'
import { batchesFor } from './resend.ts'
import { renderOutcomesSection } from './summary-section.ts'
import type { DelimiterSetting, OutcomeSettings } from '../settings/settings.ts'

export interface OutcomeStage {
  collected: CollectResult
  failedFile: string | undefined
  diagnostics: Diagnostic[]
  section(options: {
    detail: SummaryDetail
    repository: { serverUrl: string; repo: string; sha: string }
    budgetBytes: number
    reportFile?: string
  }): string
  reportSection(detail: SummaryDetail): Iterable<string>
  outputs: Record<string, string>
  failureReason: string | undefined
}

/** The records an upload staged, with when their request was accepted. */
export function sentRecords(
  plan: Pick<Plan, 'records' | 'batches' | 'files'>,
  upload: UploadResult
): SentRecord[] {
  const sent: SentRecord[] = []
  for (const request of upload.requests) {
    if (request.outcome !== 'staged' || request.at === undefined) continue
    for (const index of plan.batches[request.request]?.records ?? []) {
      const record = plan.records[index]
      if (!record || record.externalId === undefined) continue
      sent.push({
        file: plan.files[record.fileIndex]?.file ?? '',
        line: record.line,
        externalId: record.externalId,
        sentAt: request.at
      })
    }
  }
  return sent
}

export interface OutcomeStageOptions {
  io: ActionIO
  session: GraphSession
  apply: ApplySettings
  outcomes: OutcomeSettings
  sent: readonly SentRecord[]
  /** Apply mode: the plan, to re-send transient failures. */
  plan?: Plan
  now: () => number
  workspace: string
  delimiter: DelimiterSetting
  detail: SummaryDetail
  /** Where the failed-records CSV goes (RUNNER_TEMP). */
  failedFilePath: string
}

export async function readOutcomes(options: OutcomeStageOptions): Promise<OutcomeStage> {
  const { io, session, apply, outcomes: settings, now } = options
  const target = { servicePrincipalId: apply.servicePrincipalId, jobId: apply.jobId }
  const log = { info: io.info, warn: io.warn, debug: io.debug }
  const poller = createPoller({
    client: session.client,
    version: apply.graphVersion,
    jobId: apply.jobId,
    servicePrincipalId: apply.servicePrincipalId,
    timeoutMs: settings.logsTimeoutMinutes * 60_000,
    maxWaitMs: apply.timing.maxWaitMs,
    readWindowMs: apply.timing.logWindowMs,
    now,
    sleep: session.sleep,
    log
  })
  const plan = options.plan
  const resend =
    plan && plan.values
      ? async (records: readonly RecordOutcome[]): Promise<Map<string, number>> => {
          const batches = batchesFor(plan, new Set(records.map((r) => r.externalId)), plan.batchSize)
          const result = await uploadPlan({
            plan: { records: plan.records, batches },
            render: createRequestRenderer(plan),
            client: session.client,
            target,
            pacer: createPacer({
              limit: apply.rateLimit,
              windowMs: apply.timing.windowMs,
              marginMs: apply.timing.windowMarginMs,
              budget: undefined,
              now,
              sleep: session.sleep
            }),
            budget: undefined,
            concurrency: apply.timing.concurrency,
            now,
            log
          })
          const accepted = new Map<string, number>()
          for (const request of result.requests) {
            if (request.outcome !== 'staged' || request.at === undefined) continue
            for (const index of batches[request.request]?.records ?? []) {
              const id = plan.records[index]?.externalId
              if (id !== undefined) accepted.set(id, request.at)
            }
          }
          return accepted
        }
      : undefined

  const collected = await io.group('📬 Reading the outcomes from the provisioning logs', async () => {
    const result = await collectOutcomes({
      sent: options.sent,
      poll: poller.poll,
      ...(resend ? { resend } : {}),
      resubmitAttempts: settings.resubmitAttempts,
      log
    })
    const totals = outcomeTotals(result.outcomes)
    io.info(
      `${plural(result.outcomes.length, 'record')}: ${totals.created} created, ${totals.updated} updated, ${totals.disabled} disabled, ${totals.enabled} enabled, ` +
        `${totals.skipped} skipped, ${totals.warning} with a warning, ${totals.failed} failed, ${totals['not-seen']} not seen; ${plural(result.calls, 'log call')}.`
    )
    io.info(
      `Waited ${Math.round(poller.waitedMs / 1000)} s for the provisioning logs (logs-timeout ${settings.logsTimeoutMinutes} min).`
    )
    if (result.problem) io.warn(`The provisioning logs could not be read to the end: ${result.problem}`)
    return result
  })

  const failed = collected.outcomes.filter((o) => o.outcome === 'failed')
  let failedFile: string | undefined
  if (failed.length > 0) {
    const written = await writeFailedCsv(options.failedFilePath, failed, {
      workspace: options.workspace,
      delimiter: options.delimiter
    })
    failedFile = options.failedFilePath
    io.info(`${plural(written.rows, 'failed record')} written to ${failedFile} (in the HR files' columns).`)
    if (written.missing.length > 0)
      io.warn(
        `${plural(written.missing.length, 'failed record')} could not be read back from the HR files (file changed or missing since the upload): ${written.missing
          .slice(0, 10)
          .map((m) => `${m.file}:${m.line}`)
          .join(', ')}${written.missing.length > 10 ? ', …' : ''}.`
      )
  }

  const diagnostics = outcomeDiagnostics(collected.outcomes, options.detail, settings.notSeen)
  return {
    collected,
    failedFile,
    diagnostics,
    section: (o) =>
      renderOutcomesSection(collected.outcomes, {
        ...o,
        timeoutMinutes: settings.logsTimeoutMinutes,
        logCalls: collected.calls,
        polls: collected.polls,
        resubmitted: collected.resubmitted,
        problem: collected.problem
      }),
    reportSection: (detail) =>
      outcomesSection(collected, {
        detail,
        timeoutMinutes: settings.logsTimeoutMinutes,
        failedFile,
        waitedMs: poller.waitedMs
      }),
    outputs: outcomeOutputs(collected.outcomes, failedFile),
    failureReason: outcomeFailureReason(outcomeTotals(collected.outcomes), settings.failOn, settings.notSeen)
  }
}
