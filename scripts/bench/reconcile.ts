/**
 * The reconcile benchmark (npm run bench -- --only reconcile): the bundled action in mode reconcile reads 100,000
 * Entra users from the emulator (pages of 999, the identity service's read throttling on) and compares them with a
 * 100,000-row HR file. The directory is built from the HR file itself, as a clean provisioning would leave it, with
 * known differences planted: leavers re-enabled, records deleted, titles changed, orphans, cloud-only admins outside
 * the scope. Prints the time, Graph calls, 429 answers (target 0), peak RSS (target ≤ 1 GiB) and the counts found
 * against the counts planted.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Papa from 'papaparse'
import { startEmulator, type SeedUser } from '../../test/emulator/index.ts'
import { BENCH_MAPPING, generateHrCsv } from './generate.ts'

export interface ReconcileMeasurement {
  seconds: number
  peakRssMiB: number
  calls: number
  throttled: number
  found: Record<string, number>
  planted: Record<string, number>
}

const ORPHANS = 100
const ADMINS = 50

/** The directory a clean provisioning of the file would leave, with planted differences, and their counts. */
async function directoryOf(
  csv: string,
  records: number
): Promise<{ users: SeedUser[]; planted: Record<string, number> }> {
  const users: SeedUser[] = []
  const planted = { 'leaver-enabled': 0, missing: 0, drift: 0, orphan: ORPHANS }
  let i = 0
  await new Promise<void>((resolve, reject) => {
    Papa.parse<Record<string, string>>(createReadStream(csv, { encoding: 'utf8' }), {
      header: true,
      skipEmptyLines: true,
      step: ({ data: row }) => {
        const index = i++
        const active = row.WorkerStatus === 'Active' || row.WorkerStatus === 'Leave'
        // Deleted users are chosen among those who manage nobody, so no report's manager changes with them.
        if (index % 1000 === 999 && index * 8 + 1 >= records && active) {
          planted.missing++
          return
        }
        const leaverEnabled = !active && index % 400 === 0
        const drift = active && index % 500 === 7
        if (leaverEnabled) planted['leaver-enabled']++
        if (drift) planted.drift++
        users.push({
          id: `u-${row.WorkerID}`,
          employeeId: row.WorkerID ?? '',
          userPrincipalName: `${(row.UserID ?? '').toLowerCase()}@contoso.com`,
          accountEnabled: active || leaverEnabled,
          givenName: row.FirstName ?? '',
          surname: row.LastName ?? '',
          displayName: `${row.PreferredName || row.FirstName} ${row.LastName}`,
          jobTitle: drift ? 'Changed outside HR' : (row.JobTitle ?? ''),
          mail: row.Email ?? '',
          streetAddress: row.StreetAddress ?? '',
          city: row.City ?? '',
          postalCode: row.PostalCode ?? '',
          country: row.Country ?? '',
          department: row.Department ?? '',
          companyName: row.Company ?? '',
          'employeeOrgData/division': row.Division ?? '',
          'employeeOrgData/costCenter': row.CostCenter ?? '',
          manager: row.ManagerID ? `u-${row.ManagerID}` : null
        })
      },
      complete: () => resolve(),
      error: reject
    })
  })
  for (let n = 0; n < ORPHANS; n++)
    users.push({
      employeeId: `X${String(n).padStart(6, '0')}`,
      userPrincipalName: `x${n}@contoso.com`,
      accountEnabled: true
    })
  for (let n = 0; n < ADMINS; n++)
    users.push({ userPrincipalName: `admin${n}@contoso.com`, accountEnabled: true })
  return { users, planted }
}

export async function runReconcileBench(root: string, records = 100_000): Promise<ReconcileMeasurement> {
  const folder = path.join(root, '.tmp', 'bench', 'reconcile')
  const workspace = path.join(folder, 'workspace')
  const csv = path.join(workspace, 'hr', `workers-${records}.csv`)
  mkdirSync(path.dirname(csv), { recursive: true })
  if (!existsSync(csv)) await generateHrCsv(csv, records)
  writeFileSync(path.join(workspace, 'mapping.yml'), BENCH_MAPPING)
  const { users, planted } = await directoryOf(csv, records)
  const emulator = await startEmulator({ deterministic: false, seedUsers: users })
  try {
    const runner = path.join(folder, 'runner')
    mkdirSync(runner, { recursive: true })
    const files = {
      GITHUB_OUTPUT: path.join(runner, 'output'),
      GITHUB_STEP_SUMMARY: path.join(runner, 'summary.md')
    }
    for (const file of Object.values(files)) writeFileSync(file, '')
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...emulator.env(),
      ...files,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: path.join(runner, 'temp'),
      GITHUB_ACTION: 'bench',
      INPUT_FILES: path.relative(workspace, csv),
      INPUT_MAPPING: 'mapping.yml',
      INPUT_MODE: 'reconcile',
      'INPUT_RECONCILE-FAIL-ON': 'never',
      'INPUT_FAIL-ON': 'never'
    }
    // Asynchronous: the emulator answers from this process's event loop while the action runs.
    const { stdout: output } = await promisify(execFile)(
      process.execPath,
      [path.join(import.meta.dirname, 'reconcile-child.ts')],
      {
        cwd: workspace,
        env,
        encoding: 'utf8',
        maxBuffer: 64 << 20
      }
    )
    const result = JSON.parse(output.trim().split('\n').at(-1) as string) as {
      seconds: number
      peakRssMiB: number
      outputs: string
    }
    const output_ = (name: string): number =>
      Number(new RegExp(`^${name}<<(\\S+)\\n(\\d+)\\n\\1$`, 'm').exec(result.outputs)?.[2] ?? NaN)
    const counters = emulator.inspect().counters.byEndpoint['graph.users']
    return {
      seconds: result.seconds,
      peakRssMiB: result.peakRssMiB,
      calls: counters?.calls ?? 0,
      throttled: counters?.throttled ?? 0,
      found: {
        'leaver-enabled': output_('reconcile-leavers-enabled'),
        missing: output_('reconcile-missing'),
        drift: output_('reconcile-drift'),
        orphan: output_('reconcile-orphans')
      },
      planted
    }
  } finally {
    await emulator.stop()
  }
}

export function printReconcileBench(m: ReconcileMeasurement, records: number): void {
  console.log(
    `Reconcile, ${records.toLocaleString('en-US')} HR rows against ${records.toLocaleString('en-US')} Entra users (Node ${process.versions.node}):`
  )
  console.log(`  time            : ${m.seconds.toFixed(2)} s`)
  console.log(`  Graph calls     : ${m.calls} GET /users (pages of 999)`)
  console.log(`  429 answers     : ${m.throttled} (target 0) ${m.throttled === 0 ? 'met' : 'MISSED'}`)
  console.log(
    `  peak RSS        : ${m.peakRssMiB.toFixed(0)} MiB (target ≤ 1024 MiB) ${m.peakRssMiB <= 1024 ? 'met' : 'MISSED'}`
  )
  const same = Object.keys(m.planted).every((k) => m.found[k] === m.planted[k])
  console.log(
    `  findings        : ${JSON.stringify(m.found)}; planted ${JSON.stringify(m.planted)} ${same ? 'match' : 'DIFFER'}`
  )
}
