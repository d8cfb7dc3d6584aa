/**
 * End to end through dist/index.js (issue 11 row 6, issue 10 point 5): one oversized value among normal rows is an
 * error on its line and the other records are sent; requests are packed under the byte budget, so a service that
 * refuses large requests (the emulator answers 413 above its cap, as Graph does) refuses none; emptied values go
 * as explicit nulls, which the emulator applies as clears.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveConfig } from '../emulator/config.ts'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts'
import { emulatorRunOptions, runAction } from '../helpers/run-action.ts'

const NOTES = 'urn:ietf:params:scim:schemas:extension:acme:1.0:User'
const MAPPING = `attributes:
  externalId: '[Id]'
  userName: '[Upn]'
  active: '"True"'
  displayName: '[Name]'
  title: '[Title]'
  ${NOTES}:Notes: '[Notes]'
`

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

/** A workspace with hr/people.csv: `rows` people, each row's Notes and Title given by the callbacks. */
function workspace(
  rows: number,
  notes: (i: number) => string,
  title: (i: number) => string = () => 'Engineer'
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  mkdirSync(path.join(dir, 'hr'))
  writeFileSync(path.join(dir, 'mapping.yml'), MAPPING)
  const lines = ['Id,Upn,Name,Title,Notes']
  for (let i = 0; i < rows; i++) lines.push(`P${i},p${i}@contoso.example,Person ${i},${title(i)},${notes(i)}`)
  writeFileSync(path.join(dir, 'hr', 'people.csv'), lines.join('\n') + '\n')
  return dir
}

async function apply(emu: Emulator, dir: string, inputs: Record<string, string> = {}) {
  const target = emulatorRunOptions(emu.env())
  const run = await runAction({
    workspace: dir,
    inputs: {
      files: 'hr/*.csv',
      mapping: 'mapping.yml',
      mode: 'apply',
      'logs-timeout': '0',
      ...target.inputs,
      ...inputs
    },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_RETRY_BASE_MS: '5' }
  })
  const report = JSON.parse(readFileSync(path.join(run.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')) as {
    totals: { records: number; valid: number; invalid: number }
    upload: { sent: number; notSent: number; calls: number }
    diagnostics: Array<{ rule: string; line: number; severity: string }>
  }
  return { run, report }
}

function bulkStatuses(emu: Emulator): Record<string, number> {
  return emu.inspect().counters.byEndpoint['graph.bulkUpload']?.byStatus ?? {}
}

/** The app lists and maps the custom Notes attribute, or the schema check would stop the upload. */
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const { sourceAttributes, mapping } = resolveConfig().processing
  emulator = await startEmulator({
    deterministic: false,
    ...options,
    processing: {
      delayMs: 60_000,
      ...options.processing,
      sourceAttributes: [...sourceAttributes, `${NOTES}:Notes`],
      mapping: [...mapping, { source: `${NOTES}:Notes`, target: 'extension_notes' }]
    }
  })
  return emulator
}

describe('size limits', () => {
  test('a 2 MiB value among 49 normal rows: an error on its line in plan, the 49 others sent in apply', async () => {
    const dir = workspace(50, (i) => (i === 20 ? 'x'.repeat(2 * 1024 * 1024) : 'ok'))
    const plan = await runAction({
      workspace: dir,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'plan', 'fail-on': 'never' }
    })
    expect(plan.exitCode).toBe(0)
    expect(plan.outputs.valid).toBe('49')
    expect(plan.outputs.invalid).toBe('1')
    // Row 20 of the data is line 22 (header on line 1); the message gives sizes, never the value.
    expect(plan.stdout).toMatch(
      /::error title=record-too-large,file=hr\/people\.csv,line=22::.*bytes, more than a whole request may \(524288\)/
    )
    expect(plan.stdout).not.toContain('xxxxxxxxxx')

    const emu = await start()
    const { run, report } = await apply(emu, dir, { 'fail-on': 'never' })
    expect(run.exitCode).toBe(0)
    expect(report.totals).toMatchObject({ records: 50, valid: 49, invalid: 1 })
    expect(report.upload).toMatchObject({ sent: 49, notSent: 0, calls: 1 })
    expect(bulkStatuses(emu)).toEqual({ '202': 1 })
  })

  test('a value longer than Entra allows (jobTitle: 128) is an error on its line', async () => {
    const dir = workspace(
      3,
      () => 'ok',
      (i) => (i === 1 ? 'T'.repeat(129) : 'Engineer')
    )
    const plan = await runAction({
      workspace: dir,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'plan', 'fail-on': 'never' }
    })
    expect(plan.stdout).toContain(
      "::error title=value-too-long,file=hr/people.csv,line=3::externalId P1: title has 129 characters; Entra's jobTitle takes at most 128"
    )
    expect(plan.outputs.valid).toBe('2')
  })

  test('large records are packed under the byte budget: a service capped at 600 KB refuses nothing', async () => {
    // 50 records of about 15 KB: 750 KB in one request would be refused (413); packed by size, they go in two.
    const dir = workspace(50, (i) => String(i % 10).repeat(15_000))
    const emu = await start({ graph: { maxBodyBytes: 600_000 } })
    const { run, report } = await apply(emu, dir)
    expect(run.exitCode).toBe(0)
    expect(report.upload).toMatchObject({ sent: 50, notSent: 0, calls: 2 })
    expect(bulkStatuses(emu)).toEqual({ '202': 2 })
    for (const request of emu.inspect().requests.filter((r) => r.endpoint === 'graph.bulkUpload'))
      expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(512 * 1024)
  })
})

describe('empty values', () => {
  test('an emptied title is sent as null and Entra (the emulator) clears it; omit leaves it', async () => {
    const emu = await start({ processing: { delayMs: 200 } })
    const first = workspace(
      2,
      () => 'ok',
      () => 'Engineer'
    )
    expect((await apply(emu, first)).run.exitCode).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 400))
    const titleOf = (id: string) => emu.inspect().users.find((u) => u.employeeId === id)?.jobTitle ?? null
    expect(titleOf('P0')).toBe('Engineer')

    const emptied = workspace(
      2,
      () => 'ok',
      (i) => (i === 0 ? '' : 'Engineer')
    )
    expect((await apply(emu, emptied, { 'empty-values': 'omit' })).run.exitCode).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(titleOf('P0')).toBe('Engineer')

    expect((await apply(emu, emptied)).run.exitCode).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(titleOf('P0')).toBeNull()
    const sent = emu
      .inspect()
      .requests.filter((r) => r.endpoint === 'graph.bulkUpload')
      .at(-1)
    expect(JSON.parse(sent!.body).Operations[0].data.title).toBeNull()
  })
})
