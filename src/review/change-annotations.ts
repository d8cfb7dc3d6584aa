/**
 * Annotations on the lines a change touches, as notices: GitHub shows them on the pull request's diff. At most
 * `max` (≤ 10, GitHub's cap per severity and step), leavers first, the last slot counting what is left out. Messages
 * name the externalId and the attributes that change, never values.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { Annotation } from '../common/runner-port.ts'
import { ANNOTATIONS_PER_SEVERITY } from '../common/github-limits.ts'
import { plural } from '../common/markdown.ts'
import type { ChangeClass, DiffEntry, ReviewDiff } from './diff.ts'

const ORDER: readonly ChangeClass[] = ['leaver', 'rehire', 'joiner', 'mover']

/** Every change as a notice diagnostic (rule `review-<class>`), leavers first, in file and line order otherwise. */
export function reviewDiagnostics(diff: ReviewDiff): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const kind of ORDER) {
    for (const entry of diff.entries) {
      if (entry.class !== kind) continue
      const removed = entry.headRecord === undefined
      out.push({
        severity: 'notice',
        rule: `review-${kind}`,
        file: entry.file,
        // A removed row has no line in the head version of the file: the annotation goes on the file.
        ...(removed ? {} : { line: entry.line }),
        externalId: entry.externalId,
        message: describe(entry)
      })
    }
  }
  return out
}

export function reviewAnnotations(diff: ReviewDiff, max = ANNOTATIONS_PER_SEVERITY): Annotation[] {
  const cap = Math.max(0, Math.min(max, ANNOTATIONS_PER_SEVERITY))
  const all = reviewDiagnostics(diff)
  const room = all.length > cap ? cap - 1 : cap
  const chosen: Annotation[] = all.slice(0, Math.max(0, room)).map((d) => ({
    severity: d.severity,
    title: TITLE[d.rule] ?? d.rule,
    message: `externalId ${d.externalId}: ${d.message}`,
    ...(d.file !== undefined ? { file: d.file } : {}),
    ...(d.line !== undefined ? { line: d.line } : {})
  }))
  const left = all.length - chosen.length
  if (left > 0 && cap > 0) {
    chosen.push({
      severity: 'notice',
      title: 'More changes in the job summary',
      message: `${plural(left, 'more change')} than the annotations show; see the job summary.`
    })
  }
  return chosen
}

const TITLE: Record<string, string> = {
  'review-joiner': 'Joiner',
  'review-mover': 'Mover',
  'review-leaver': 'Leaver',
  'review-rehire': 'Rehire'
}

function describe(entry: DiffEntry): string {
  const names = entry.changes.map((change) => change.path).join(', ')
  const changed = names ? `; changes ${names}` : ''
  switch (entry.class) {
    case 'joiner':
      return 'new record (joiner)'
    case 'mover':
      return `changes ${names} (mover)`
    case 'rehire':
      return `active turned true (rehire)${changed}`
    case 'leaver':
      if (entry.reason === 'removed')
        return `row removed since the base, where it was line ${entry.line} (leaver)`
      if (entry.reason === 'deactivated') return `active turned false (leaver)${changed}`
      return `leave date set (leaver)${changed}`
  }
}
