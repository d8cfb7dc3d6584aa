/**
 * What of the provisioning logs may be shown. Entra's free texts (an error's reason and recommended action, a
 * step's warning) quote the values that failed — a userPrincipalName, a manager's id — in whatever form: quoted,
 * unquoted, with apostrophes inside (`sean.o'brien@…`). Guessing where a value starts and ends in a sentence is
 * bound to miss some, so redaction goes by structure instead: by default (summary-detail: ids) a free text from the
 * service is never shown, and only its codes (errorCode, errorCategory, status, skip reason) are, when they have the
 * shape of a code. Summaries, annotations and report files then name records by externalId, file and line only.
 */
import { describeSkip } from './fold.ts'
import type { RecordOutcome } from './outcome.ts'

/** Shown instead of a free text from the service with summary-detail: ids. */
export const HIDDEN_TEXT = 'hidden (summary-detail: ids)'

/** An identifier as Entra's codes are (AzureActiveDirectoryInvalidUserPrincipalName, nonServiceFailure). */
const CODE = /^[A-Za-z][A-Za-z0-9_.]{0,99}$/

/** Notes the action writes itself (src/outcomes/outcome.ts, src/graph/logs.ts): no value in them. */
const OWN_NOTES = new Set([
  'no change',
  'skipped',
  'out of scope',
  'The provisioning service reported a warning.'
])

/** A code from the service: shown when it has the shape of one (or with summary-detail: full). */
export function publicCode(value: string, full: boolean): string {
  return full || value === '' || CODE.test(value) ? value : HIDDEN_TEXT
}

/** A free text from the service (reason, recommended action): shown only with summary-detail: full. */
export function publicText(value: string, full: boolean): string {
  return full || value === '' || OWN_NOTES.has(value) ? value : HIDDEN_TEXT
}

/** An id as the HR files hold them (a manager's externalId): shown like the record's own externalId. */
const ID = /^[A-Za-z0-9._:-]{1,100}$/

/**
 * An outcome's note: a skip reason is a code; a warning the action built from skipped values (a manager not set)
 * names the property and the manager's externalId; any other warning's note is the service's free text.
 */
export function publicNote(
  outcome: Pick<RecordOutcome, 'outcome' | 'note' | 'skipped'>,
  full: boolean
): string {
  if (outcome.skipped?.length && !full)
    return outcome.skipped
      .map((skip) =>
        describeSkip(skip, {
          code: (v) => publicCode(v, false),
          id: (v) => (ID.test(v) ? v : HIDDEN_TEXT),
          full: false
        })
      )
      .join('; ')
  const note = outcome.note ?? ''
  return outcome.outcome === 'skipped' && !OWN_NOTES.has(note)
    ? publicCode(note, full)
    : publicText(note, full)
}
