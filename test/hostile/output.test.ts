/**
 * Hostile content, output side (issue 11, rows 2–5, 8, 9, 11, 14): the bundled action (dist/index.js, run as the
 * runner runs it) on a corpus of inputs an attacker controls — file names, report files passed between jobs, paths
 * and symbolic links in a pull request, HR values, Entra's messages. Every case also passes `expectSafe`: it ends
 * within seconds, no workflow command comes from data, nothing outside the workspace and RUNNER_TEMP is read or
 * written, no stack trace. The input side (patterns, NUL bytes, depth, big files) is in input.test.ts.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { marked } from 'marked'
import Papa from 'papaparse'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts'
import { emulatorRunOptions } from '../helpers/run-action.ts'
import {
  HEADER,
  MARK,
  PLANTED,
  SECRET,
  expectSafe,
  hostileRun,
  injectedCommands,
  previousReport,
  sandbox,
  staged,
  type HostileRun,
  type Sandbox
} from './sandbox.ts'

/** One HR row; the title is quoted as RFC 4180 says (it may hold commas and quotes). */
const row = (id: string, upn: string, title = 'Engineer'): string =>
  `${id},${upn},Active,Pat,${id},"${title.replace(/"/g, '""')}",${upn},Engineering,`

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

/** A run against the emulator of Entra and Graph (apply and report modes); started with `options` if not running. */
async function applyRun(
  box: Sandbox,
  inputs: Record<string, string>,
  options: EmulatorOptions = {}
): Promise<HostileRun> {
  emulator ??= await startEmulator({
    deterministic: false,
    processing: { delayMs: 0 },
    logs: { visibilityDelayMs: 0 },
    ...options
  })
  const target = emulatorRunOptions(emulator.env())
  return hostileRun(
    box,
    { files: 'hr/*.csv', mapping: 'mapping.yml', 'logs-timeout': '5', ...target.inputs, ...inputs },
    { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20', ENTRA_HR_SYNC_RETRY_BASE_MS: '5' }
  )
}

/** The run's failure: the message of its last `::error::` line (setFailed), unescaped. */
const failure = (run: HostileRun): string =>
  run.annotations.filter((a) => Object.keys(a.properties).length === 0).at(-1)?.message ?? ''

describe('row 2: data never becomes a workflow command', () => {
  test('the harness sees a planted command (control)', () => {
    expect(injectedCommands(`ok\n${PLANTED.join('\n')}\n`)).toHaveLength(3)
  })

  test('file names with line breaks and commands', async () => {
    const box = sandbox()
    const rows = [HEADER, row('P1', 'p1@contoso.example')].join('\n') + '\n'
    writeFileSync(path.join(box.workspace, 'hr', `a\n${PLANTED.join('\n')}\n.csv`), rows)
    const other = [HEADER, row('P2', 'p2@contoso.example')].join('\n') + '\n'
    writeFileSync(path.join(box.workspace, `::add-mask::${MARK}.csv`), other)
    const run = await hostileRun(box, { files: '**/*.csv', mapping: 'mapping.yml' })
    expectSafe(run)
    expect(run.exitCode).toBe(0)
    // The names are still there, escaped on one line.
    expect(run.stdout).toContain(`%3A:add-mask::${MARK}.csv: CSV`)
    expect(run.stdout).toContain(
      `hr/a%0A::warning title=${MARK}::${MARK}%0A::add-mask::${MARK}%0A##%5Berror]`
    )
  })

  test('fields of a previous report (mode report)', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    writeFileSync(
      path.join(box.workspace, 'report.json'),
      previousReport([staged('hr/people.csv', 2, 'P1')], {
        mode: `apply\n${PLANTED.join('\n')}`,
        generatedAt: `##[error]${MARK}`
      })
    )
    const run = await applyRun(box, { mode: 'report', 'previous-report': 'report.json', 'logs-timeout': '0' })
    expectSafe(run)
    expect(run.stdout).toContain(`an apply%0A::warning title=${MARK}`)
  })

  test('a failed externalId with a line break (resend-from)', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    const failed = {
      file: 'hr/people.csv',
      line: 2,
      externalId: `Q1\n${PLANTED.join('\n')}`,
      outcome: 'failed'
    }
    writeFileSync(
      path.join(box.workspace, 'report.json'),
      previousReport([], { outcomes: { totals: {}, records: [failed] } })
    )
    const run = await applyRun(box, { mode: 'apply', 'resend-from': 'report.json' })
    expectSafe(run)
    expect(run.stdout).toContain(
      `not among this run's valid records (removed or now invalid): Q1%0A::warning`
    )
  })
})

