/**
 * Picks the annotations to emit within GitHub's limits: at most 10 errors, 10 warnings and 10 notices per step
 * (more are dropped silently by GitHub). Most important first; then one notice counting the rest.
 */
import type { Diagnostic } from './diagnostics.ts'
import { plural } from './markdown.ts'
import type { Annotation } from './runner-port.ts'
import { ANNOTATIONS_PER_SEVERITY } from './github-limits.ts'

/**
 * `diagnostics` must already be in order of importance within a severity (the plan sorts by file and line).
 * Messages are the public ones: externalId, file and line, never the `detail` value.
 */
export function selectAnnotations(
  diagnostics: readonly Diagnostic[],
  maxPerSeverity: number,
  options: { failing?: boolean } = {}
): Annotation[] {
  const cap = Math.max(0, Math.min(maxPerSeverity, ANNOTATIONS_PER_SEVERITY))
  const chosen: Annotation[] = []
  let left = 0
  for (const severity of ['error', 'warning', 'notice'] as const) {
    const ofSeverity = diagnostics.filter((d) => d.severity === severity)
    // The step's failure line (core.setFailed) is an error annotation too: it takes one of the error slots.
    // Keep one notice slot for the "more in the summary" line when anything is left out.
    const room =
      severity === 'error' && options.failing
        ? cap - 1
        : severity === 'notice' && left + ofSeverity.length > cap
          ? cap - 1
          : cap
    const shown = ofSeverity.slice(0, Math.max(0, room))
    left += ofSeverity.length - shown.length
    chosen.push(...shown.map(toAnnotation))
  }
  if (left > 0 && cap > 0) {
    chosen.push({
      severity: 'notice',
      title: 'More problems in the job summary',
      message: `${plural(left, 'more problem')} than GitHub shows as annotations; see the job summary and the JSON report.`
    })
  }
  return chosen
}

function toAnnotation(diagnostic: Diagnostic): Annotation {
  const subject = diagnostic.externalId !== undefined ? `externalId ${diagnostic.externalId}: ` : ''
  return {
    severity: diagnostic.severity,
    title: diagnostic.rule,
    message: subject + diagnostic.message,
    ...(diagnostic.file !== undefined ? { file: diagnostic.file } : {}),
    ...(diagnostic.line !== undefined ? { line: diagnostic.line } : {}),
    ...(diagnostic.column !== undefined ? { column: diagnostic.column } : {})
  }
}
