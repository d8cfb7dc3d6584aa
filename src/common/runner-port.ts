/**
 * The port between the action and the runner: every stage that logs, annotates or writes outputs talks to this
 * interface. src/actions-io.ts implements it with @actions/core; tests and other hosts pass plain fakes.
 */
import type { Severity } from './diagnostics.ts'

/** One annotation: a message on the run page and, with a file and line, on the pull request's diff. */
export interface Annotation {
  severity: Severity
  title: string
  message: string
  file?: string
  line?: number
  column?: number
}

export interface ActionIO {
  getInput(name: string): string
  info(message: string): void
  /** Shown only when the run has debug logging on. */
  debug(message: string): void
  /** A log line that needs attention but is not tied to a file (no annotation). */
  warn(message: string): void
  annotate(annotation: Annotation): void
  setOutput(name: string, value: string): void
  /** Appends Markdown to the job summary; false when the runner offers none. */
  writeSummary(markdown: string): Promise<boolean>
  setFailed(message: string): void
  group<T>(name: string, work: () => Promise<T>): Promise<T>
  /**
   * Masks a value in every later log line. Optional (with getIdToken) because only apply mode needs it and hosts
   * that never sign in (plan-mode tools, the plan benchmark) need not provide it.
   */
  setSecret?(value: string): void
  /**
   * A GitHub OIDC ID token for `audience` (core.getIDToken; already masked). Throws when the job has no
   * `permissions: id-token: write`.
   */
  getIdToken?(audience: string): Promise<string>
}
