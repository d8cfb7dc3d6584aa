/**
 * Every input of action.yml, read once into a typed, validated object. The only module that knows input names.
 * It takes a reader function instead of calling @actions/core, so tests and other hosts pass plain maps.
 */
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { InputError, type Severity } from '../common/diagnostics.ts'
import { MAX_OPERATIONS_PER_REQUEST } from '../common/service-limits.ts'
import { RULES, isRuleName } from './rule-catalogue.ts'
import { closest } from '../common/did-you-mean.ts'
import { CLOUDS, CLOUD_NAMES, type CloudName } from '../common/clouds.ts'
import { readReconcileSettings, type ReconcileSettings } from './reconcile-settings.ts'

export type Mode = 'plan' | 'apply' | 'report' | 'reconcile'
export type FailOn = 'error' | 'warning' | 'never'
export type SummaryDetail = 'ids' | 'full'
export type RuleSeverity = Severity | 'off'

export interface Settings {
  mode: Mode
  /** apply and report: reading the outcomes from the provisioning logs (logs-timeout, not-seen, fail-on, re-sends). */
  outcomes: OutcomeSettings
  /** resend-from: absolute path of a previous report whose failed records alone are sent. */
  resendFrom: string | undefined
  /** resume-from: absolute path of an interrupted run's manifest journal or report; what it staged is not re-sent. */
  resumeFrom: string | undefined
  /** previous-report (mode report): absolute path of an earlier apply run's report file. */
  previousReport: string | undefined
  /** Absolute path of the workspace; every file read or written must stay inside it (or RUNNER_TEMP). */
  workspace: string
  /** Where the report files go. */
  runnerTemp: string
  /** The data sources: one from `files` and `mapping`, or several from `sources`. */
  sources: SourceSetting[]
  delimiter: DelimiterSetting
  /** Per-rule severity overrides. */
  rules: ReadonlyMap<string, RuleSeverity>
  batchSize: number
  /** What an empty mapped value becomes in the payloads: left out, or null so Entra clears the value. */
  emptyValues: 'omit' | 'clear'
  /** Absolute folder for the planned requests, or undefined. */
  requestsDir: string | undefined
  failOn: FailOn
  maxAnnotations: number
  summaryDetail: SummaryDetail
  /** For links from the summary to file lines; empty when unknown (local runs). */
  repository: { serverUrl: string; repo: string; sha: string }
  /** Where and how to send; present in apply mode only. */
  apply: ApplySettings | undefined
  /** Comparison with a base commit: pull-request review, delta uploads, leavers and safety gates. */
  review: ReviewSettings
  /** Mode reconcile: the Entra users compared (an OData filter) and the finding classes that fail the step. */
  reconcile: ReconcileSettings
  /** schema-file: workspace-relative path of the job's synchronization schema exported as JSON. */
  schemaFile: string | undefined
  /** writeback-file: absolute path of the CSV for the HR system (apply mode), and which records it holds. */
  writeback: { file: string; records: 'changed' | 'all' } | undefined
}

export interface SourceSetting {
  /** Newline-separated glob patterns. */
  files: string
  /** Workspace-relative path of the mapping file, or undefined for the built-in default mapping. */
  mapping: string | undefined
}

export interface ReviewSettings {
  /** The `base-ref` input; without it the base comes from the event (pull request, merge queue, push). */
  baseRef: string | undefined
  /** Apply mode: upload only records whose payload differs from the base. */
  changedOnly: boolean
  /** Rows removed since the base: left alone, or sent once more with active false. */
  leavers: 'ignore' | 'disable'
  gates: GateSettings
  /** Post the review as a pull-request comment, updated in place. */
  comment: boolean
  githubToken: string | undefined
}

