/**
 * Runs the bundled action (dist/index.js) the way the GitHub runner does: a fresh Node process whose working folder
 * is the workspace, inputs as INPUT_* variables (hyphens kept), and the runner's files for outputs and the summary.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const DIST = path.join(import.meta.dirname, '..', '..', 'dist', 'index.js')

export interface ActionRun {
  exitCode: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  annotations: Array<{ severity: string; properties: Record<string, string>; message: string }>
  runnerTemp: string
}

export async function runAction(options: {
  workspace: string
  inputs: Record<string, string>
  env?: Record<string, string>
  /** RUNNER_TEMP, when the job's steps share it (default: a new folder for this run). */
  runnerTemp?: string
  /** Sees stdout as it grows and may signal the process (as the runner does when a job is cancelled). */
  onStdout?: (stdout: string, kill: (signal: NodeJS.Signals) => void) => void
}): Promise<ActionRun> {
  const runner = mkdtempSync(path.join(tmpdir(), 'runner-'))
  const files = {
    GITHUB_OUTPUT: path.join(runner, 'output'),
    GITHUB_STEP_SUMMARY: path.join(runner, 'summary.md'),
    GITHUB_ENV: path.join(runner, 'env'),
    GITHUB_STATE: path.join(runner, 'state'),
    GITHUB_PATH: path.join(runner, 'path')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const runnerTemp = options.runnerTemp ?? path.join(runner, 'temp')

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: 'contoso/hr-data',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_ACTION: 'sync',
    GITHUB_RUN_ID: '1',
    RUNNER_TEMP: runnerTemp,
    ...files,
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }

  const child = spawn(process.execPath, [DIST], {
    cwd: options.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    options.onStdout?.(stdout, (signal) => child.kill(signal))
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve))

  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseAnnotations(stdout),
    runnerTemp
  }
}

/** GITHUB_OUTPUT holds `name<<delimiter\nvalue\ndelimiter` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const match of text.matchAll(pattern)) outputs[match[1] as string] = match[3] as string
  return outputs
}

/** Workflow commands `::error file=a.csv,line=3,title=x::message`, unescaped as the runner does. */
function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const unescape = (value: string): string =>
    value
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%')
  const found: ActionRun['annotations'] = []
  for (const match of stdout.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)) {
    const properties: Record<string, string> = {}
    for (const pair of (match[2] ?? '').split(',')) {
      const [key, ...rest] = pair.split('=')
      if (key) properties[key] = unescape(rest.join('='))
    }
    found.push({ severity: match[1] as string, properties, message: unescape(match[3] as string) })
  }
  return found
}

/**
 * Splits an emulator's `env()` into runAction's inputs (INPUT_TENANT-ID → tenant-id) and environment variables
 * (ACTIONS_ID_TOKEN_REQUEST_*, NODE_EXTRA_CA_CERTS so the fresh process trusts the emulator's certificate).
 */
export function emulatorRunOptions(emulatorEnv: Record<string, string>): {
  inputs: Record<string, string>
  env: Record<string, string>
} {
  const inputs: Record<string, string> = {}
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(emulatorEnv)) {
    if (name.startsWith('INPUT_')) inputs[name.slice('INPUT_'.length).toLowerCase()] = value
    else env[name] = value
  }
  return { inputs, env }
}
