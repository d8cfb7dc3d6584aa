/**
 * End to end: dist/index.js in mode reconcile against the emulator. The directory is first written the real way (an
 * apply run whose records the emulator's provisioning cycle processes), then changed behind the HR files' back: a
 * terminated worker re-enabled, a title and a manager changed, a user deleted, an account HR never had, and a
 * cloud-only admin outside the scope. Reconcile must find each on its HR line and write nothing.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { appendFileSync, cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator } from '../emulator/index.ts'
import { emulatorRunOptions, runAction, type ActionRun } from '../helpers/run-action.ts'

const examples = path.join(import.meta.dirname, '..', '..', 'examples')
const ADMIN = { employeeId: 'ADM-1', userPrincipalName: 'it.admin@contoso.example', employeeType: 'Admin' }

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

interface ReconcileReport {
  reconcile: {
    counts: Record<string, number>
    findings: {
      class: string
      externalId: string
      file: string | null
      line: number | null
      attributes: { entra: string }[]
    }[]
  }
}

async function run(emu: Emulator, workspace: string, inputs: Record<string, string>): Promise<ActionRun> {
  const target = emulatorRunOptions(emu.env())
  return runAction({
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', ...target.inputs, ...inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_RETRY_BASE_MS: '5' }
  })
}

const userOf = (emu: Emulator, employeeId: string): Record<string, unknown> & { id: string } => {
  const user = emu.inspect().users.find((u) => u.employeeId === employeeId && !u.deleted)
  if (!user) throw new Error(`no user ${employeeId}`)
  return user
}

/** Replaces a directory user by one with other properties (the emulator has no PATCH; Graph would). */
function replaceUser(emu: Emulator, employeeId: string, change: Record<string, string | boolean>): void {
  const user = userOf(emu, employeeId)
  const flat: Record<string, string | boolean> = {}
  for (const [key, value] of Object.entries(user))
    if (typeof value === 'string' || typeof value === 'boolean') flat[key] = value
  delete flat.id
  delete flat.managerId
  if (typeof user.managerId === 'string') flat.manager = user.managerId
  emu.directory.removeUser(user.id)
  emu.directory.addUser({ ...flat, ...change })
}

