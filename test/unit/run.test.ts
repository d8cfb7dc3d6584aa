/**
 * run() through its seam: a recording ActionIO, a real temporary workspace and RUNNER_TEMP, a fixed clock, and (in
 * apply mode) fake sign-in and Graph edges, so no test reaches the network. Covers what the step shows when it stops
 * on an input problem, on an unexpected error, after a plan, without a job summary, and when apply cannot go on.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Annotation, ActionIO } from '../../src/common/runner-port.ts'
import type { CredentialLike } from '../../src/graph/auth.ts'
import { run, type RunDependencies } from '../../src/main.ts'

const MAPPING = `attributes:
  externalId: '[Id]'
  userName: '[Upn]'
  active: '"True"'
`
/** Three rows; E2's userName (line 3 of the file) is not a UPN. */
const PEOPLE = 'Id,Upn\nE1,a@contoso.com\nE2,not a upn\nE3,c@contoso.com\n'
const NOW = new Date('2025-03-01T12:00:00.000Z')
const STACK_LINE = /\n\s+at /

const APPLY_INPUTS = {
  mode: 'apply',
  'tenant-id': '11111111-2222-3333-4444-555555555555',
  'client-id': '22222222-3333-4444-5555-666666666666',
  'service-principal-id': '33333333-4444-5555-6666-777777777777',
  'job-id': 'API2AAD.0123456789abcdef0123456789abcdef.44444444-5555-6666-7777-888888888888'
}
const ID_TOKEN = `e30.${Buffer.from(
  JSON.stringify({
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:contoso/hr-data:ref:refs/heads/main',
    aud: 'api://AzureADTokenExchange'
  })
).toString('base64url')}.sig`

type Method = Exclude<keyof ActionIO, 'getInput'>
interface Call {
  method: Method
  args: unknown[]
}

/** An ActionIO that records every call in order; writeSummary answers true unless told otherwise. */
function recordingIO(
  inputs: Record<string, string>,
  options: {
    writeSummary?: (markdown: string) => Promise<boolean>
    getIdToken?: (audience: string) => Promise<string>
  } = {}
) {
  const calls: Call[] = []
  const record = (method: Method, ...args: unknown[]): void => {
    calls.push({ method, args })
  }
  const io: ActionIO = {
    getInput: (name) => inputs[name] ?? '',
    info: (message) => record('info', message),
    debug: (message) => record('debug', message),
    warn: (message) => record('warn', message),
    annotate: (annotation) => record('annotate', annotation),
    setOutput: (name, value) => record('setOutput', name, value),
    writeSummary: async (markdown) => {
      record('writeSummary', markdown)
      return options.writeSummary ? options.writeSummary(markdown) : true
    },
    setFailed: (message) => record('setFailed', message),
    group: async (name, work) => {
      record('group', name)
      return work()
    },
    setSecret: (value) => record('setSecret', value)
  }
  const getIdToken = options.getIdToken
  if (getIdToken)
    io.getIdToken = async (audience) => {
      record('getIdToken', audience)
      return getIdToken(audience)
    }
  const first = (method: Method): unknown[] => calls.filter((c) => c.method === method).map((c) => c.args[0])
  return {
    io,
    calls,
    lines: (method: 'info' | 'warn' | 'debug' | 'setFailed' | 'writeSummary' | 'group' | 'setSecret') =>
      first(method) as string[],
    annotations: () => first('annotate') as Annotation[],
    outputs: () =>
      Object.fromEntries(
        calls.filter((c) => c.method === 'setOutput').map((c) => [c.args[0] as string, c.args[1] as string])
      ),
    /** Every string the io received (annotations' fields included), except what went to `except`. */
    texts: (except: Method[] = []) =>
      calls
        .filter((c) => !except.includes(c.method))
        .flatMap((c) => c.args)
        .flatMap((arg) =>
          typeof arg === 'string' ? [arg] : Object.values(arg as object).filter((v) => typeof v === 'string')
        )
  }
}

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A workspace with `files` and an existing RUNNER_TEMP beside it (the runner creates it), both removed afterwards. */
function workspaceWith(files: Record<string, string>): { workspace: string; runnerTemp: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'run-seam-'))
  roots.push(root)
  const workspace = path.join(root, 'workspace')
  const runnerTemp = path.join(root, 'temp')
  mkdirSync(runnerTemp, { recursive: true })
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true })
    writeFileSync(path.join(workspace, name), content)
  }
  mkdirSync(workspace, { recursive: true })
  return { workspace, runnerTemp }
}

