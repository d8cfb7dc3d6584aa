/**
 * End to end: what the action learns from the tenant. The mapping checked against the provisioning job's
 * synchronization schema (read from the emulator in apply mode, or from a committed schema-file in plan mode).
 * dist/index.js runs as the runner runs it, against the emulator over HTTPS.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts'
import { DEFAULT_MAPPING, resolveConfig } from '../emulator/config.ts'
import { emulatorRunOptions, runAction, type ActionRun } from '../helpers/run-action.ts'

const examples = path.join(import.meta.dirname, '..', '..', 'examples')
const CONTOSO = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

/** A provisioning app whose API attribute list was extended with HireDate (mapped) and CostCode (not mapped). */
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const sourceAttributes = [
    ...resolveConfig().processing.sourceAttributes,
    `${CONTOSO}:HireDate`,
    `${CONTOSO}:CostCode`
  ]
  emulator = await startEmulator({
    deterministic: false,
    ...options,
    processing: {
      delayMs: 60_000,
      sourceAttributes,
      mapping: [
        ...DEFAULT_MAPPING,
        { source: `${CONTOSO}:HireDate`, target: 'employeeHireDate', flowType: 'ObjectAddOnly' }
      ],
      ...options.processing
    }
  })
  return emulator
}

/** The example mapping plus a misspelt custom attribute (line 17) and one the app does not map (line 18). */
function workspace(hireDateKey = 'HireDat'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  cpSync(examples, dir, { recursive: true })
  const mapping = readFileSync(path.join(dir, 'mapping.yml'), 'utf8')
  writeFileSync(
    path.join(dir, 'mapping.yml'),
    `${mapping}  ${CONTOSO}:${hireDateKey}: '"2026-01-05T00:00:00Z"'\n  ${CONTOSO}:CostCode: '[Department]'\n`
  )
  return dir
}

async function runIn(dir: string, inputs: Record<string, string>, emu?: Emulator): Promise<ActionRun> {
  const target = emu ? emulatorRunOptions(emu.env()) : { inputs: {}, env: {} }
  return runAction({
    workspace: dir,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', 'logs-timeout': '0', ...target.inputs, ...inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_RETRY_BASE_MS: '5' }
  })
}

const bulkCalls = (emu: Emulator): number => emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0

/** The error, the warning and the table every run of the check gives for the mapping of `workspace()`. */
function expectFindings(run: ActionRun): void {
  const error = run.annotations.find((a) => a.severity === 'error' && a.properties.file === 'mapping.yml')
  expect(error?.properties).toMatchObject({ line: '17', col: '3' })
  expect(error?.message).toContain(`'${CONTOSO}:HireDat' is not in the provisioning app's attribute list`)
  expect(error?.message).toContain(`did you mean '${CONTOSO}:HireDate'?`)
  expect(error?.message).toContain('Edit attribute list for API')
  const warning = run.annotations.find((a) => a.severity === 'warning' && a.properties.file === 'mapping.yml')
  expect(warning?.properties).toMatchObject({ line: '18', col: '3' })
  expect(warning?.message).toContain(`'${CONTOSO}:CostCode' is sent, but Entra ignores it`)
  expect(run.summary).toContain('### Attributes into Entra')
  expect(run.summary).toContain(
    '| HR column(s) | SCIM attribute | Entra attribute | Flow | On creation only |'
  )
  expect(run.summary).toContain('| \\[UserPrincipalName\\] | userName | userPrincipalName | Always | no |')
  expect(run.summary).toContain(`| \\[Department\\] | ${ENTERPRISE}:department | department | Always | no |`)
  expect(run.summary).toContain(`| \\[Department\\] | ${CONTOSO}:CostCode | ⚠️ not mapped: ignored |  |  |`)
  expect(run.summary).toContain(
    `| (constant) | ${CONTOSO}:HireDat | ❌ not in the attribute list: ignored |  |  |`
  )
  expect(run.summary).toContain('11 mapped, 1 not mapped, 1 not in the attribute list')
}

