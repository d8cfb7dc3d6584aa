/**
 * Spreadsheet formula guard. A CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as
 * a formula by Excel, LibreOffice and Google Sheets (`=HYPERLINK(…)`, `@SUM(…)`, DDE through `+cmd|…`). The
 * failed-records CSV the action writes is meant to be opened in a spreadsheet, and its values come from HR files
 * anyone with push access can edit, so such cells get a leading apostrophe, which spreadsheets show as text.
 *
 * The file must also stay loadable as input (`files`), with the same values: the CSV reader removes that one
 * apostrophe again. To make the round trip exact, values that already start with apostrophes before such a
 * character get one more. A hand-written CSV cell `'=x` is therefore read as `=x`.
 */

const GUARDED = /^'*[=+\-@\t\r]/

/** The value as it must be written to a CSV cell meant for spreadsheets. */
export function guardFormula(value: string): string {
  return GUARDED.test(value) ? `'${value}` : value
}

/** The values of a CSV row as they were before `guardFormula` (in place). Costs nothing for rows without `'`. */
export function unguardFormulas(values: string[]): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string
    if (value.charCodeAt(0) === 39 && GUARDED.test(value.slice(1))) values[i] = value.slice(1)
  }
}