describe('row 3: paths from inputs and reports stay in the workspace or RUNNER_TEMP', () => {
  test.each([
    ['a relative path', '../../outside/payroll.csv'],
    ['an absolute path', 'ABSOLUTE']
  ])('a report whose manifest names %s is refused, naming the member', async (_, name) => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    const file = name === 'ABSOLUTE' ? path.join(box.outside, 'payroll.csv') : name
    writeFileSync(path.join(box.workspace, 'report.json'), previousReport([staged(file, 2, 'X1')]))
    const run = await applyRun(box, { mode: 'report', 'previous-report': 'report.json' })
    expectSafe(run)
    expect(run.exitCode).toBe(1)
    expect(failure(run)).toMatch(
      /^Input 'previous-report': 'report\.json' is not a valid report file of this action: manifest\[0\]\.file is not a relative path inside the workspace/
    )
  })

  test('a previous-report outside: one message whether or not the file exists', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    const existing = await applyRun(box, { mode: 'report', 'previous-report': '../outside/report.json' })
    const missing = await applyRun(box, { mode: 'report', 'previous-report': '../outside/nothing.json' })
    for (const run of [existing, missing]) {
      expectSafe(run)
      expect(run.exitCode).toBe(1)
    }
    expect(failure(existing)).toBe(
      "Input 'previous-report': '../outside/report.json' is outside the workspace; only files inside the workspace (the repository) or RUNNER_TEMP can be used."
    )
    expect(failure(missing)).toBe(failure(existing).replace('report.json', 'nothing.json'))
  })

  test('a resend-from that is a symbolic link out of the workspace', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    symlinkSync(path.join(box.outside, 'report.json'), path.join(box.workspace, 'report.json'))
    const run = await applyRun(box, { mode: 'apply', 'resend-from': 'report.json' })
    expectSafe(run)
    expect(run.exitCode).toBe(1)
    expect(failure(run)).toContain("'report.json' leads outside the workspace through a symbolic link")
    expect(emulator?.inspect().counters.byEndpoint['graph.bulkUpload']?.calls ?? 0).toBe(0)
  })
})

describe('row 4: symbolic links out of the workspace', () => {
  test('requests-dir that is a link to a folder outside', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    symlinkSync(box.outside, path.join(box.workspace, 'out'))
    const run = await hostileRun(box, { files: 'hr/*.csv', mapping: 'mapping.yml', 'requests-dir': 'out' })
    expectSafe(run) // hostileRun checked that nothing in outside/ changed
    expect(run.exitCode).toBe(1)
    expect(failure(run)).toContain(
      "Input 'requests-dir': 'out' leads outside the workspace through a symbolic link"
    )
  })

  test('requests-dir holding a request file that is a link to a file outside', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    mkdirSync(path.join(box.workspace, 'out'))
    symlinkSync(path.join(box.outside, 'victim.txt'), path.join(box.workspace, 'out', 'request-0001.json'))
    const run = await hostileRun(box, { files: 'hr/*.csv', mapping: 'mapping.yml', 'requests-dir': 'out' })
    expectSafe(run)
    expect(readFileSync(path.join(box.outside, 'victim.txt'), 'utf8')).toBe(SECRET)
    expect(run.exitCode).toBe(1)
    expect(failure(run)).toContain("'request-0001.json' in it is a symbolic link")
  })

  test('a mapping that is a link to a file outside', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    mkdirSync(path.join(box.workspace, 'config'))
    symlinkSync(path.join(box.outside, 'mapping.yml'), path.join(box.workspace, 'config', 'mapping.yml'))
    const run = await hostileRun(box, { files: 'hr/*.csv', mapping: 'config/mapping.yml' })
    expectSafe(run)
    expect(run.exitCode).toBe(1)
    expect(failure(run)).toBe(
      "Input 'mapping': 'config/mapping.yml' leads outside the workspace through a symbolic link; only files inside the workspace (the repository) or RUNNER_TEMP can be used."
    )
  })
})