export interface ApplySettings {
  tenantId: string
  clientId: string
  servicePrincipalId: string
  jobId: string
  cloud: CloudName
  /** https origin of the sign-in service (the cloud's, or the authority-host override). */
  authorityHost: string
  /** True when authority-host was given: MSAL must then skip instance discovery (it would call Microsoft). */
  authorityOverridden: boolean
  /** https origin of Graph (the cloud's, or the graph-url override). The bearer token goes to this host only. */
  graphBaseUrl: string
  graphVersion: 'v1.0' | 'beta'
  clientSecret: string | undefined
  clientCertificate: string | undefined
  /** bulkUpload calls per 5-second window; 0 turns pacing off (emulators and benchmarks only). */
  rateLimit: number
  /** bulkUpload calls this run may make, or undefined for no budget. */
  dailyCallBudget: number | undefined
  /** Attempts per request for transient failures. */
  maxRetries: number
  /** How long every call waits after the bucket-full 500 (bucket-full-wait). */
  bucketFullWaitMs: number
  /** How long the upload may take, bucket-full waits included (upload-timeout). */
  uploadTimeoutMs: number
  timing: ApplyTiming
}

/**
 * Waits of the upload and the log poll, with the production defaults. Tests, the demo and the benchmarks shorten them
 * through environment variables that are not action inputs (documented in docs/architecture.md, "Test-only timing
 * knobs"): ENTRA_HR_SYNC_MAX_WAIT_MS caps every single wait (Retry-After, backoff, the AADSTS70021 delay, the waits
 * for the provisioning logs, which still count in full toward logs-timeout); ENTRA_HR_SYNC_RETRY_BASE_MS is the first
 * backoff step; ENTRA_HR_SYNC_LOG_WINDOW_MS the log-read pacing window.
 */
export interface ApplyTiming {
  /** First step of the exponential backoff. */
  retryBaseMs: number
  /** Ceiling of one backoff wait. */
  retryMaxMs: number
  /** A Retry-After longer than this means the daily quota is likely exhausted: stop instead of waiting. */
  maxRetryAfterMs: number
  /** Delay between AADSTS70021 retries (a new federated credential takes minutes to propagate). */
  credentialRetryMs: number
  /** Caps every wait above (tests); Infinity in production. */
  maxWaitMs: number
  /** Length of the rate-limit window. */
  windowMs: number
  /** Added to the window so calls that travel at different speeds still land inside the limit. */
  windowMarginMs: number
  /** Requests in flight at once. */
  concurrency: number
  /** Window of the log-read pacing (5 calls per 10 s in production); absent: 10 s. */
  logWindowMs?: number
}

/** Returns the trimmed value of an input, '' when unset (the contract of core.getInput). */
export type InputReader = (name: string) => string

const DELIMITERS: Record<string, DelimiterSetting> = {
  auto: 'auto',
  comma: ',',
  ',': ',',
  semicolon: ';',
  ';': ';',
  tab: '\t',
  '\\t': '\t',
  '\t': '\t',
  pipe: '|',
  '|': '|'
}

/** A file in RUNNER_TEMP named after the step, so several steps of a job do not collide. */
export function scratchPath(runnerTemp: string, env: NodeJS.ProcessEnv, extension: string): string {
  const step = (env.GITHUB_ACTION || 'local').replace(/[^\w.-]/g, '_')
  return path.join(runnerTemp, `entra-hr-sync-${step}.${extension}`)
}