function runnerEnv(
  where: { workspace: string; runnerTemp: string },
  extra: NodeJS.ProcessEnv = {}
): NodeJS.ProcessEnv {
  return {
    GITHUB_WORKSPACE: where.workspace,
    RUNNER_TEMP: where.runnerTemp,
    GITHUB_ACTION: 'sync',
    GITHUB_REPOSITORY: 'contoso/hr-data',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    // Every wait of apply mode is capped at 0 ms, should a test reach one.
    ENTRA_HR_SYNC_MAX_WAIT_MS: '0',
    ...extra
  }
}

async function runWith(
  io: ActionIO,
  env: NodeJS.ProcessEnv,
  more: Pick<RunDependencies, 'apply' | 'signal'> = {}
): Promise<void> {
  await run({ io, env, now: () => NOW, ...more })
}

describe('run: the step stops on an input problem', () => {
  test('inputs refused (an unknown mode, batch-size 0): one failure line, the other problem annotated, outputs and the stopped report set', async () => {
    const where = workspaceWith({ 'mapping.yml': MAPPING })
    const recorder = recordingIO({
      files: 'hr/*.csv',
      mapping: 'mapping.yml',
      mode: 'sideways',
      'batch-size': '0'
    })
    await runWith(recorder.io, runnerEnv(where))

    const reportFile = path.join(where.runnerTemp, 'entra-hr-sync-sync.json')
    expect(recorder.lines('setFailed')).toEqual([
      "Input 'mode': 'sideways' is not allowed; use one of plan, apply, report, reconcile. (and 1 more problem: see the annotations and the job summary)"
    ])
    // The failure line is not repeated as an annotation; the other problem is one.
    expect(recorder.annotations()).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: "Input 'batch-size': '0' is not allowed; use a whole number from 1 to 50."
      })
    ])
    expect(recorder.outputs()).toEqual({ 'report-file': reportFile, errors: '2' })
    const summaries = recorder.lines('writeSummary')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toContain(
      '❌ The run stopped before reading any record: 2 problems in the inputs. Nothing was sent.'
    )
    // Escaped for Markdown.
    expect(summaries[0]).toContain('| input | Input &#39;mode&#39;: &#39;sideways&#39; is not allowed;')
    expect(summaries[0]).toContain('| input | Input &#39;batch-size&#39;: &#39;0&#39; is not allowed;')
    const report = JSON.parse(readFileSync(reportFile, 'utf8'))
    expect(report).toMatchObject({
      mode: 'stopped',
      generatedAt: '2025-03-01T12:00:00.000Z',
      totals: { errors: 2, warnings: 0, notices: 0 }
    })
    expect(report.diagnostics.map((d: { message: string }) => d.message)).toEqual([
      "Input 'mode': 'sideways' is not allowed; use one of plan, apply, report, reconcile.",
      "Input 'batch-size': '0' is not allowed; use a whole number from 1 to 50."
    ])
    // Nothing was read, and no stack trace anywhere (not even in debug).
    expect(recorder.lines('group')).toEqual([])
    expect(recorder.texts().filter((text) => STACK_LINE.test(text))).toEqual([])
  })

  test('a mapping with a YAML syntax error: annotated at its line and column, and the failure line points there', async () => {
    const where = workspaceWith({
      'hr/people.csv': PEOPLE,
      'mapping.yml': `attributes:\n  externalId: "[Id]\n  active: x\n`
    })
    const recorder = recordingIO({ files: 'hr/*.csv', mapping: 'mapping.yml' })
    await runWith(recorder.io, runnerEnv(where))

    const [located, ...others] = recorder.annotations()
    expect(others).toEqual([])
    expect(located).toMatchObject({ severity: 'error', title: 'mapping-syntax', file: 'mapping.yml' })
    expect(located?.line).toBeGreaterThan(1)
    expect(located?.column).toEqual(expect.any(Number))
    const failed = recorder.lines('setFailed')
    expect(failed).toEqual([
      `The run stopped before reading any record: see the error at mapping.yml:${located?.line}:${located?.column}`
    ])
    // The failure line points at the problem instead of repeating it.
    expect(failed[0]).not.toContain(located?.message)
    expect(recorder.outputs()).toEqual({
      'report-file': path.join(where.runnerTemp, 'entra-hr-sync-sync.json'),
      errors: '1'
    })
    const report = JSON.parse(readFileSync(recorder.outputs()['report-file'] as string, 'utf8'))
    expect(report.diagnostics).toEqual([
      expect.objectContaining({ file: 'mapping.yml', line: located?.line, rule: 'mapping-syntax' })
    ])
    // The HR file was opened (its headers) before the mapping was read; no record was mapped.
    expect(recorder.lines('group')).toEqual(['📂 Reading HR files and mappings'])
    expect(recorder.lines('info')).toContain('hr/people.csv: CSV, utf-8, 2 columns')
    expect(recorder.texts().filter((text) => STACK_LINE.test(text))).toEqual([])
  })
})

