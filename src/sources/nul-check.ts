/** The NUL-character check on values, shared by the readers. */
import type { Diagnostic } from '../common/diagnostics.ts'

/** U+0000, which no text attribute in Entra can hold. */
export const NUL = '\u0000'

/**
 * A NUL character in a value (the check of the first 4 KiB of a file catches binary and UTF-16 files; this catches
 * one further on, or a `\u0000` escape in JSON). `field` names the value, e.g. `Column 3 (Email)`, never quotes it.
 */
export function nulInValue(file: string, line: number, field: string): Diagnostic {
  return {
    severity: 'error',
    rule: 'value-nul',
    message:
      `${field} holds a NUL character (U+0000), which cannot be sent to Entra. Remove it; it often comes from ` +
      'a binary or UTF-16 file pasted into a text file.',
    file,
    line
  }
}