export function readSettings(input: InputReader, env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = []
  const fail = (message: string): void => {
    problems.push(message)
  }

  const mode = oneOf(input, 'mode', ['plan', 'apply', 'report', 'reconcile'] as const, 'plan', fail)

  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  const runnerTemp = path.resolve(env.RUNNER_TEMP || path.join(workspace, '.tmp'))

  const sources = readSources(input, mode, workspace, fail)

  const delimiterInput = input('delimiter') || 'auto'
  const delimiter = DELIMITERS[delimiterInput.toLowerCase()] ?? DELIMITERS[delimiterInput]
  if (!delimiter) {
    fail(`Input 'delimiter': '${delimiterInput}' is not allowed; use auto, comma, semicolon, tab or pipe.`)
  }

  const requestsDirInput = input('requests-dir')
  const requestsDir = requestsDirInput
    ? path.resolve(workspace, insideWorkspace('requests-dir', requestsDirInput, workspace, fail, runnerTemp))
    : undefined

  const outcomeFailOn = readFailOn(input('fail-on'), fail)
  const resendFromInput = input('resend-from')
  const resendFrom = resendFromInput ? path.resolve(workspace, resendFromInput) : undefined
  if (resendFrom && mode !== 'apply')
    fail(`Input 'resend-from' needs mode apply (it chooses what to upload).`)
  const resumeFromInput = input('resume-from')
  const resumeFrom = resumeFromInput ? path.resolve(workspace, resumeFromInput) : undefined
  if (resumeFrom && mode !== 'apply')
    fail(`Input 'resume-from' needs mode apply (it chooses what to upload).`)
  if (resumeFrom && resendFrom)
    fail(`Inputs 'resume-from' and 'resend-from' cannot be used together; give one.`)
  const previousInput = input('previous-report')
  const previousReport = previousInput ? path.resolve(workspace, previousInput) : undefined
  if (mode === 'report' && !previousReport)
    fail(
      `mode report needs 'previous-report': the report-file of an earlier apply run (for example downloaded with actions/download-artifact).`
    )
  if (previousReport && mode !== 'report')
    fail(`Input 'previous-report' is read only in mode report; remove it.`)

  const schemaInput = input('schema-file')
  const schemaFile = schemaInput ? insideWorkspace('schema-file', schemaInput, workspace, fail) : undefined
  const writebackInput = input('writeback-file')
  const writebackRecords = oneOf(input, 'writeback-records', ['changed', 'all'] as const, 'changed', fail)
  const writeback = writebackInput
    ? {
        file: path.resolve(
          workspace,
          insideWorkspace('writeback-file', writebackInput, workspace, fail, runnerTemp)
        ),
        records: writebackRecords
      }
    : undefined
  if (writeback && mode !== 'apply')
    fail(`Input 'writeback-file' needs mode apply (it lists what Entra did).`)

  const repository = {
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    repo: env.GITHUB_REPOSITORY || '',
    sha: env.GITHUB_SHA || ''
  }

  const settings: Settings = {
    mode,
    workspace,
    runnerTemp,
    sources,
    delimiter: delimiter ?? 'auto',
    rules: readRules(input('rules'), fail),
    batchSize: integer(input, 'batch-size', 1, MAX_OPERATIONS_PER_REQUEST, 50, fail),
    emptyValues: oneOf(input, 'empty-values', ['clear', 'omit'] as const, 'clear', fail),
    requestsDir,
    failOn: outcomeFailOn.kind === 'threshold' ? 'error' : outcomeFailOn.kind,
    maxAnnotations: integer(input, 'max-annotations', 0, 10, 10, fail),
    summaryDetail: oneOf(input, 'summary-detail', ['ids', 'full'] as const, 'ids', fail),
    repository,
    apply: mode !== 'plan' ? readApplySettings(input, env, fail, mode) : undefined,
    outcomes: {
      logsTimeoutMinutes: integer(input, 'logs-timeout', 0, 360, 15, fail),
      notSeen: oneOf(
        input,
        'not-seen',
        ['failure', 'warning', 'ignore'] as const,
        'warning',
        fail
      ) as NotSeenPolicy,
      resubmitAttempts: integer(input, 'resubmit-attempts', 0, 5, 1, fail),
      failOn: outcomeFailOn
    },
    resendFrom,
    resumeFrom,
    previousReport,
    review: readReviewSettings(input, fail),
    reconcile: readReconcileSettings(input, mode, fail),
    schemaFile,
    writeback
  }

  if (problems.length > 0) {
    throw new InputError(problems.map((message) => ({ severity: 'error', rule: 'input', message })))
  }
  return settings
}

const hasPattern = (files: string): boolean =>
  files.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#'))

/**
 * `files` and `mapping`, or `sources`: a YAML list of `{files, mapping}`, one per data source (employees,
 * contractors, …), each read with its own mapping, all checked together.
 */