describe('schema check end to end', () => {
  test('apply: the job schema is read before anything is sent; an unknown attribute stops the upload', async () => {
    const emu = await start()
    const run = await runIn(workspace(), { mode: 'apply' }, emu)
    expect(run.exitCode).toBe(1)
    expectFindings(run)
    expect(bulkCalls(emu)).toBe(0)
    expect(run.stdout).toMatch(
      /::error::10 valid records not sent \(0 sent\): The mapping sends 1 attribute the provisioning app does not know/
    )
    // The tenant's schema as read, ready to be committed as schema-file.
    const exported = JSON.parse(readFileSync(run.outputs['schema-current-file'] as string, 'utf8')) as Record<
      string,
      unknown
    >
    expect(exported['@odata.context']).toBeUndefined()
    expect(exported.synchronizationRules).toBeDefined()
    expect(run.outputs['schema-drift']).toBeUndefined()
  })

  test('plan with schema-file: the same check offline, with no credentials and no network', async () => {
    const emu = await start()
    const exported = (await runIn(workspace(), { mode: 'apply' }, emu)).outputs[
      'schema-current-file'
    ] as string
    await emu.stop()
    emulator = undefined
    const dir = workspace()
    cpSync(exported, path.join(dir, 'hr', 'sync-schema.json'))
    const run = await runIn(dir, { mode: 'plan', 'schema-file': 'hr/sync-schema.json' })
    expect(run.exitCode).toBe(1)
    expectFindings(run)
    expect(run.summary).toContain('Checked against schema-file hr/sync-schema.json')
    expect(run.stderr).toBe('')
  })

  test('apply with an out-of-date schema-file: checks against the tenant, says so, and sends', async () => {
    const emu = await start()
    const dir = workspace('HireDate')
    // A schema exported before CostCode was added to the attribute list (and with an attribute since removed).
    const exported = (await runIn(workspace(), { mode: 'apply' }, emu)).outputs[
      'schema-current-file'
    ] as string
    const schema = readFileSync(exported, 'utf8').replace(
      `"name": "${CONTOSO}:CostCode"`,
      `"name": "${CONTOSO}:Retired"`
    )
    writeFileSync(path.join(dir, 'sync-schema.json'), schema)
    const run = await runIn(dir, { mode: 'apply', 'schema-file': 'sync-schema.json' }, emu)
    expect(run.exitCode).toBe(0)
    expect(run.outputs['schema-drift']).toBe('true')
    expect(existsSync(run.outputs['schema-current-file'] as string)).toBe(true)
    const notice = run.annotations.find(
      (a) => a.severity === 'notice' && a.properties.file === 'sync-schema.json'
    )
    expect(notice?.message).toContain(`source attributes added in the tenant: ${CONTOSO}:CostCode`)
    expect(notice?.message).toContain(`source attributes removed in the tenant: ${CONTOSO}:Retired`)
    expect(run.summary).toContain(
      `| (constant) | ${CONTOSO}:HireDate | employeeHireDate | ObjectAddOnly | yes |`
    )
    expect(run.annotations.some((a) => a.severity === 'warning' && a.message.includes('CostCode'))).toBe(true)
    expect(bulkCalls(emu)).toBe(1)
  })

  test('apply without Synchronization.Read.All: a notice, and the run goes on', async () => {
    const emu = await start({ roles: ['SynchronizationData-User.Upload', 'ProvisioningLog.Read.All'] })
    const run = await runIn(workspace('HireDate'), { mode: 'apply' }, emu)
    expect(run.exitCode).toBe(0)
    const notice = run.annotations.find(
      (a) => a.properties.title === 'Mapping not checked against the tenant'
    )
    expect(notice?.severity).toBe('notice')
    expect(notice?.message).toContain('grant Synchronization.Read.All')
    expect(run.summary).not.toContain('### Attributes into Entra')
    expect(bulkCalls(emu)).toBe(1)
  })
})

describe('writeback file end to end', () => {
  test('an apply run creates users and the writeback CSV holds their object ids, UPNs and mail on the right HR lines', async () => {
    const emu = await start({
      processing: { delayMs: 2 * 60_000 },
      logs: { visibilityDelayMs: 6 * 60_000, clockStepPerQueryMs: 60_000 }
    })
    const dir = workspace('HireDate')
    const run = await runIn(
      dir,
      {
        mode: 'apply',
        'logs-timeout': '30',
        'writeback-file': 'out/writeback.csv',
        'writeback-records': 'changed'
      },
      emu
    )
    expect(run.exitCode).toBe(0)
    const file = path.join(dir, 'out', 'writeback.csv')
    expect(run.outputs['writeback-file']).toBe(file)
    const [header, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(header).toBe('externalId,file,line,objectId,userPrincipalName,mail,outcome')
    expect(rows).toHaveLength(10)
    expect(new Set(rows.map((row) => row.split(',')[1]))).toEqual(
      new Set(['hr/contractors.csv', 'hr/employees.csv'])
    )
    const users = emu.inspect().users
    for (const row of rows) {
      const [externalId, hrFile, line, objectId, upn, mail, outcome] = row.split(',')
      // The HR line named holds that externalId.
      const hrLine = readFileSync(path.join(dir, hrFile as string), 'utf8').split('\n')[Number(line) - 1]
      expect(hrLine?.split(/[,;]/)[0]).toBe(externalId)
      // The object id and UPN are those of the user the emulator created for it.
      const user = users.find((u) => u.employeeId === externalId)
      expect(objectId).toMatch(/^[0-9a-f-]{36}$/)
      expect(upn).toMatch(/@contoso\.example$/)
      expect(objectId).toBe(user?.id)
      expect(upn).toBe(user?.userPrincipalName)
      // mail as the export step wrote it (the app maps emails[type eq "work"].value to mail).
      expect(mail).toBe(user?.mail)
      expect(mail).toMatch(/@contoso\.example$/)
      expect(outcome).toBe('created')
    }
    // Personal data stays out of the summary and the log.
    expect(run.summary).not.toMatch(/@contoso\.example/)
    expect(run.stdout).not.toMatch(/grace\.hopper@/)
  })
})
