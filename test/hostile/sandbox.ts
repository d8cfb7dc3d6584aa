/**
 * The hostile-content harness: a sandbox with a workspace, RUNNER_TEMP (made by runAction) and an "outside" folder
 * the action must never read or write, and the checks every hostile case shares: the run ends within seconds, no
 * workflow command comes from data, nothing outside changed or leaked, no stack trace.
 */
import { expect } from '@jest/globals'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction, type ActionRun } from '../helpers/run-action.ts'

const root = path.join(import.meta.dirname, '..', '..')

/** In every planted workflow command and every outside file: found anywhere it does not belong, the case fails. */
export const MARK = 'pwned'
/** The content of the outside files: must never reach an output, a log line or a file the action writes. */
export const SECRET = 'PAYROLL-SECRET-4711'
/** Workflow commands an attacker would plant in data (one per line, so a line break in data starts one). */
export const PLANTED = [`::warning title=${MARK}::${MARK}`, `::add-mask::${MARK}`, `##[error]${MARK}`]

export const HEADER =
  'EmployeeID,UserPrincipalName,Status,FirstName,LastName,JobTitle,Email,Department,ManagerID'

export interface Sandbox {
  workspace: string
  /** A folder next to the workspace, holding payroll.csv, victim.txt, mapping.yml and report.json. */
  outside: string
}

export function sandbox(rows: string[] = []): Sandbox {
  const base = mkdtempSync(path.join(tmpdir(), 'hostile-'))
  const workspace = path.join(base, 'workspace')
  const outside = path.join(base, 'outside')
  mkdirSync(path.join(workspace, 'hr'), { recursive: true })
  mkdirSync(outside)
  cpSync(path.join(root, 'examples', 'mapping.yml'), path.join(workspace, 'mapping.yml'))
  if (rows.length > 0)
    writeFileSync(path.join(workspace, 'hr', 'people.csv'), [HEADER, ...rows].join('\n') + '\n')
  writeFileSync(
    path.join(outside, 'payroll.csv'),
    `${HEADER}\nX1,x1@contoso.example,Active,${SECRET},Payroll,Engineer,x1@contoso.example,Engineering,\n`
  )
  writeFileSync(path.join(outside, 'victim.txt'), SECRET)
  cpSync(path.join(root, 'examples', 'mapping.yml'), path.join(outside, 'mapping.yml'))
  writeFileSync(path.join(outside, 'report.json'), previousReport([staged('hr/people.csv', 2, 'P1')]))
  return { workspace, outside }
}

/** A report file of an earlier apply run, as the action writes it (version 1, a manifest of staged records). */
export function previousReport(manifest: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: 1,
    mode: 'apply',
    generatedAt: '2026-11-30T10:00:00.000Z',
    manifest,
    ...extra
  })
}

export function staged(file: string, line: number, externalId: string): Record<string, unknown> {
  return { file, line, externalId, bulkId: externalId, time: '2026-11-30T10:00:00.000Z', outcome: 'staged' }
}

export interface HostileRun extends ActionRun {
  ms: number
  /** Every file the action wrote to RUNNER_TEMP (report, failed records, …), by name. */
  written: Record<string, string>
}

export async function hostileRun(
  box: Sandbox,
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<HostileRun> {
  const before = snapshot(box.outside)
  const started = Date.now()
  const run = await runAction({ workspace: box.workspace, inputs, env })
  const ms = Date.now() - started
  const written: Record<string, string> = {}
  for (const file of listFiles(run.runnerTemp))
    written[file] = readFileSync(path.join(run.runnerTemp, file), 'utf8')
  // Nothing outside the workspace and RUNNER_TEMP was written.
  expect(snapshot(box.outside)).toEqual(before)
  return { ...run, ms, written }
}

/** The checks every case shares. */
export function expectSafe(run: HostileRun): void {
  // No hang: each case finishes in seconds (the bundled action, a fresh Node process, on a loaded machine).
  expect(run.ms).toBeLessThan(20_000)
  expect(injectedCommands(run.stdout)).toEqual([])
  // Nothing from outside was read into a log line, the summary, an output or a file the action wrote.
  for (const text of [run.stdout, run.summary, JSON.stringify(run.outputs), ...Object.values(run.written)])
    expect(text).not.toContain(SECRET)
  expect(run.stdout).not.toMatch(/Unexpected error|\n\s+at /)
  expect(run.stderr).toBe('')
}

/**
 * Workflow commands that came from data, read as the runner reads them: a line whose start (after spaces) is
 * `::name props::data` (then nothing else on the line is a command), or else a line holding the older `##[name]`
 * anywhere. The action's own commands never have the mark as a name or a property value, and never mask it; a
 * planted one does. (The mark inside an escaped property or data of the action's own command is fine.)
 */
export function injectedCommands(stdout: string): string[] {
  const found: string[] = []
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    const command = /^\s*::([^\s:]+)([^:]*)::(.*)$/.exec(line)
    if (!command) {
      if (line.includes('##[')) found.push(line)
      continue
    }
    const [, name, properties, data] = command as unknown as [string, string, string, string]
    const values = properties
      .trim()
      .split(',')
      .map((pair) => pair.slice(pair.indexOf('=') + 1))
    if (name.includes(MARK) || values.includes(MARK) || name === 'stop-commands') found.push(line)
    if (name === 'add-mask' && data.includes(MARK)) found.push(line)
  }
  return found
}

function listFiles(folder: string, prefix = ''): string[] {
  let names: string[]
  try {
    names = readdirSync(path.join(folder, prefix))
  } catch {
    return []
  }
  return names.flatMap((name) => {
    const relative = path.join(prefix, name)
    return statSync(path.join(folder, relative)).isDirectory() ? listFiles(folder, relative) : [relative]
  })
}

function snapshot(folder: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(folder).map((file) => [file, readFileSync(path.join(folder, file), 'utf8')])
  )
}
