/**
 * End to end: outcomes from the provisioning logs, dist/index.js run as the runner runs it against the emulator.
 * Realistic delays (a cycle 2 minutes after the upload, entries visible 6 minutes after it) cost no real time: each
 * new log query advances the emulator's clock by a minute (`logs.clockStepPerQueryMs`) and the action's waits are
 * capped at 20 ms (ENTRA_HR_SYNC_MAX_WAIT_MS), while counting in full toward logs-timeout.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts'
import { emulatorRunOptions, runAction, type ActionRun } from '../helpers/run-action.ts'

const root = path.join(import.meta.dirname, '..', '..')
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const HEADER = 'EmployeeID,UserPrincipalName,Status,FirstName,LastName,JobTitle,Email,Department,ManagerID'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

const REALISTIC: EmulatorOptions = {
  deterministic: false,
  processing: { delayMs: 2 * 60_000 },
  // Log reads limited to 5 per 250 ms instead of 10 s: the action paces to the emulator's window (its env()).
  logs: {
    visibilityDelayMs: 6 * 60_000,
    clockStepPerQueryMs: 60_000,
    rateLimit: { windowMs: 250, maxCalls: 5 }
  }
}

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator({
    ...REALISTIC,
    ...options,
    processing: { ...REALISTIC.processing, ...options.processing },
    logs: { ...REALISTIC.logs, ...options.logs }
  })
  return emulator
}

function workspaceWith(rows: string[]): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  mkdirSync(path.join(workspace, 'hr'))
  cpSync(path.join(root, 'examples', 'mapping.yml'), path.join(workspace, 'mapping.yml'))
  writeFileSync(path.join(workspace, 'hr', 'people.csv'), [HEADER, ...rows].join('\n') + '\n')
  return workspace
}

interface OutcomeRecord {
  file: string
  line: number
  externalId: string
  outcome: string
  errorCode?: string
  errorCategory?: string
  note?: string
  action?: string
  targetId?: string
  userPrincipalName?: string
  resubmitted: number
}
interface Report {
  mode: string
  outcomes: { totals: Record<string, number>; logCalls: number; polls: number; records: OutcomeRecord[] }
}

async function run(
  emu: Emulator,
  workspace: string,
  inputs: Record<string, string>
): Promise<{ run: ActionRun; report: Report; reportFile: string }> {
  const target = emulatorRunOptions(emu.env())
  const result = await runAction({
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', ...target.inputs, ...inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_RETRY_BASE_MS: '5' }
  })
  const reportFile = path.join(result.runnerTemp, 'entra-hr-sync-sync.json')
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report
  return { run: result, report, reportFile }
}

const outcomeOf = (report: Report): Record<string, string> =>
  Object.fromEntries(report.outcomes.records.map((r) => [r.externalId, r.outcome]))

const logCalls = (emu: Emulator): number => emu.inspect().counters.byEndpoint['graph.logs']?.calls ?? 0

describe('outcomes end to end', () => {
  test('every outcome, on its file line; transient failures re-sent; not seen never success', async () => {
    const emu = await start({
      processing: {
        scoping: [{ source: `${ENTERPRISE}:department`, equals: 'Engineering' }],
        transientFailures: { P9: 1 }
      },
      logs: { hiddenSourceIds: ['P8'], maxTop: 3 },
      seedUsers: [
        {
          employeeId: 'P2',
          userPrincipalName: 'p2@contoso.example',
          accountEnabled: true,
          jobTitle: 'Old title'
        },
        { employeeId: 'P3', userPrincipalName: 'p3@contoso.example', accountEnabled: true },
        { employeeId: 'P4', userPrincipalName: 'p4@contoso.example', accountEnabled: false },
        { employeeId: 'OTHER', userPrincipalName: 'p7@contoso.example', accountEnabled: true }
      ]
    })
    const workspace = workspaceWith([
      'P1,p1@contoso.example,Active,Pat,One,Engineer,p1@contoso.example,Engineering,',
      'P2,p2@contoso.example,Active,Pat,Two,Engineer,p2@contoso.example,Engineering,P1',
      'P3,p3@contoso.example,Terminated,Pat,Three,Engineer,p3@contoso.example,Engineering,P1',
      'P4,p4@contoso.example,Active,Pat,Four,Engineer,p4@contoso.example,Engineering,P1',
      'P5,p5@contoso.example,Active,Pat,Five,Seller,p5@contoso.example,Sales,P1',
      'P6,p6@contoso.example,Active,Pat,Six,Engineer,p6@contoso.example,Engineering,X999',
      'P7,p7@contoso.example,Active,Pat,Seven,Engineer,p7@contoso.example,Engineering,P1',
      'P8,p8@contoso.example,Active,Pat,Eight,Engineer,p8@contoso.example,Engineering,P1',
      'P9,p9@contoso.example,Active,Pat,Nine,Engineer,p9@contoso.example,Engineering,P1'
    ])
    const { run: result, report } = await run(emu, workspace, {
      mode: 'apply',
      'logs-timeout': '15',
      'resubmit-attempts': '1',
      rules: 'manager-unknown: warning'
    })
    expect(result.stderr).toBe('')
    expect(outcomeOf(report)).toEqual({
      P1: 'created',
      P2: 'updated',
      P3: 'disabled',
      P4: 'enabled',
      P5: 'skipped',
      P6: 'warning',
      P7: 'failed',
      P8: 'not-seen',
      P9: 'created'
    })
    const p9 = report.outcomes.records.find((r) => r.externalId === 'P9')
    expect(p9?.resubmitted).toBe(1)
    const p7 = report.outcomes.records.find((r) => r.externalId === 'P7')
    expect(p7).toMatchObject({
      file: 'hr/people.csv',
      line: 8,
      errorCode: 'AzureActiveDirectoryInvalidUserPrincipalName',
      errorCategory: 'nonServiceFailure'
    })
    // Outputs, exit status (a failure fails the step), annotations on the lines.
    expect(result.outputs).toMatchObject({
      created: '2',
      updated: '1',
      disabled: '1',
      enabled: '1',
      skipped: '1',
      warning: '1',
      failed: '1',
      'not-seen': '1',
      'failed-ids': 'P7'
    })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/::error::1 failed in Entra \(of 9 sent\)/)
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        properties: expect.objectContaining({
          file: 'hr/people.csv',
          line: '8',
          title: 'provisioning-failed'
        })
      })
    )
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        properties: expect.objectContaining({ line: '9', title: 'provisioning-not-seen' })
      })
    )
    // The failed-records CSV, in the input's columns, ready to be fed back.
    expect(readFileSync(result.outputs['failed-file'] as string, 'utf8')).toBe(
      `${HEADER}\nP7,p7@contoso.example,Active,Pat,Seven,Engineer,p7@contoso.example,Engineering,P1\n`
    )
    // Summary: totals and the failure with its link; no personal data by default.
    expect(result.summary).toContain('### 📬 Outcomes in Entra')
    expect(result.summary).toContain('| ❌ Failed | 1 |')
    expect(result.summary).toContain(
      '[hr/people.csv:8](https://github.com/contoso/hr-data/blob/0123456789abcdef0123456789abcdef01234567/hr/people.csv#L8)'
    )
    expect(result.summary).not.toContain('p7@contoso.example')
    // Log calls grow with pages: pages of 3, no per-record query except for the record never seen.
    const calls = logCalls(emu)
    expect(calls).toBe(report.outcomes.logCalls)
    expect(calls).toBeLessThan(60)
  })

  test('A (manager B, sent together) and B are created, C (manager absent from the tenant) is a warning naming the manager', async () => {
    // The service does not promise the order within a request: processed in reverse, A comes before its manager B,
    // so A's create skips the manager and a second entry of the same change sets it once B exists.
    const emu = await start({ processing: { reverse: true } })
    const workspace = workspaceWith([
      'A1,a1@contoso.example,Active,Ann,One,Engineer,a1@contoso.example,Engineering,B1',
      'B1,b1@contoso.example,Active,Ben,Two,Lead,b1@contoso.example,Engineering,',
      'C1,c1@contoso.example,Active,Cat,Three,Engineer,c1@contoso.example,Engineering,X404'
    ])
    const { run: result, report } = await run(emu, workspace, {
      mode: 'apply',
      'logs-timeout': '15',
      rules: 'manager-unknown: warning'
    })
    expect(result.stderr).toBe('')
    // The emulator wrote what the service writes: A's create and a manager-setting update of the same change.
    const entries = emu.inspect().logs.map((l) => l.record)
    const ofA = entries.filter((r) => r.sourceIdentity.id === 'A1')
    expect(ofA.map((r) => r.provisioningAction)).toEqual(['create', 'update'])
    expect(ofA[1]?.changeId).toBe(ofA[0]?.changeId)
    expect(entries.every((r) => r.provisioningStatusInfo.status === 'success')).toBe(true)

    expect(outcomeOf(report)).toEqual({ A1: 'created', B1: 'created', C1: 'warning' })
    const byId = Object.fromEntries(report.outcomes.records.map((r) => [r.externalId, r]))
    expect(byId.C1).toMatchObject({
      line: 4,
      action: 'create',
      note: 'manager X404 not set: not provisioned or out of scope'
    })
    // Writeback data: the object id of each user; the UPN (personal) stays out with summary-detail: ids.
    const users = emu.inspect().users
    for (const id of ['A1', 'B1', 'C1'])
      expect(byId[id]?.targetId).toBe(users.find((u) => u.employeeId === id)?.id)
    expect(byId.A1?.userPrincipalName).toBeUndefined()
    expect(result.outputs).toMatchObject({ created: '2', warning: '1', failed: '0' })
    expect(result.exitCode).toBe(0)
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining('manager X404 not set'),
        properties: expect.objectContaining({
          file: 'hr/people.csv',
          line: '4',
          title: 'provisioning-warning'
        })
      })
    )
    expect(result.summary).toContain('manager X404 not set: not provisioned or out of scope')
  })

  test('paging across many pages: calls grow with pages, not records', async () => {
    const emu = await start({ logs: { maxTop: 10 } })
    const rows = Array.from(
      { length: 120 },
      (_, i) => `N${i},n${i}@contoso.example,Active,N,${i},Engineer,n${i}@contoso.example,Engineering,`
    )
    const { run: result, report } = await run(emu, workspaceWith(rows), {
      mode: 'apply',
      'logs-timeout': '30'
    })
    expect(result.exitCode).toBe(0)
    expect(report.outcomes.totals.created).toBe(120)
    const polls = report.outcomes.polls
    // Every poll before the entries appear costs one call; the last one 12 pages of 10; no per-record query.
    expect(report.outcomes.logCalls).toBe(polls - 1 + 12)
    const pages = emu
      .inspect()
      .requests.filter((r) => r.endpoint === 'graph.logs' && r.url.includes('$skiptoken'))
    expect(pages).toHaveLength(11)
  })

  test('upload now, report later: the README example workflow', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    const block = /## Upload now, report later[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBeDefined()
    const workflow = parse(block as string) as {
      jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>
    }
    const stepOf = (job: string) =>
      workflow.jobs[job]?.steps.find((s) => s.uses?.includes('entra-hr-sync'))?.with ?? {}
    const upload = stepOf('upload')
    const report = stepOf('report')
    expect(upload.mode).toBe('apply')
    expect(report.mode).toBe('report')

    const emu = await start()
    const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
    cpSync(path.join(root, 'examples'), workspace, { recursive: true })
    cpSync(path.join(root, 'examples', 'mapping.yml'), path.join(workspace, 'hr', 'mapping.yml'))
    const literal = (inputs: Record<string, string>) =>
      Object.fromEntries(Object.entries(inputs).filter(([, v]) => !String(v).includes('${{')))
    const first = await run(emu, workspace, literal(upload))
    expect(first.run.exitCode).toBe(0)
    expect(first.report.outcomes.totals['not-seen']).toBe(10) // logs-timeout 0: nothing processed yet
    expect(first.run.outputs['not-seen']).toBe('10')

    // The artifact travels to the later job's workspace.
    const artifact = path.join(workspace, 'entra-hr-sync-report', path.basename(first.reportFile))
    mkdirSync(path.dirname(artifact), { recursive: true })
    cpSync(first.reportFile, artifact)
    const second = await run(emu, workspace, literal(report))
    expect(second.run.stderr).toBe('')
    expect(second.report.mode).toBe('report')
    expect(second.run.stdout).toMatch(/: an apply run of \S+, 10 records staged\./)
    expect(second.report.outcomes.totals).toMatchObject({ created: 10, 'not-seen': 0, failed: 0 })
    expect(second.run.exitCode).toBe(0)
    expect(second.run.outputs).toMatchObject({ created: '10', 'not-seen': '0', 'failed-ids': '' })
    expect(Object.values(second.report.outcomes.totals).reduce((a, b) => a + b, 0)).toBe(10)
    expect(second.run.summary).toContain('## Entra HR sync · report')
    // Nothing uploaded by the report run.
    const uploads = emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls
    expect(uploads).toBe(1)
  })
})