function readSources(
  input: InputReader,
  mode: Mode,
  workspace: string,
  fail: (message: string) => void
): SourceSetting[] {
  const text = input('sources')
  if (text === '') {
    const files = input('files')
    if (mode !== 'report' && !hasPattern(files)) {
      fail(`Input 'files' is required: give one or more glob patterns of HR files, e.g. 'hr/*.csv'.`)
    }
    const mapping = input('mapping')
    return [{ files, mapping: mapping ? insideWorkspace('mapping', mapping, workspace, fail) : undefined }]
  }
  if (input('files') !== '' || input('mapping') !== '') {
    fail(`Inputs 'sources' and 'files'/'mapping' cannot be used together: list every source in 'sources'.`)
  }
  const example = "e.g. '- files: hr/employees/*.csv\n  mapping: hr/employees.yml'"
  let list: unknown
  try {
    list = parseYaml(text)
  } catch (error) {
    fail(
      `Input 'sources' is not valid YAML (${(error as Error).message.split('\n')[0]}); write a list, ${example}.`
    )
    return []
  }
  if (!Array.isArray(list) || list.length === 0) {
    fail(`Input 'sources' must be a list of sources, each with 'files' and 'mapping', ${example}.`)
    return []
  }
  return list.flatMap((entry: unknown, index): SourceSetting[] => {
    const where = `Input 'sources', entry ${index + 1}`
    const item = (entry ?? {}) as Record<string, unknown>
    const files = Array.isArray(item.files) ? item.files.join('\n') : item.files
    const unknownKeys = Object.keys(item).filter((key) => key !== 'files' && key !== 'mapping')
    if (
      typeof entry !== 'object' ||
      typeof files !== 'string' ||
      !hasPattern(files) ||
      unknownKeys.length > 0
    ) {
      fail(
        `${where}: write 'files' (glob patterns) and 'mapping' (a mapping file), and nothing else; ${example}.`
      )
      return []
    }
    if (item.mapping !== undefined && typeof item.mapping !== 'string') {
      fail(`${where}: 'mapping' must be the path of a mapping file.`)
      return []
    }
    const mapping = item.mapping
      ? insideWorkspace(`sources' entry ${index + 1} 'mapping`, item.mapping, workspace, fail)
      : undefined
    return [{ files, mapping }]
  })
}

function readReviewSettings(input: InputReader, fail: (message: string) => void): ReviewSettings {
  return {
    baseRef: input('base-ref') || undefined,
    changedOnly: boolean(input, 'changed-only', false, fail),
    leavers: oneOf(input, 'leavers', ['ignore', 'disable'] as const, 'ignore', fail),
    gates: {
      maxDisables: integer(input, 'max-disables', 0, Number.MAX_SAFE_INTEGER, 25, fail),
      maxDisablesPercent: percent(input, 'max-disables-percent', 5, fail),
      maxChangesPercent: percent(input, 'max-changes-percent', 30, fail),
      maxShrinkPercent: percent(input, 'max-shrink-percent', 10, fail),
      allowMassChanges: boolean(input, 'allow-mass-changes', false, fail)
    },
    comment: boolean(input, 'comment', false, fail),
    githubToken: input('github-token') || undefined
  }
}

/** true/false in the spellings of YAML 1.2's core schema (as core.getBooleanInput); anything else is refused. */
function boolean(
  input: InputReader,
  name: string,
  fallback: boolean,
  fail: (message: string) => void
): boolean {
  const value = input(name)
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  fail(`Input '${name}': '${value}' is not allowed; use true or false.`)
  return fallback
}

function percent(
  input: InputReader,
  name: string,
  fallback: number,
  fail: (message: string) => void
): number {
  const value = input(name)
  if (value === '') return fallback
  const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  if (!(parsed >= 0 && parsed <= 100)) {
    fail(`Input '${name}': '${value}' is not allowed; use a percentage from 0 to 100.`)
    return fallback
  }
  return parsed
}

/** fail-on: error, warning, never, or a threshold of failed outcomes: a count (`5`) or a percentage (`2%`). */
function readFailOn(value: string, fail: (message: string) => void): OutcomeFailOn {
  const lower = value.trim().toLowerCase()
  if (lower === '' || lower === 'error') return { kind: 'error' }
  if (lower === 'warning' || lower === 'never') return { kind: lower }
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(lower)
  if (match && (match[2] === '' ? /^\d+$/.test(match[1] as string) : Number(match[1]) <= 100))
    return { kind: 'threshold', count: Number(match[1]), percent: match[2] === '%' }
  fail(
    `Input 'fail-on': '${value}' is not allowed; use error, warning, never, a number of failed records (e.g. 5) or a percentage of the records sent (e.g. 2%).`
  )
  return { kind: 'error' }
}