describe('run: an unexpected error', () => {
  test('writeSummary throws an Error: one "Unexpected error" line, the stack only in debug', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO(
      { files: 'hr/*.csv', mapping: 'mapping.yml', 'fail-on': 'never' },
      {
        writeSummary: async () => {
          throw new Error('EACCES: permission denied, open the summary')
        }
      }
    )
    await runWith(recorder.io, runnerEnv(where))

    expect(recorder.lines('setFailed')).toEqual([
      'Unexpected error: EACCES: permission denied, open the summary. Please report it with the log of this step (debug logging shows more).'
    ])
    const stacks = recorder.lines('debug').filter((line) => STACK_LINE.test(line))
    expect(stacks).toHaveLength(1)
    expect(stacks[0]).toMatch(/^Error: EACCES: permission denied, open the summary\n\s+at /)
    expect(recorder.texts(['debug']).filter((text) => STACK_LINE.test(text))).toEqual([])
    // It happened while reporting, before the outputs: none is set, and the summary is not tried again.
    expect(recorder.outputs()).toEqual({})
    expect(recorder.lines('writeSummary')).toHaveLength(1)
  })

  test('writeSummary rejects with a string (not an Error): the same line, and no stack to show', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO(
      { files: 'hr/*.csv', mapping: 'mapping.yml', 'fail-on': 'never' },
      { writeSummary: () => Promise.reject('summary file is gone') }
    )
    await runWith(recorder.io, runnerEnv(where))

    expect(recorder.lines('setFailed')).toEqual([
      'Unexpected error: summary file is gone. Please report it with the log of this step (debug logging shows more).'
    ])
    expect(recorder.texts().filter((text) => STACK_LINE.test(text))).toEqual([])
  })
})

describe('run: plan mode', () => {
  test('a small CSV with one bad row and fail-on never: no failure, the summary, the outputs, the row annotated at its line', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO({ files: 'hr/*.csv', mapping: 'mapping.yml', 'fail-on': 'never' })
    await runWith(recorder.io, runnerEnv(where))

    const reportFile = path.join(where.runnerTemp, 'entra-hr-sync-sync.json')
    expect(recorder.lines('setFailed')).toEqual([])
    expect(recorder.lines('group')).toEqual([
      '📂 Reading HR files and mappings',
      '🔎 Mapping and validating records',
      '📝 Reporting'
    ])
    expect(recorder.lines('info')).toEqual(
      expect.arrayContaining([
        'hr/people.csv: CSV, utf-8, 2 columns',
        'mapping.yml: 3 attributes mapped.',
        '3 records: 2 valid, 1 invalid, 0 ignored; 1 bulk request planned.',
        `JSON report: ${reportFile}`
      ])
    )
    expect(recorder.outputs()).toEqual({
      'report-file': reportFile,
      records: '3',
      valid: '2',
      invalid: '1',
      errors: '1',
      warnings: '0',
      requests: '1'
    })
    expect(recorder.annotations()).toEqual([
      expect.objectContaining({
        severity: 'error',
        title: 'userName-format',
        file: 'hr/people.csv',
        line: 3
      })
    ])
    const summaries = recorder.lines('writeSummary')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toContain('userName-format')
    expect(summaries[0]).toContain(
      'https://github.com/contoso/hr-data/blob/0123456789abcdef0123456789abcdef01234567/hr/people.csv#L3'
    )
    expect(recorder.lines('warn')).toEqual([])
    const report = JSON.parse(readFileSync(reportFile, 'utf8'))
    expect(report).toMatchObject({ mode: 'plan', generatedAt: '2025-03-01T12:00:00.000Z' })
  })

  test('the same file with the default fail-on: the step fails with the count of errors, after the outputs', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO({ files: 'hr/*.csv', mapping: 'mapping.yml' })
    await runWith(recorder.io, runnerEnv(where))

    expect(recorder.lines('setFailed')).toEqual([
      '1 error (1 record will not be sent); see the job summary. Set fail-on: never to pass anyway.'
    ])
    const methods = recorder.calls.map((c) => c.method)
    expect(methods.lastIndexOf('setOutput')).toBeLessThan(methods.indexOf('setFailed'))
    expect(recorder.outputs()).toMatchObject({ errors: '1', valid: '2' })
  })

  test('writeSummary answers false (no GITHUB_STEP_SUMMARY): the "No job summary" warning, the run goes on', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO(
      { files: 'hr/*.csv', mapping: 'mapping.yml', 'fail-on': 'never' },
      { writeSummary: async () => false }
    )
    await runWith(recorder.io, runnerEnv(where))

    expect(recorder.lines('warn')).toEqual(['No job summary: GITHUB_STEP_SUMMARY is not set.'])
    expect(recorder.lines('setFailed')).toEqual([])
    expect(recorder.outputs()).toMatchObject({ records: '3', valid: '2' })
  })
})

