/**
 * The adapter between the action and the runner: the only module (with index.ts) that imports @actions/core.
 * Everything else talks to the `ActionIO` port, so tests and other hosts pass plain fakes.
 */
import * as core from '@actions/core'
import type { Annotation } from './report/annotations.ts'
import { escapeLogLine } from './log-escape.ts'

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

export function createActionIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    // core.info writes the line as is; annotations, debug lines, group names and failures are escaped by core.
    info: (message) => core.info(escapeLogLine(message)),
    debug: (message) => core.debug(message),
    warn: (message) => core.info(escapeLogLine(`⚠️ ${message}`)),
    annotate: ({ severity, title, message, file, line, column }) => {
      const properties: core.AnnotationProperties = { title }
      if (file !== undefined) properties.file = file
      if (line !== undefined) properties.startLine = line
      if (column !== undefined) properties.startColumn = column
      core[severity](message, properties)
    },
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return false
      await core.summary.addRaw(markdown).write()
      core.summary.emptyBuffer()
      return true
    },
    setFailed: (message) => core.setFailed(message),
    group: (name, work) => core.group(name, work),
    setSecret: (value) => core.setSecret(value),
    getIdToken: (audience) => core.getIDToken(audience)
  }
}
