/**
 * End to end: dist/index.js in apply mode, run as the runner runs it, against the emulator over HTTPS (the process
 * trusts the emulator's CA through NODE_EXTRA_CA_CERTS). Every case checks that no record is lost, none is sent
 * twice unless its request was retried, and that the report's counts add up exactly to the input.
 * The wall-clock emulator (`deterministic: false`) is used, as the action is a real process that really waits; the
 * hidden ENTRA_HR_SYNC_MAX_WAIT_MS knob caps every wait (Retry-After, backoff, the AADSTS70021 delay) at 20 ms.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts'
import { resolveConfig } from '../emulator/config.ts'
import { emulatorRunOptions, runAction, type ActionRun } from '../helpers/run-action.ts'

const examples = path.join(import.meta.dirname, '..', '..', 'examples')
const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'e2e')
const EXAMPLE_IDS = ['E1000', 'E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1006', 'E1007', 'C2001', 'C2002']

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator({
    deterministic: false,
    processing: { delayMs: 60_000 },
    // Log reads limited to 5 per 250 ms instead of 10 s; the action paces to it (the emulator's env()).
    logs: { rateLimit: { windowMs: 250, maxCalls: 5 } },
    ...options
  })
  return emulator
}

interface Report {
  totals: { records: number; valid: number; invalid: number; ignored: number }
  upload: {
    calls: number
    throttled: number
    sent: number
    retried: number
    notSent: number
    notSentBy: Record<string, number>
    stopped: { kind: string; message: string } | null
  }
  manifest: Array<{
    file: string
    line: number
    externalId: string
    bulkId: string
    request: number
    requestId: string | null
    clientRequestId: string | null
    time: string | null
    httpStatus: number | null
    outcome: 'staged' | 'not-sent'
    attempts: number
    reason?: string
  }>
}

async function apply(
  emu: Emulator,
  inputs: Record<string, string> = {},
  options: { workspace?: string; env?: Record<string, string> } = {}
): Promise<{ run: ActionRun; report: Report }> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  cpSync(options.workspace ?? examples, workspace, { recursive: true })
  const target = emulatorRunOptions(emu.env())
  const run = await runAction({
    workspace,
    inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'apply', ...target.inputs, ...inputs },
    env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_RETRY_BASE_MS: '5', ...options.env }
  })
  const report = JSON.parse(
    readFileSync(path.join(run.runnerTemp, 'entra-hr-sync-sync.json'), 'utf8')
  ) as Report
  return { run, report }
}

/** The invariants of every case: nothing lost, nothing doubled without a retry, counts that add up. */
function expectAccounted(emu: Emulator, report: Report, run: ActionRun): void {
  const { totals, upload, manifest } = report
  expect(totals.valid + totals.invalid + totals.ignored).toBe(totals.records)
  expect(upload.sent + upload.notSent).toBe(totals.valid)
  expect(manifest).toHaveLength(totals.valid)
  expect(Object.values(upload.notSentBy).reduce((a, b) => a + b, 0)).toBe(upload.notSent)
  expect(run.outputs.sent).toBe(String(upload.sent))
  expect(run.outputs['not-sent']).toBe(String(upload.notSent))

  // What the emulator accepted (202), by externalId.
  const accepted = new Map<string, number>()
  const requestIds = new Set<string>()
  for (const request of emu.inspect().requests) {
    if (request.endpoint !== 'graph.bulkUpload' || request.status !== 202) continue
    const body = JSON.parse(request.body) as { Operations: Array<{ data: { externalId: string } }> }
    for (const op of body.Operations)
      accepted.set(op.data.externalId, (accepted.get(op.data.externalId) ?? 0) + 1)
    requestIds.add(String(request.headers['client-request-id']))
  }
  for (const entry of manifest) {
    expect(entry.bulkId).toBe(entry.externalId)
    if (entry.outcome === 'staged') {
      expect(entry.httpStatus).toBe(202)
      expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(requestIds.has(entry.clientRequestId as string)).toBe(true)
      // Sent once, or at most once per attempt when the request was retried.
      const times = accepted.get(entry.externalId) ?? 0
      expect(times).toBeGreaterThanOrEqual(1)
      expect(times).toBeLessThanOrEqual(entry.attempts)
      if (entry.attempts === 1) expect(times).toBe(1)
    } else {
      expect(accepted.has(entry.externalId)).toBe(false)
      expect(entry.reason).toBeTruthy()
    }
  }
  expect([...accepted.keys()].sort()).toEqual(
    manifest
      .filter((m) => m.outcome === 'staged')
      .map((m) => m.externalId)
      .sort()
  )
  // Tokens only ever appear in ::add-mask:: commands, which the runner consumes.
  const logged = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  expect(logged).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\./)
  expect(run.stderr).toBe('')
}