describe('row 5: with summary-detail ids, no value from an Entra message reaches any output', () => {
  const people = [
    ['P1', "sean.o'brien@contoso.example"],
    ['P2', 'zoë.ñúñez-o’hara@contoso.example'],
    ['P3', 'jo"qx9"@contoso.example']
  ]

  test.each(['apply', 'report'])('mode %s', async (mode) => {
    const box = sandbox(people.map(([id, upn]) => row(id as string, upn as string)))
    // Another user holds each UPN: Entra's reason quotes it ("… userPrincipalName '<upn>' already exists.").
    const options = {
      seedUsers: people.map(([, upn], i) => ({ employeeId: `OTHER${i}`, userPrincipalName: upn as string }))
    }
    let run = await applyRun(box, { mode: 'apply' }, options)
    if (mode === 'report') {
      writeFileSync(path.join(box.workspace, 'report.json'), run.written['entra-hr-sync-sync.json'] as string)
      run = await applyRun(box, { mode: 'report', 'previous-report': 'report.json' }, options)
    }
    expectSafe(run)
    expect(run.outputs.failed).toBe('3')
    const report = run.written['entra-hr-sync-sync.json'] as string
    expect(report).toContain('"errorCode":"AzureActiveDirectoryInvalidUserPrincipalName"')
    for (const text of [run.stdout, run.summary, JSON.stringify(run.outputs), report])
      for (const value of ['brien', 'zoë', 'hara', 'qx9', 'contoso.example'])
        expect(text).not.toContain(value)
    expect(run.summary).toContain(
      '| AzureActiveDirectoryInvalidUserPrincipalName | hidden (summary-detail: ids) |'
    )
  })
})