function oneOf<T extends string>(
  input: InputReader,
  name: string,
  allowed: readonly T[],
  fallback: T,
  fail: (message: string) => void
): T {
  const value = input(name)
  if (value === '') return fallback
  const match = allowed.find((candidate) => candidate === value.toLowerCase())
  if (match === undefined) {
    fail(`Input '${name}': '${value}' is not allowed; use one of ${allowed.join(', ')}.`)
    return fallback
  }
  return match
}

function integer(
  input: InputReader,
  name: string,
  min: number,
  max: number,
  fallback: number,
  fail: (message: string) => void
): number {
  const value = input(name)
  if (value === '') return fallback
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    fail(`Input '${name}': '${value}' is not allowed; use a whole number from ${min} to ${max}.`)
    return fallback
  }
  return parsed
}

const SEVERITIES: readonly RuleSeverity[] = ['error', 'warning', 'notice', 'off']

/** `rule: severity` lines (YAML-like; comments and blank lines ignored). */
function readRules(text: string, fail: (message: string) => void): Map<string, RuleSeverity> {
  const rules = new Map<string, RuleSeverity>()
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim()
    if (!line) return
    const match = /^([A-Za-z][\w.-]*)\s*[:=]\s*(\w+)$/.exec(line)
    const severity = match?.[2]?.toLowerCase() as RuleSeverity | undefined
    if (!match || !severity || !SEVERITIES.includes(severity)) {
      fail(
        `Input 'rules', line ${index + 1}: write 'rule-name: severity' with severity one of ${SEVERITIES.join(', ')}.`
      )
      return
    }
    const rule = match[1] as string
    if (!isRuleName(rule)) {
      const hint = closest(rule, Object.keys(RULES))
      fail(
        `Input 'rules', line ${index + 1}: unknown rule '${rule}'${hint ? ` (did you mean '${hint}'?)` : ''}; the rules are listed in docs/validation.md.`
      )
      return
    }
    rules.set(rule, severity)
  })
  return rules
}

/** Returns the path relative to the workspace, refusing anything outside it (and outside `alsoAllowed`). */
function insideWorkspace(
  name: string,
  value: string,
  workspace: string,
  fail: (message: string) => void,
  alsoAllowed?: string
): string {
  const absolute = path.resolve(workspace, value)
  for (const root of [workspace, alsoAllowed]) {
    if (root === undefined) continue
    const relative = path.relative(root, absolute)
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
      return root === workspace ? relative.split(path.sep).join('/') : absolute
    }
  }
  fail(`Input '${name}': '${value}' is outside the workspace; give a path inside the repository.`)
  return value
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function readApplySettings(
  input: InputReader,
  env: NodeJS.ProcessEnv,
  fail: (message: string) => void,
  mode: Mode
): ApplySettings {
  // Name every missing input at once: a user fixing them one run at a time would wait for the runner each time.
  const required: Array<[string, string]> = [
    ['tenant-id', 'the Entra tenant id'],
    ['client-id', 'the application (client) id of the app registration'],
    ['service-principal-id', "the object id of the provisioning app's service principal"],
    ['job-id', 'the provisioning job id, API2AAD.…']
  ]
  const missing = required.filter(([name]) => input(name) === '')
  if (missing.length > 0) {
    fail(
      `mode ${mode} needs ${missing.map(([name, what]) => `'${name}' (${what})`).join(', ')}; ` +
        `they are on the provisioning app's Provisioning page in the Entra admin centre (see the README, Apply mode).`
    )
  }
  const guid = (name: string): string => {
    const value = input(name)
    if (value && !GUID.test(value)) fail(`Input '${name}': '${value}' is not a GUID.`)
    return value
  }
  const tenantId = input('tenant-id')
  if (tenantId && !GUID.test(tenantId) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenantId))
    fail(`Input 'tenant-id': '${tenantId}' is neither a GUID nor a domain name.`)
  const jobId = input('job-id')
  if (jobId && !/^[A-Za-z0-9]+\.[0-9a-f]{32}\.[0-9a-f-]{36}$/i.test(jobId))
    fail(`Input 'job-id': '${jobId}' does not look like a provisioning job id (API2AAD.<32 hex>.<guid>).`)

  const cloud = oneOf(input, 'cloud', CLOUD_NAMES, 'public', fail)
  const authorityInput = input('authority-host')
  const graphInput = input('graph-url')
  const clientSecret = input('client-secret') || undefined
  const clientCertificate = input('client-certificate') || undefined
  if (clientSecret && clientCertificate)
    fail(
      `Inputs 'client-secret' and 'client-certificate' are both set; keep one (or neither, to sign in with OIDC).`
    )
  if (clientCertificate && !clientCertificate.includes('-----BEGIN'))
    fail(`Input 'client-certificate': expected a PEM certificate and private key (-----BEGIN …).`)

  const budget = input('daily-call-budget')
  return {
    tenantId,
    clientId: guid('client-id'),
    servicePrincipalId: guid('service-principal-id'),
    jobId,
    cloud,
    authorityHost: authorityInput
      ? httpsOrigin('authority-host', authorityInput, fail)
      : CLOUDS[cloud].authorityHost,
    authorityOverridden: authorityInput !== '',
    graphBaseUrl: graphInput ? httpsOrigin('graph-url', graphInput, fail) : CLOUDS[cloud].graphBaseUrl,
    graphVersion: oneOf(input, 'graph-version', ['v1.0', 'beta'] as const, 'v1.0', fail),
    clientSecret,
    clientCertificate,
    rateLimit: integer(input, 'rate-limit', 0, 10_000, 40, fail),
    dailyCallBudget: budget === '' ? undefined : integer(input, 'daily-call-budget', 1, 1_000_000, 1, fail),
    maxRetries: integer(input, 'max-retries', 1, 20, 6, fail),
    bucketFullWaitMs: integer(input, 'bucket-full-wait', 1, 60, 5, fail) * 60_000,
    uploadTimeoutMs: integer(input, 'upload-timeout', 1, 360, 60, fail) * 60_000,
    timing: readTiming(env)
  }
}