describe('mode reconcile end to end', () => {
  test('finds each class on its HR line, writes nothing, the scope keeps the admin out of the orphans; fix sends the drifted and missing', async () => {
    const emu = (emulator = await startEmulator({
      deterministic: false,
      processing: { delayMs: 2 * 60_000 },
      logs: { visibilityDelayMs: 0, clockStepPerQueryMs: 60_000 },
      seedUsers: [ADMIN]
    }))
    const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
    cpSync(examples, workspace, { recursive: true })
    // The provisioned users carry employeeType Employee (the app maps userType to it), which the scope selects.
    appendFileSync(path.join(workspace, 'mapping.yml'), `  userType: '"Employee"'\n`)

    const applied = await run(emu, workspace, { mode: 'apply', 'logs-timeout': '15' })
    expect(applied.exitCode).toBe(0)
    const uploads = emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0
    expect(uploads).toBeGreaterThan(0)

    // Straight after a clean apply, the directory matches the HR files: nothing to report in scope.
    const scope = "employeeType eq 'Employee'"
    const clean = await run(emu, workspace, { mode: 'reconcile', 'reconcile-scope': scope })
    expect(clean.stderr).toBe('')
    expect(clean.outputs).toMatchObject({
      'reconcile-leavers-enabled': '0',
      'reconcile-missing': '0',
      'reconcile-orphans': '0',
      'reconcile-drift': '0'
    })

    replaceUser(emu, 'E1004', { accountEnabled: true })
    replaceUser(emu, 'E1005', { jobTitle: 'Intern', manager: userOf(emu, 'E1000').id })
    emu.directory.removeUser(userOf(emu, 'E1007').id)
    emu.directory.addUser({
      employeeId: 'E0999',
      userPrincipalName: 'gone@contoso.example',
      accountEnabled: true,
      employeeType: 'Employee'
    })
    const requestsBefore = emu.inspect().requests.length

    const result = await run(emu, workspace, {
      mode: 'reconcile',
      'reconcile-scope': scope,
      'reconcile-fail-on': 'leaver-enabled,missing'
    })
    expect(result.stderr).toBe('')
    const report = JSON.parse(
      readFileSync(path.join(result.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')
    ) as ReconcileReport & { mode: string }
    expect(report.mode).toBe('reconcile')
    expect(report.reconcile.findings.map((f) => [f.class, f.externalId, f.file, f.line])).toEqual([
      ['leaver-enabled', 'E1004', 'hr/employees.csv', 6],
      ['drift', 'E1005', 'hr/employees.csv', 7],
      ['missing', 'E1007', 'hr/employees.csv', 9],
      ['orphan', 'E0999', null, null]
    ])
    expect(report.reconcile.findings[1]?.attributes.map((a) => a.entra)).toEqual(['jobTitle', 'manager'])
    // Read-only: no bulkUpload call, and every Graph request of the run a GET of /users.
    expect(emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls).toBe(uploads)
    const graphCalls = emu
      .inspect()
      .requests.slice(requestsBefore)
      .filter((r) => r.endpoint.startsWith('graph.'))
    expect(graphCalls.length).toBeGreaterThan(0)
    expect(graphCalls.every((r) => r.method === 'GET' && r.endpoint === 'graph.users')).toBe(true)
    // Fails on the classes listed; the leaver and the drift win the annotation slots, on their lines.
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('1 finding of class leaver-enabled, 1 finding of class missing')
    const onLines = result.annotations.filter((a) => a.properties.title?.startsWith('reconcile-'))
    expect(onLines.map((a) => [a.severity, a.properties.title, a.properties.line])).toEqual([
      ['error', 'reconcile-leaver-enabled', '6'],
      ['warning', 'reconcile-drift', '7'],
      ['warning', 'reconcile-missing', '9'],
      ['notice', 'reconcile-orphan', undefined]
    ])
    expect(result.summary).toContain('Leavers still enabled')
    const csv = readFileSync(result.outputs['reconcile-file'] as string, 'utf8')
    expect(csv.split('\n')[0]).toBe('class,externalId,file,line,entraObjectId,attribute,entraProperty')
    expect(csv).not.toContain('Intern')

    // Without the scope (users with an employeeId), the cloud-only admin is an orphan too.
    const unscoped = await run(emu, workspace, { mode: 'reconcile', 'reconcile-fail-on': 'never' })
    expect(unscoped.exitCode).toBe(0)
    expect(unscoped.outputs['reconcile-orphans']).toBe('2')
    expect(emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls).toBe(uploads)

    // reconcile: fix in apply mode sends exactly the drifted and the missing record.
    const fixStart = emu.inspect().requests.length
    const fixed = await run(emu, workspace, {
      mode: 'apply',
      reconcile: 'fix',
      'reconcile-scope': scope,
      'logs-timeout': '15'
    })
    expect(fixed.exitCode).toBe(0)
    const sentIds = emu
      .inspect()
      .requests.slice(fixStart)
      .filter((r) => r.endpoint === 'graph.bulkUpload')
      .flatMap((r) => (JSON.parse(r.body) as { Operations: { data: { externalId: string } }[] }).Operations)
      .map((o) => o.data.externalId)
    expect(sentIds.sort()).toEqual(['E1005', 'E1007'])
  })
  test('a filter Graph refuses names reconcile-scope; a missing User.Read.All says what to grant', async () => {
    const emu = (emulator = await startEmulator({ deterministic: false, seedUsers: [ADMIN] }))
    const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
    cpSync(examples, workspace, { recursive: true })
    const bad = await run(emu, workspace, { mode: 'reconcile', 'reconcile-scope': "shoeSize eq '42'" })
    expect(bad.exitCode).toBe(1)
    expect(bad.stdout).toMatch(
      /::error.*Input 'reconcile-scope': Graph refused the filter 'shoeSize eq '42'' \(400/
    )
    expect(bad.stdout).not.toContain('Unexpected error')
    emu.setRoles(['SynchronizationData-User.Upload'])
    const denied = await run(emu, workspace, { mode: 'reconcile' })
    expect(denied.exitCode).toBe(1)
    expect(denied.stdout).toContain('needs the application permission User.Read.All')
    expect(emu.inspect().counters.byEndpoint['graph.bulkUpload']).toBeUndefined()
  })
})