describe('row 8: mentions and bare links in the job summary are neutralised', () => {
  test('externalIds @octocat, @org/team, https://evil.example, www.evil.example, #1', async () => {
    const ids = ['@octocat', '@org/team', 'https://evil.example', 'www.evil.example', '#1']
    const box = sandbox(ids.map((id) => row(id, 'not-a-upn')))
    const run = await hostileRun(box, { files: 'hr/*.csv', mapping: 'mapping.yml' })
    expectSafe(run)
    // Every record is listed with an error (its userName is not a UPN): the ids are in the summary.
    const html = await marked.parse(run.summary, { gfm: true })
    expect(html).not.toContain('evil.example"')
    const visible = html.replace(/<[^>]+>/g, '')
    expect(visible).not.toMatch(/(^|[^\w])@(octocat|org)/)
    expect(visible).not.toMatch(/https?:\/\/evil|www\.evil|#1\b/)
    // The text still reads the same once the invisible joiners are removed.
    for (const id of ids) expect(visible.replace(/\u2060/g, '')).toContain(id)
  })
})

describe('row 9: the failed-records CSV is spreadsheet-safe and loadable as input', () => {
  test('formulas get an apostrophe; read back, the values are the originals', async () => {
    const titles = [
      '=HYPERLINK("https://evil.example","x")',
      "+cmd|' /C calc'!A0",
      '@SUM(1+1)',
      '-2+3',
      '\t=1+1',
      "''=x" // an HR value that is itself guarded, read as '=x (docs/security.md)
    ]
    const box = sandbox(titles.map((title, i) => row(`P${i + 1}`, `p${i + 1}@elsewhere.example`, title)))
    // The domain is not verified in the tenant: every record fails in Entra and lands in the failed-records CSV.
    const run = await applyRun(box, { mode: 'apply' })
    expectSafe(run)
    expect(run.outputs.failed).toBe('6')
    const failedCsv = readFileSync(run.outputs['failed-file'] as string, 'utf8')
    const cells = Papa.parse<string[]>(failedCsv.trim()).data
    expect(cells.slice(1).map((r) => r[5])).toEqual([
      `'=HYPERLINK("https://evil.example","x")`,
      "'+cmd|' /C calc'!A0",
      "'@SUM(1+1)",
      "'-2+3",
      "'\t=1+1",
      "''=x"
    ])
    for (const cell of cells.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/)

    // Fed back as input, the requests carry the values as they were read the first time.
    writeFileSync(path.join(box.workspace, 'hr', 'people.csv'), failedCsv)
    const again = await hostileRun(box, { files: 'hr/*.csv', mapping: 'mapping.yml', 'requests-dir': 'out' })
    expectSafe(again)
    const request = JSON.parse(
      readFileSync(path.join(box.workspace, 'out', 'request-0001.json'), 'utf8')
    ) as {
      Operations: Array<{ data: { title: string } }>
    }
    const read = [...titles.slice(0, -1), "'=x"]
    expect(request.Operations.map((o) => o.data.title)).toEqual(read)
  })
})

describe('row 11: a bad previous-report is an input error naming the file and what is wrong', () => {
  test.each([
    [
      'not JSON',
      '{"version": 1\n  "manifest": []}',
      /'report\.json' is not JSON \(syntax error at line 2, column 3\)/
    ],
    ['a null entry', previousReport([null]), /manifest\[0\] is not an object/],
    ['a manifest that is no list', previousReport([]).replace('[]', '"x"'), /"manifest" is not a list/],
    [
      'a bad line',
      previousReport([{ ...staged('hr/people.csv', 2, 'P1'), line: 'two' }]),
      /manifest\[0\]\.line/
    ],
    [
      'records that are no list',
      previousReport([], { outcomes: { records: 5 } }),
      /"outcomes\.records" is not a list/
    ]
  ])('%s', async (_, content, expected) => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    writeFileSync(path.join(box.workspace, 'report.json'), content)
    const run = await applyRun(box, { mode: 'report', 'previous-report': 'report.json' })
    expectSafe(run)
    expect(run.exitCode).toBe(1)
    expect(failure(run)).toMatch(/^Input 'previous-report': /)
    expect(failure(run)).toMatch(expected)
  })
})

describe('row 14: secret inputs are registered with the runner masking', () => {
  test('client-secret and every line of client-certificate, before anything else is logged', async () => {
    const box = sandbox([row('P1', 'p1@contoso.example')])
    const secret = 'Xy7~secret-value-from-a-variable'
    const key = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'
    const certificate = `-----BEGIN PRIVATE KEY-----\n${key}\n-----END PRIVATE KEY-----\n`
    const cases: Array<Record<string, string>> = [
      { 'client-secret': secret },
      { 'client-certificate': certificate }
    ]
    for (const inputs of cases) {
      const run = await applyRun(box, { mode: 'apply', ...inputs })
      expectSafe(run)
      const masks = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('::add-mask::'))
        .map((line) => line.slice('::add-mask::'.length))
      const first = run.stdout.split('\n').findIndex((line) => line.startsWith('::add-mask::'))
      expect(first).toBeGreaterThanOrEqual(0)
      expect(run.stdout.split('\n').slice(0, first).join('\n')).not.toMatch(/[^:]:[^:]/) // nothing logged before
      if ('client-secret' in inputs) expect(masks).toContain(secret)
      else expect(masks).toEqual(expect.arrayContaining([certificate.trim().replace(/\n/g, '%0A'), key]))
    }
  })
})
