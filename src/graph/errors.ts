/**
 * A stop of apply mode for a reason the user must fix (sign-in, permissions, the job). The message is one line that
 * says what to change and where; main.ts shows it as the step's failure, never with a stack trace.
 */
export class ApplyStop extends Error {
  /** Short machine-readable kind, kept in the JSON report. */
  readonly kind: string

  constructor(kind: string, message: string) {
    super(message)
    this.name = 'ApplyStop'
    this.kind = kind
  }
}
