/**
 * mode: report — reads the report file of an earlier apply run (for example passed between jobs as an artifact),
 * fetches the outcomes of the records it sent from the provisioning logs and reports them like apply mode does,
 * without uploading anything. So one job uploads and ends, and a later one reports, instead of a runner waiting.
 */
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import type { ActionIO } from '../common/runner-port.ts'
import type { ApplySettings, SummaryDetail } from '../settings/settings.ts'
import { jsonString } from '../common/json-string.ts'
import { selectAnnotations } from '../common/annotation-budget.ts'
import { plural, text } from '../common/markdown.ts'
import type { ApplyDependencies } from '../apply/apply.ts'
import { openSession } from '../apply/session.ts'
import { ApplyStop } from '../graph/errors.ts'
import { decodeClaims } from '../graph/auth.ts'
import { logPermissionProblem, rolesOf } from '../graph/log-permissions.ts'
import type { SentRecord } from './outcome.ts'
import { readPreviousReport } from './outcomes-json.ts'
import { readOutcomes } from './read-outcomes.ts'
import type { DelimiterSetting, OutcomeSettings } from '../settings/settings.ts'
import { SUMMARY_BUDGET_BYTES } from '../common/github-limits.ts'

/** GitHub rejects a step summary over 1 MiB; the same margin as the plan summary. */

export interface ReportModeOptions {
  io: ActionIO
  deps: ApplyDependencies
  apply: ApplySettings
  outcomes: OutcomeSettings
  /** Absolute path of the previous run's report file. */
  previousReport: string
  workspace: string
  /** RUNNER_TEMP: with the workspace, where previous-report may be. */
  runnerTemp: string
  delimiter: DelimiterSetting
  detail: SummaryDetail
  repository: { serverUrl: string; repo: string; sha: string }
  maxAnnotations: number
  reportFile: string
  failedFilePath: string
  generatedAt: () => Date
}

export async function runReportMode(options: ReportModeOptions): Promise<void> {
  const { io } = options
  const previous = await io.group('📄 Reading the previous report', async () => {
    const read = await readPreviousReport(options.previousReport, 'previous-report', [
      options.workspace,
      options.runnerTemp
    ])
    io.info(
      `${options.previousReport}: ${/^[aeiou]/i.test(read.mode) ? 'an' : 'a'} ${read.mode} run of ${read.generatedAt ?? 'unknown date'}, ${plural(read.sent.length, 'record')} staged.`
    )
    return read
  })
  if (previous.sent.length === 0) {
    io.warn('The previous report lists no staged record: nothing to report.')
  }

  let stage: Awaited<ReturnType<typeof readOutcomes>> | undefined
  let stopped: string | undefined
  try {
    const session = openSession(options.apply, options.deps)
    await io.group('🔐 Signing in to Entra', async () => {
      const token = await session.tokens.token()
      io.info(`Signed in to tenant ${options.apply.tenantId} as app ${options.apply.clientId}.`)
      const logsProblem = logPermissionProblem(rolesOf(decodeClaims(token)))
      if (logsProblem) io.warn(logsProblem)
    })
    stage = await readOutcomes({
      io,
      session,
      apply: options.apply,
      outcomes: options.outcomes,
      sent: previous.sent,
      now: options.deps.now,
      workspace: options.workspace,
      delimiter: options.delimiter,
      detail: options.detail,
      failedFilePath: options.failedFilePath
    })
  } catch (error) {
    if (!(error instanceof ApplyStop)) throw error
    stopped = error.message
  }

  await io.group('📝 Reporting', async () => {
    await writeReportFile(options, previous.file, previous.generatedAt, previous.sent, stage)
    io.info(`JSON report: ${options.reportFile}`)
    const head = [
      '## Entra HR sync · report',
      '',
      `Outcomes of the ${plural(previous.sent.length, 'record')} staged by the run of ${text(previous.generatedAt ?? 'an unknown date')} ` +
        `(${text(path.basename(previous.file))}); nothing was uploaded in this run.`,
      ''
    ]
    if (stopped) head.push(`> **Stopped before reading the logs**: ${text(stopped)}`, '')
    const tail = [
      '',
      `<sub>${options.detail === 'full' ? 'summary-detail is full: values from the logs are shown.' : 'Records are named by externalId, file and line; values are hidden (summary-detail: ids).'}</sub>`,
      ''
    ]
    const budget = SUMMARY_BUDGET_BYTES - Buffer.byteLength(head.join('\n') + tail.join('\n'))
    const section = stage
      ? stage.section({
          detail: options.detail,
          repository: options.repository,
          budgetBytes: budget,
          reportFile: options.reportFile
        })
      : ''
    if (!(await io.writeSummary(head.join('\n') + section + tail.join('\n'))))
      io.warn('No job summary: GITHUB_STEP_SUMMARY is not set.')
    const reason = stopped ?? stage?.failureReason
    for (const annotation of selectAnnotations(stage?.diagnostics ?? [], options.maxAnnotations, {
      failing: reason !== undefined
    }))
      io.annotate(annotation)
    const outputs: Record<string, string> = {
      'report-file': options.reportFile,
      sent: String(previous.sent.length),
      ...(stage?.outputs ?? {})
    }
    for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value)
    if (reason) io.setFailed(reason)
  })
}

async function writeReportFile(
  options: ReportModeOptions,
  previousFile: string,
  previousAt: string | undefined,
  sent: readonly SentRecord[],
  stage: Awaited<ReturnType<typeof readOutcomes>> | undefined
): Promise<void> {
  await mkdir(path.dirname(options.reportFile), { recursive: true })
  const out = createWriteStream(options.reportFile, { encoding: 'utf8' })
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  const header = {
    version: 1,
    mode: 'report',
    generatedAt: options.generatedAt().toISOString(),
    previousReport: { file: previousFile, generatedAt: previousAt ?? null }
  }
  await write(JSON.stringify(header, null, 2).slice(0, -2) + ',\n  "manifest": [')
  // The manifest is carried over, so this report can itself be read by a later report run.
  let first = true
  for (const r of sent) {
    await write(
      `${first ? '' : ','}\n    {"file":${jsonString(r.file)},"line":${r.line},"externalId":${jsonString(r.externalId)},"bulkId":${jsonString(r.externalId)},"time":"${new Date(r.sentAt).toISOString()}","outcome":"staged"}`
    )
    first = false
  }
  await write('\n  ]')
  if (stage) {
    await write(',\n  ')
    for (const chunk of stage.reportSection(options.detail)) await write(chunk)
  }
  await write('\n}\n')
  out.end()
  await once(out, 'finish')
}
