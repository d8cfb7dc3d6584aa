/**
 * A run that stopped with an error. Input problems are annotated where they are, summarized and written to a report
 * (whose path and error count are outputs, so later steps can react); anything else is one line, never a stack
 * trace. The failure line is an error annotation too, so it counts against GitHub's 10 and does not repeat an
 * annotated problem.
 */
import { InputError, formatWhere, type Diagnostic } from '../common/diagnostics.ts'
import { plural } from '../common/markdown.ts'
import type { ActionIO } from '../common/runner-port.ts'
import { scratchPath, type Settings } from '../settings/settings.ts'
import { selectAnnotations } from '../common/annotation-budget.ts'
import { writeStoppedReport } from './json-report.ts'
import { renderStoppedSummary } from './job-summary.ts'

export async function reportFailure(
  error: unknown,
  io: ActionIO,
  settings: Settings | undefined,
  env: NodeJS.ProcessEnv,
  now: () => Date
): Promise<void> {
  if (error instanceof InputError) {
    await reportInputError(error, io, settings, env, now)
    return
  }
  const message = error instanceof Error ? error.message : String(error)
  io.setFailed(
    `Unexpected error: ${message}. Please report it with the log of this step (debug logging shows more).`
  )
  if (error instanceof Error && error.stack) io.debug(error.stack)
}

async function reportInputError(
  error: InputError,
  io: ActionIO,
  settings: Settings | undefined,
  env: NodeJS.ProcessEnv,
  now: () => Date
): Promise<void> {
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
    const reportFile = scratchPath(temp, env, 'json')
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
}