describe('run: apply mode without the network', () => {
  /** Graph's side: the job is active, its schema cannot be read; every call is recorded. */
  function fakeGraph() {
    const requests: string[] = []
    const fetch = async (url: string, init: RequestInit): Promise<Response> => {
      requests.push(`${init.method} ${url}`)
      if (url.endsWith('/schema'))
        return new Response('{"error":{"code":"NotFound","message":"no schema"}}', { status: 404 })
      if (url.includes('/synchronization/jobs/'))
        return new Response('{"status":{"code":"Active"}}', { status: 200 })
      return new Response('{"error":{"code":"Unexpected","message":"not faked"}}', { status: 400 })
    }
    return { fetch, requests }
  }
  const oidcEnv = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.invalid/?a=1',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'r'
  }

  test('sign-in refused (AADSTS700213): nothing sent, Graph never called, the step fails with the reason', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO(
      { files: 'hr/*.csv', mapping: 'mapping.yml', ...APPLY_INPUTS },
      { getIdToken: async () => ID_TOKEN }
    )
    const graph = fakeGraph()
    let exchanges = 0
    const createCredential = (_kind: string, getAssertion: () => Promise<string>): CredentialLike => ({
      getToken: async () => {
        await getAssertion()
        exchanges++
        throw new Error('AADSTS700213: No matching federated identity record found for presented assertion.')
      }
    })
    await runWith(recorder.io, runnerEnv(where, oidcEnv), {
      apply: { fetch: graph.fetch, createCredential, sleep: async () => undefined }
    })

    expect(exchanges).toBe(1)
    expect(graph.requests).toEqual([])
    expect(recorder.lines('setSecret')).toEqual([])
    const warned = recorder.lines('warn')
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatch(
      /^AADSTS700213: no federated credential has the subject 'repo:contoso\/hr-data:ref:refs\/heads\/main'/
    )
    const failed = recorder.lines('setFailed')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatch(/^2 valid records not sent \(0 sent\): AADSTS700213: /)
    expect(failed[0]).toMatch(/ See the job summary\.$/)
    expect(recorder.outputs()).toMatchObject({ sent: '0', 'not-sent': '2', records: '3', valid: '2' })
    expect(recorder.lines('group')).toContain('🔐 Signing in to Entra')
    expect(recorder.texts().filter((text) => STACK_LINE.test(text))).toEqual([])
  })

  test('a signal aborted before the upload (SIGTERM): signed in, the job checked, nothing sent, the step fails as cancelled', async () => {
    const where = workspaceWith({ 'hr/people.csv': PEOPLE, 'mapping.yml': MAPPING })
    const recorder = recordingIO(
      { files: 'hr/*.csv', mapping: 'mapping.yml', ...APPLY_INPUTS },
      { getIdToken: async () => ID_TOKEN }
    )
    const graph = fakeGraph()
    const createCredential = (_kind: string, getAssertion: () => Promise<string>): CredentialLike => ({
      getToken: async () => {
        await getAssertion()
        return { token: 'graph-token', expiresOnTimestamp: NOW.getTime() + 3600_000 }
      }
    })
    const controller = new AbortController()
    controller.abort('SIGTERM')
    await runWith(recorder.io, runnerEnv(where, oidcEnv), {
      apply: { fetch: graph.fetch, createCredential, sleep: async () => undefined },
      signal: controller.signal
    })

    const base =
      'GET https://graph.microsoft.com/v1.0/servicePrincipals/33333333-4444-5555-6666-777777777777/synchronization/jobs/API2AAD.0123456789abcdef0123456789abcdef.44444444-5555-6666-7777-888888888888'
    expect(graph.requests).toEqual([base, `${base}/schema`])
    expect(recorder.lines('setSecret')).toEqual(['graph-token'])
    expect(recorder.lines('warn')).toEqual(['the run was cancelled (SIGTERM)'])
    const journal = path.join(where.runnerTemp, 'entra-hr-sync-sync.manifest.jsonl')
    expect(recorder.lines('setFailed')).toEqual([
      `cancelled (SIGTERM): 0 staged, 2 not sent. ${journal} lists what was staged; re-run with resume-from to send only the rest.`
    ])
    const summaries = recorder.lines('writeSummary')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toMatch(
      /^> \[!CAUTION\]\n> \*\*cancelled: 0 staged, 2 not sent\*\* \(records, on SIGTERM\)/
    )
    expect(recorder.outputs()).toMatchObject({ sent: '0', 'not-sent': '2', records: '3' })
    // The schema could not be read: a notice, and the run went on to the cancellation.
    expect(recorder.annotations().map((a) => [a.severity, a.title])).toEqual([
      ['notice', 'Mapping not checked against the tenant'],
      ['error', 'userName-format']
    ])
  })
})