function httpsOrigin(name: string, value: string, fail: (message: string) => void): string {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search) {
    fail(`Input '${name}': '${value}' must be an https origin such as https://host:port (no path).`)
    return value
  }
  return url.origin
}

function readTiming(env: NodeJS.ProcessEnv): ApplyTiming {
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name])
    return env[name] !== undefined && env[name] !== '' && Number.isFinite(value) && value >= 0
      ? value
      : fallback
  }
  return {
    retryBaseMs: number('ENTRA_HR_SYNC_RETRY_BASE_MS', 1000),
    retryMaxMs: 60_000,
    maxRetryAfterMs: 120_000,
    credentialRetryMs: 15_000,
    maxWaitMs: number('ENTRA_HR_SYNC_MAX_WAIT_MS', Infinity),
    windowMs: 5000,
    windowMarginMs: number('ENTRA_HR_SYNC_WINDOW_MARGIN_MS', 100),
    concurrency: Math.max(1, Math.floor(number('ENTRA_HR_SYNC_CONCURRENCY', 8))),
    logWindowMs: number('ENTRA_HR_SYNC_LOG_WINDOW_MS', 10_000)
  }
}

export interface OutcomeSettings {
  /** logs-timeout in minutes; 0 reads the logs once without waiting. */
  logsTimeoutMinutes: number
  notSeen: NotSeenPolicy
  resubmitAttempts: number
  failOn: OutcomeFailOn
}

/** How "not seen" counts for fail-on. */
export type NotSeenPolicy = 'failure' | 'warning' | 'ignore'

/** fail-on for outcomes: any failure, a threshold (count or percentage of the records sent), or never. */
export type OutcomeFailOn =
  | { kind: 'error' }
  | { kind: 'warning' }
  | { kind: 'never' }
  | { kind: 'threshold'; count: number; percent: boolean }

export interface GateSettings {
  /** Most records a run may disable (absolute). */
  maxDisables: number
  /** Most records a run may disable, in percent of the population at the base. */
  maxDisablesPercent: number
  /** Most records a run may change (joiners, movers, leavers, rehires), in percent of the population at the base. */
  maxChangesPercent: number
  /** Most rows an HR file may lose since the base, in percent of its rows there. */
  maxShrinkPercent: number
  allowMassChanges: boolean
}

export type DelimiterSetting = 'auto' | ',' | ';' | '\t' | '|'
