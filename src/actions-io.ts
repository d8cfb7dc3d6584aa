/**
 * The adapter between the action and the runner: the only module (with index.ts) that imports @actions/core.
 * Everything else talks to the `ActionIO` port (src/common/runner-port.ts), so tests and other hosts pass plain fakes.
 */
import * as core from '@actions/core'
import type { ActionIO } from './common/runner-port.ts'
import type { CommentClient } from './github/comment.ts'
import { escapeLogLine } from './common/log-escape.ts'

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

/** An Octokit for the pull-request comment; @actions/github is loaded only when a comment is made. */
export async function createCommentClient(token: string): Promise<CommentClient> {
  const { getOctokit } = await import('@actions/github')
  return getOctokit(token)
}