function bulkCalls(emu: Emulator): number {
  return emu.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0
}

describe('apply mode end to end', () => {
  test('happy path: signs in with OIDC, checks the job, stages every valid record and reports it', async () => {
    const emu = await start()
    const { run, report } = await apply(emu)
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 10, notSent: 0, retried: 0, calls: 1, throttled: 0 })
    expect(report.manifest.map((m) => m.externalId).sort()).toEqual([...EXAMPLE_IDS].sort())
    expect(report.manifest[0]).toMatchObject({
      file: expect.stringMatching(/^hr\/\w+\.csv$/),
      line: expect.any(Number)
    })
    expect(run.stdout).toContain(
      'GitHub ID token presented: iss=https://token.actions.githubusercontent.com, sub=repo:contoso/hr-data:ref:refs/heads/main, aud=api://AzureADTokenExchange.'
    )
    expect(run.stdout).toContain('Provisioning job API2AAD.')
    const upload = emu.inspect().requests.find((r) => r.endpoint === 'graph.bulkUpload')
    expect(upload?.headers['content-type']).toBe('application/scim+json')
    expect(upload?.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(emu.inspect().queued).toBe(10)
    expect(run.summary).toContain('## Entra HR sync · apply')
    expect(run.summary).toContain('| ✅ Sent (202: staged for the next provisioning cycle) | 10 | 1 |')
    expect(run.summary).not.toMatch(/Lovelace|Hopper|@contoso/)
  })

  test('records with errors are never sent', async () => {
    // The fixture's mapping sends a custom HireDate: the app lists and maps it, or the schema check stops the upload.
    const hireDate = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate'
    const { sourceAttributes, mapping } = resolveConfig().processing
    const emu = await start({
      processing: {
        delayMs: 60_000,
        sourceAttributes: [...sourceAttributes, hireDate],
        mapping: [...mapping, { source: hireDate, target: 'employeeHireDate' }]
      }
    })
    const { run, report } = await apply(emu, { 'fail-on': 'never' }, { workspace: fixtures })
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.totals).toMatchObject({ records: 8, valid: 3, invalid: 5 })
    expect(report.upload).toMatchObject({ sent: 3, notSent: 0 })
  })

  test('several requests in flight, managers before their reports', async () => {
    const emu = await start()
    const { run, report } = await apply(emu, { 'batch-size': '1' })
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 10, calls: 10 })
    const order = emu
      .inspect()
      .requests.filter((r) => r.endpoint === 'graph.bulkUpload')
      .map((r) => (JSON.parse(r.body) as { Operations: Array<{ bulkId: string }> }).Operations[0]?.bulkId)
    expect(order.indexOf('E1000')).toBeLessThan(order.indexOf('E1001'))
    expect(order.indexOf('E1001')).toBeLessThan(order.indexOf('E1002'))
    expect(order.indexOf('E1006')).toBeLessThan(order.indexOf('E1007'))
  })

  test('explains a missing id-token permission in one line', async () => {
    const emu = await start()
    const { run, report } = await apply(
      emu,
      {},
      { env: { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' } }
    )
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 0, notSent: 10, calls: 0 })
    expect(run.stdout).toMatch(
      /::error::10 valid records not sent \(0 sent\): No GitHub OIDC token is available: add `permissions: id-token: write`.*forks/
    )
    expect(emu.inspect().counters.calls).toBe(0)
  })

  test('AADSTS70021 (a federated credential still propagating) is retried, then signs in', async () => {
    const emu = await start({ faults: [{ target: 'entra.token', to: 2, aadsts: 70021 }] })
    const { run, report } = await apply(emu)
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.upload.sent).toBe(10)
    expect(run.stdout).toContain('AADSTS70021 (no matching federated credential), attempt 1 of 4')
    expect(run.stdout).toContain('attempt 2 of 4')
    expect(emu.inspect().counters.byEndpoint['entra.token']?.calls).toBe(3)
  })

  const failFast: Array<[string, number, (emu: Emulator) => void, Record<string, string>, RegExp]> = [
    [
      'a subject that no federated credential has',
      700213,
      (emu) => emu.setRun({ ref: 'refs/heads/feature' }),
      {},
      /AADSTS700213: no federated credential has the subject 'repo:contoso\/hr-data:ref:refs\/heads\/feature' \(the subject this job presented\)\. The job uses no environment; a job with 'environment: NAME' presents repo:contoso\/hr-data:environment:NAME instead.* Set the subject to exactly that/
    ],
    [
      'a job in an environment that no federated credential names',
      700213,
      (emu) => emu.setRun({ environment: 'production' }),
      {},
      /AADSTS700213: no federated credential has the subject 'repo:contoso\/hr-data:environment:production' \(the subject this job presented\)\. The job runs in environment 'production', so the credential needs the subject repo:contoso\/hr-data:environment:production\./
    ],
    [
      'an issuer that does not match',
      700211,
      (emu) => {
        emu.config.federatedCredentials = emu.config.federatedCredentials.map((f) => ({
          ...f,
          issuer: `${f.issuer}/`
        }))
      },
      {},
      /AADSTS700211: the federated credential's issuer does not match\. Set it to exactly https:\/\/token\.actions\.githubusercontent\.com/
    ],
    [
      'an audience that does not match',
      700212,
      (emu) => {
        emu.config.federatedCredentials = emu.config.federatedCredentials.map((f) => ({
          ...f,
          audiences: ['api://AzureADTokenExchangeUSGov']
        }))
      },
      {},
      /AADSTS700212: the federated credential's audience does not match\. For cloud 'public' it must be api:\/\/AzureADTokenExchange/
    ],
    [
      'an unknown client id',
      700016,
      () => undefined,
      { 'client-id': '00000000-0000-4000-8000-000000000000' },
      /AADSTS700016: no application with client-id 00000000-0000-4000-8000-000000000000 in tenant .*Check the client-id and tenant-id inputs/
    ],
    [
      'an expired GitHub token (retried once with a fresh one)',
      700024,
      (emu) => {
        emu.config.oidc.lifetimeSec = -60
      },
      {},
      /AADSTS700024: the GitHub token was outside its valid time, twice/
    ],
    [
      'a wrong client secret',
      7000215,
      (emu) => {
        emu.config.clientSecrets = [{ value: 'the-right-secret' }]
      },
      { 'client-secret': 'not-the-secret' },
      /AADSTS7000215: the client secret is invalid\. Pass the secret's value/
    ]
  ]
  test.each(failFast)(
    'fails fast with an actionable message on %s (AADSTS%d)',
    async (_name, code, arrange, inputs, message) => {
      const emu = await start()
      arrange(emu)
      const { run, report } = await apply(emu, inputs)
      expect(run.exitCode).toBe(1)
      expectAccounted(emu, report, run)
      expect(report.upload).toMatchObject({ sent: 0, notSent: 10, calls: 0 })
      expect(report.upload.stopped?.kind).toBe(`AADSTS${code}`)
      const error = run.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? ''
      expect(error).toMatch(message)
      expect(emu.inspect().counters.byEndpoint['entra.token']?.calls).toBe(code === 700024 ? 2 : 1)
      expect(bulkCalls(emu)).toBe(0)
    }
  )

  test('a throttling storm: waits for Retry-After (seconds and HTTP date) and backs off without it', async () => {
    const emu = await start({
      faults: [
        { target: 'graph.bulkUpload', from: 1, to: 3, status: 429, retryAfter: 1 },
        {
          target: 'graph.bulkUpload',
          from: 4,
          to: 5,
          status: 429,
          retryAfter: new Date(Date.now() + 1000).toUTCString()
        },
        { target: 'graph.bulkUpload', from: 6, to: 7, status: 429 },
        { target: 'graph.bulkUpload', from: 8, to: 8, status: 503, retryAfter: 1 }
      ]
    })
    // Request 1 holds the top manager, so the others wait for it and it takes most of the storm.
    const { run, report } = await apply(emu, { 'batch-size': '2', 'max-retries': '10' })
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 10, notSent: 0, throttled: 7 })
    expect(report.upload.retried).toBeGreaterThan(0)
    expect(report.upload.calls).toBe(bulkCalls(emu))
  })

  test('500 "bucket full" waits bucket-full-wait (shown in the log) before sending again; 502/504 back off', async () => {
    const emu = await start({
      faults: [
        {
          target: 'graph.bulkUpload',
          from: 1,
          to: 2,
          status: 500,
          message: "The bucket for synchronization job 'x' is full"
        },
        { target: 'graph.bulkUpload', from: 3, to: 3, status: 502 },
        { target: 'graph.bulkUpload', from: 4, to: 4, status: 504 }
      ]
    })
    const { run, report } = await apply(emu, { 'batch-size': '5', 'bucket-full-wait': '7' })
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 10, notSent: 0, calls: 6 })
    // Request 1 (the managers') met the full bucket twice: two waits, each followed by one call only.
    const waits = run.stdout.split('\n').filter((l) => l.includes('(bucket-full-wait)'))
    expect(waits).toHaveLength(2)
    expect(waits[0]).toMatch(/Request \d: 500: the job's bucket of ingested data is full .*Waiting 7 min/)
  })

  test('a bucket that stays full: waits within upload-timeout, then stops and lists every record not sent', async () => {
    const emu = await start({ graph: { queueCapacity: 4 } })
    const { run, report } = await apply(emu, {
      'batch-size': '2',
      'bucket-full-wait': '5',
      'upload-timeout': '12'
    })
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(report.upload.sent).toBe(4)
    expect(report.upload.notSent).toBe(6)
    expect(report.upload.stopped?.kind).toBe('bucket-full')
    // Two waits of 5 minutes fit in 12; a third would not. Each wait is one call per request, never quick retries.
    expect(run.stdout.split('\n').filter((l) => l.includes('Waiting 5 min (bucket-full-wait)'))).toHaveLength(
      2
    )
    expect(bulkCalls(emu)).toBeLessThanOrEqual(2 + 3 * 3)
    expect(run.stdout).toMatch(
      /::error::6 valid records not sent \(4 sent\): request \d: 500: the job's bucket of ingested data is full .*upload-timeout/
    )
    const unsent = report.manifest.filter((m) => m.outcome === 'not-sent')
    expect(unsent).toHaveLength(6)
    for (const entry of unsent)
      expect(entry).toMatchObject({ file: expect.stringMatching(/^hr\//), line: expect.any(Number) })
    expect(run.summary).toContain('The upload stopped early')
  })

  test('dropped connections are retried', async () => {
    const emu = await start({ faults: [{ target: 'graph.bulkUpload', from: 2, to: 3, drop: true }] })
    const { run, report } = await apply(emu, { 'batch-size': '2' })
    expect(run.exitCode).toBe(0)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 10, notSent: 0 })
    expect(emu.inspect().counters.byEndpoint['graph.bulkUpload']?.byStatus).toEqual({ '202': 5, dropped: 2 })
  })

  test.each([
    ['paused', 'Paused', undefined, /The provisioning job is paused.*Start provisioning/],
    [
      'quarantined',
      'Quarantine',
      'EncounteredQuarantineException',
      /The provisioning job is in quarantine \(EncounteredQuarantineException.*Restart provisioning/
    ]
  ] as const)('a %s job stops the run before any upload', async (_name, code, reason, message) => {
    const emu = await start()
    emu.job.setStatus(code, reason)
    const { run, report } = await apply(emu)
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 0, notSent: 10, calls: 0 })
    expect(run.stdout.split('\n').find((l) => l.startsWith('::error::'))).toMatch(message)
    expect(bulkCalls(emu)).toBe(0)
  })

  test('a missing upload permission is explained (no call is made)', async () => {
    const emu = await start()
    emu.setRoles(['Synchronization.Read.All'])
    const { run, report } = await apply(emu)
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(run.stdout).toMatch(
      /::error::.*has no SynchronizationData-User\.Upload permission.*admin consent.*ProvisioningLog\.Read\.All, or AuditLog\.Read\.All together with Directory\.Read\.All/
    )
    expect(bulkCalls(emu)).toBe(0)
  })

  test('a 403 from bulkUpload fails fast and stops the upload', async () => {
    const emu = await start({
      faults: [{ target: 'graph.bulkUpload', status: 403, code: 'Authorization_RequestDenied' }]
    })
    const { run, report } = await apply(emu, { 'batch-size': '2' })
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(report.upload.sent).toBe(0)
    expect(report.upload.calls).toBe(1)
    expect(run.stdout).toMatch(
      /::error::10 valid records not sent \(0 sent\): Graph refused the request: 403 Authorization_RequestDenied.*SynchronizationData-User\.Upload/
    )
  })

  test('a daily call budget too small for the run: stops before exceeding it and reports what was not sent', async () => {
    const emu = await start()
    const { run, report } = await apply(emu, { 'batch-size': '2', 'daily-call-budget': '3' })
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(report.upload).toMatchObject({ sent: 6, notSent: 4, calls: 3, notSentBy: { budget: 4 } })
    expect(bulkCalls(emu)).toBe(3)
    expect(run.stdout).toMatch(
      /::error::4 valid records not sent \(6 sent\): the daily-call-budget of 3 calls is used up/
    )
    expect(run.summary).toContain('3 bulkUpload calls (of a daily-call-budget of 3)')
  })

  test("the tenant's daily quota: a long Retry-After stops the run instead of waiting for hours", async () => {
    const emu = await start({ graph: { rateLimit: { dailyQuota: 2 } } })
    const { run, report } = await apply(emu, { 'batch-size': '2' })
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(report.upload.sent).toBe(4)
    expect(report.upload.stopped?.kind).toBe('quota')
    expect(run.stdout).toMatch(/daily bulkUpload quota is exhausted.*Entra says it frees at \d{4}-\d\d-\d\dT/)
  })

  test("the daily quota's 429 is never retried, even with a short Retry-After", async () => {
    const emu = await start({
      faults: [{ target: 'graph.bulkUpload', from: 2, kind: 'daily-quota', retryAfter: 30 }]
    })
    const { run, report } = await apply(
      emu,
      { 'batch-size': '2', 'rate-limit': '40' },
      { env: { ENTRA_HR_SYNC_CONCURRENCY: '1' } }
    )
    expect(run.exitCode).toBe(1)
    expectAccounted(emu, report, run)
    expect(bulkCalls(emu)).toBe(2)
    expect(report.upload).toMatchObject({ sent: 2, notSent: 8, notSentBy: { quota: 2, stopped: 6 } })
    expect(run.stdout).toMatch(/daily bulkUpload quota is exhausted.*Entra says it frees at/)
  })

  test('apply refuses to start when inputs are missing, and names them', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
    cpSync(examples, workspace, { recursive: true })
    const run = await runAction({
      workspace,
      inputs: {
        files: 'hr/*.csv',
        mapping: 'mapping.yml',
        mode: 'apply',
        'client-id': '3f6b6a1e-6a8e-4c55-9d55-8f0c1b2a7d10'
      }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(
      /::error::mode apply needs 'tenant-id' \(the Entra tenant id\), 'service-principal-id' \(.*\), 'job-id' \(.*\); they are on the provisioning app's Provisioning page/
    )
  })
})
