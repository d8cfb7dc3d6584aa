import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseLogEntry, type LogEntry, type PollResult } from '../../src/graph/logs.ts'
import { selectAnnotations } from '../../src/common/annotation-budget.ts'
import { outcomeDiagnostics } from '../../src/outcomes/outcome-annotations.ts'
import { collectOutcomes } from '../../src/outcomes/collect.ts'
import { csvField, writeFailedCsv } from '../../src/outcomes/failed-csv.ts'
import {
  classify,
  isTransient,
  outcomeFailureReason,
  outcomeTotals,
  toOutcome,
  type RecordOutcome
} from '../../src/outcomes/outcome.ts'
import { outcomeOutputs, outcomesSection, readPreviousReport } from '../../src/outcomes/outcomes-json.ts'
import { batchesFor, narrowPlan } from '../../src/outcomes/resend.ts'
import { renderOutcomesSection } from '../../src/outcomes/summary-section.ts'
import { expectGolden } from '../helpers/golden.ts'

function logEntry(fields: Partial<LogEntry> & { externalId: string }): LogEntry {
  return {
    id: `${fields.externalId}-${fields.time ?? 0}`,
    time: 0,
    action: 'create',
    status: 'success',
    changeId: undefined,
    cycleId: undefined,
    errorCode: undefined,
    reason: undefined,
    recommendedAction: undefined,
    errorCategory: undefined,
    skipReason: undefined,
    skips: [],
    setProperties: [],
    followUp: false,
    warningText: undefined,
    accountEnabled: undefined,
    targetId: undefined,
    userPrincipalName: undefined,
    ...fields
  }
}

describe('classifying an entry', () => {
  const cases: Array<[string, Partial<LogEntry>, string, string?]> = [
    ['create', { action: 'create' }, 'created'],
    ['update', { action: 'update' }, 'updated'],
    ['disable', { action: 'disable' }, 'disabled'],
    [
      'update to accountEnabled False',
      { action: 'update', accountEnabled: { from: 'True', to: 'False' } },
      'disabled'
    ],
    ['re-enable', { action: 'update', accountEnabled: { from: 'False', to: 'True' } }, 'enabled'],
    [
      'no change',
      { action: 'other', status: 'skipped', skipReason: 'RedundantExport' },
      'skipped',
      'no change'
    ],
    [
      'out of scope',
      { action: 'other', status: 'skipped', skipReason: 'out of scope' },
      'skipped',
      'out of scope'
    ],
    // The CSDL allows a warning status (the service logs an unresolved manager as a skip step instead: fold.test.ts).
    ['a warning status', { status: 'warning', warningText: 'partly applied' }, 'warning', 'partly applied'],
    ['failure', { status: 'failure', errorCode: 'X' }, 'failed'],
    ['unknown status', { status: 'unknownfuturevalue' }, 'warning'],
    ['unknown action of a success', { action: 'unknownfuturevalue' }, 'updated']
  ]
  test.each(cases.map(([a, b, c, d]) => [a, b, c, d ?? ''] as const))(
    '%s',
    (_name, fields, outcome, note) => {
      const result = classify(logEntry({ externalId: 'E1', ...fields }))
      expect(result.outcome).toBe(outcome)
      if (note) expect(result.note).toBe(note)
    }
  )

  test('a record without entry is not seen; transient only for the service failure category', () => {
    const sent = { file: 'hr/a.csv', line: 2, externalId: 'E1', sentAt: 0 }
    expect(toOutcome(sent, undefined).outcome).toBe('not-seen')
    expect(toOutcome(sent, []).outcome).toBe('not-seen')
    const failed = (category: string | undefined) =>
      toOutcome(sent, [
        logEntry({ externalId: 'E1', status: 'failure', errorCode: 'X', errorCategory: category })
      ])
    expect(isTransient(failed('failure'))).toBe(true)
    expect(isTransient(failed('nonServiceFailure'))).toBe(false)
    expect(isTransient(failed('unknownFutureValue'))).toBe(false)
    expect(isTransient(failed(undefined))).toBe(false)
  })
})

describe('fail-on for outcomes', () => {
  const totals = (fields: Partial<ReturnType<typeof outcomeTotals>>) => ({
    ...outcomeTotals([]),
    created: 8,
    ...fields
  })
  test('any failure, warnings, never, thresholds; not-seen by policy', () => {
    expect(outcomeFailureReason(totals({ failed: 1 }), { kind: 'error' }, 'warning')).toMatch(
      /^1 failed in Entra \(of 9 sent\)/
    )
    expect(outcomeFailureReason(totals({}), { kind: 'error' }, 'warning')).toBeUndefined()
    expect(outcomeFailureReason(totals({ 'not-seen': 2 }), { kind: 'error' }, 'warning')).toBeUndefined()
    expect(outcomeFailureReason(totals({ 'not-seen': 2 }), { kind: 'error' }, 'failure')).toMatch(
      /2 not seen/
    )
    expect(outcomeFailureReason(totals({ 'not-seen': 2 }), { kind: 'warning' }, 'warning')).toMatch(
      /2 not seen in Entra and fail-on is warning/
    )
    expect(outcomeFailureReason(totals({ 'not-seen': 2 }), { kind: 'warning' }, 'ignore')).toBeUndefined()
    expect(outcomeFailureReason(totals({ failed: 5 }), { kind: 'never' }, 'failure')).toBeUndefined()
    const threshold = { kind: 'threshold', count: 2, percent: false } as const
    expect(outcomeFailureReason(totals({ failed: 2 }), threshold, 'warning')).toBeUndefined()
    expect(outcomeFailureReason(totals({ failed: 3 }), threshold, 'warning')).toMatch(/threshold of 2/)
    const percent = { kind: 'threshold', count: 10, percent: true } as const
    expect(outcomeFailureReason(totals({ created: 9, failed: 1 }), percent, 'warning')).toBeUndefined()
    expect(outcomeFailureReason(totals({ created: 8, failed: 2 }), percent, 'warning')).toMatch(
      /threshold of 10%/
    )
  })
})

function poll(found: LogEntry[]): PollResult {
  const entries = new Map<string, LogEntry[]>()
  for (const e of found) entries.set(e.externalId, [...(entries.get(e.externalId) ?? []), e])
  return {
    entries,
    calls: 1,
    polls: 1,
    recordQueries: 0,
    problem: undefined,
    operator: 'ge',
    finishedAt: 0
  }
}

describe('collecting outcomes with re-submission', () => {
  const sent = ['E1', 'E2', 'E3'].map((externalId, i) => ({
    file: 'hr/a.csv',
    line: i + 2,
    externalId,
    sentAt: 1000
  }))

  test('re-sends transient failures up to the limit and reports the final outcome', async () => {
    const polls: Array<{ ids: string[]; ignore: string[] }> = []
    const answers = [
      [
        logEntry({ externalId: 'E1', time: 2000 }),
        logEntry({
          externalId: 'E2',
          time: 2000,
          status: 'failure',
          errorCode: 'T',
          errorCategory: 'failure'
        }),
        logEntry({
          externalId: 'E3',
          time: 2000,
          status: 'failure',
          errorCode: 'P',
          errorCategory: 'nonServiceFailure'
        })
      ],
      [
        logEntry({
          externalId: 'E2',
          time: 3000,
          status: 'failure',
          errorCode: 'T',
          errorCategory: 'failure'
        })
      ],
      [logEntry({ externalId: 'E2', time: 4000, action: 'create' })]
    ]
    const resent: string[][] = []
    const result = await collectOutcomes({
      sent,
      poll: async (records, ignore) => {
        polls.push({ ids: records.map((r) => r.externalId), ignore: [...ignore] })
        return poll(answers.shift() ?? [])
      },
      resend: async (records) => {
        resent.push(records.map((r) => r.externalId))
        return new Map(records.map((r) => [r.externalId, 2500]))
      },
      resubmitAttempts: 3,
      log: { info: () => undefined, warn: () => undefined }
    })
    expect(resent).toEqual([['E2'], ['E2']])
    expect(polls[1]).toEqual({ ids: ['E2'], ignore: ['E1-2000', 'E2-2000', 'E3-2000'] })
    expect(result.outcomes.map((o) => [o.externalId, o.outcome, o.resubmitted])).toEqual([
      ['E1', 'created', 0],
      ['E2', 'created', 2],
      ['E3', 'failed', 0]
    ])
    expect(result).toMatchObject({ rounds: 2, resubmitted: 2, calls: 3, polls: 3 })
  })

  test('stops at resubmit-attempts; a record not re-sent stays failed', async () => {
    const failure = (t: number) =>
      logEntry({ externalId: 'E1', time: t, status: 'failure', errorCode: 'T', errorCategory: 'failure' })
    const answers = [
      [failure(1), logEntry({ externalId: 'E2' }), logEntry({ externalId: 'E3' })],
      [failure(2)]
    ]
    const result = await collectOutcomes({
      sent,
      poll: async () => poll(answers.shift() ?? []),
      resend: async () => new Map(),
      resubmitAttempts: 1,
      log: { info: () => undefined, warn: () => undefined }
    })
    expect(result.outcomes[0]).toMatchObject({ outcome: 'failed', resubmitted: 0 })
    expect(result.rounds).toBe(1)
  })
})

function outcomes(): RecordOutcome[] {
  const base = (externalId: string, line: number, file = 'hr/employees.csv') => ({
    file,
    line,
    externalId,
    sentAt: Date.parse('2025-03-10T14:00:00Z')
  })
  const entry = (fields: Record<string, unknown>) => [
    parseLogEntry({
      id: 'id',
      activityDateTime: '2025-03-10T14:07:00Z',
      sourceIdentity: { id: 'x' },
      ...fields
    }) as LogEntry
  ]
  return [
    toOutcome(
      base('E1000', 2),
      entry({
        provisioningAction: 'create',
        provisioningStatusInfo: { status: 'success' },
        targetIdentity: {
          id: '0a1b2c3d-0000-4000-8000-00000000e100',
          displayName: 'Grace Hopper',
          identityType: 'User',
          details: { UserPrincipalName: 'grace.hopper@contoso.example' }
        }
      })
    ),
    toOutcome(
      base('E1001', 3),
      entry({ provisioningAction: 'update', provisioningStatusInfo: { status: 'success' } })
    ),
    toOutcome(
      base('E1002', 4),
      entry({ provisioningAction: 'disable', provisioningStatusInfo: { status: 'success' } })
    ),
    toOutcome(
      base('E1003', 5),
      entry({
        provisioningAction: 'update',
        provisioningStatusInfo: { status: 'success' },
        modifiedProperties: [{ displayName: 'accountEnabled', oldValue: 'False', newValue: 'True' }]
      })
    ),
    toOutcome(
      base('E1004', 6),
      entry({
        provisioningAction: 'other',
        provisioningStatusInfo: { status: 'skipped' },
        provisioningSteps: [{ status: 'skipped', details: { SkipReason: 'RedundantExport' } }]
      })
    ),
    toOutcome(
      base('E1005', 7),
      entry({
        provisioningAction: 'create',
        provisioningStatusInfo: { status: 'success' },
        provisioningSteps: [
          { provisioningStepType: 'import', status: 'success' },
          {
            name: 'EntrySynchronizationSkip',
            provisioningStepType: 'processing',
            status: 'success',
            description: "We were unable to assign E0999 as the manager of 'ada|<b>@contoso.example'.",
            details: {
              E0999: 'manager Add',
              PropertyName: 'manager',
              SkipReason: 'UnableToResolveReferenceAttributeValue'
            }
          }
        ]
      })
    ),
    toOutcome(
      base('E1006', 8),
      entry({
        provisioningAction: 'create',
        provisioningStatusInfo: {
          status: 'failure',
          errorInformation: {
            errorCode: 'AzureActiveDirectoryInvalidUserPrincipalName',
            reason:
              "Another object with the same value for property userPrincipalName 'ada|<b>@contoso.example' already exists.",
            errorCategory: 'nonServiceFailure',
            recommendedAction: 'Make the userPrincipalName unique.'
          }
        }
      })
    ),
    toOutcome(base('C2001', 2, 'hr/contractors.csv'), undefined)
  ]
}

const repository = { serverUrl: 'https://github.com', repo: 'contoso/hr-data', sha: 'abc123' }
const sectionOptions = {
  detail: 'ids' as const,
  repository,
  budgetBytes: 1_000_000,
  timeoutMinutes: 15,
  logCalls: 4,
  polls: 3,
  resubmitted: 1
}

describe('reporting outcomes', () => {
  test('summary section (golden): totals, a table per file, failures with a link, warnings collapsed, values hidden', () => {
    const md = renderOutcomesSection(outcomes(), sectionOptions)
    expectGolden('outcomes-summary.md', md)
    expect(md).not.toContain('ada')
    expect(md).toContain(
      '[hr/employees.csv:8](https://github.com/contoso/hr-data/blob/abc123/hr/employees.csv#L8)'
    )
  })

  test('summary section with summary-detail full (golden): values shown, escaped', () => {
    const md = renderOutcomesSection(outcomes(), { ...sectionOptions, detail: 'full' })
    expectGolden('outcomes-summary-full.md', md)
    expect(md).toContain('ada\\|&lt;b&gt;@\u2060contoso.example') // escaped, and no e-mail link
  })

  test('summary section within a byte budget', () => {
    const many: RecordOutcome[] = []
    for (let i = 0; i < 5000; i++)
      many.push({ ...(outcomes()[6] as RecordOutcome), externalId: `E${i}`, line: i + 2 })
    const md = renderOutcomesSection(many, {
      ...sectionOptions,
      budgetBytes: 50_000,
      reportFile: '/tmp/r.json'
    })
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(50_000)
    expect(md).toMatch(/\*\*\d[\d,]* records not listed\*\*: the summary reached its size limit/)
    expectGolden('outcomes-summary-trimmed.md', md.slice(md.indexOf('> **')))
  })

  test('annotations: failures first, then warnings, then one notice counting the rest, within the caps', () => {
    const many: RecordOutcome[] = []
    for (let i = 0; i < 12; i++)
      many.push({ ...(outcomes()[6] as RecordOutcome), externalId: `F${i}`, line: i + 2 })
    for (let i = 0; i < 12; i++)
      many.push({ ...(outcomes()[5] as RecordOutcome), externalId: `W${i}`, line: i + 20 })
    const annotations = selectAnnotations(
      [
        ...outcomeDiagnostics(many, 'ids'),
        { severity: 'error', rule: 'plan-error', message: 'm', file: 'hr/a.csv', line: 1 }
      ],
      10
    )
    expect(annotations.filter((a) => a.severity === 'error')).toHaveLength(10)
    expect(annotations.filter((a) => a.severity === 'warning')).toHaveLength(10)
    expect(annotations[0]).toMatchObject({
      severity: 'error',
      title: 'provisioning-failed',
      file: 'hr/employees.csv',
      line: 2,
      message:
        'externalId F0: Entra could not provision this record: AzureActiveDirectoryInvalidUserPrincipalName — its reason is in the job summary with summary-detail: full (Entra quotes values in it)'
    })
    expect(annotations.at(-1)).toMatchObject({
      severity: 'notice',
      message: expect.stringMatching(/^5 more problems/)
    })
  })

  test('not seen: an error, a warning or nothing, by policy', () => {
    const notSeen = [outcomes()[7] as RecordOutcome]
    expect(outcomeDiagnostics(notSeen, 'ids', 'failure')[0]?.severity).toBe('error')
    expect(outcomeDiagnostics(notSeen, 'ids', 'warning')[0]?.severity).toBe('warning')
    expect(outcomeDiagnostics(notSeen, 'ids', 'ignore')).toEqual([])
  })

  test('outputs', () => {
    expect(outcomeOutputs(outcomes(), '/tmp/failed.csv')).toEqual({
      created: '1',
      updated: '1',
      disabled: '1',
      enabled: '1',
      skipped: '1',
      warning: '1',
      failed: '1',
      'not-seen': '1',
      'failed-ids': 'E1006',
      'failed-file': '/tmp/failed.csv'
    })
  })

  test('JSON report section round-trips through readPreviousReport', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outcomes-'))
    const list = outcomes()
    const section = [
      ...outcomesSection(
        {
          outcomes: list,
          calls: 4,
          polls: 3,
          recordQueries: 0,
          rounds: 0,
          resubmitted: 0,
          problem: undefined
        },
        { detail: 'ids', timeoutMinutes: 15, failedFile: undefined }
      )
    ].join('')
    const manifest = list.map((o) => ({
      file: o.file,
      line: o.line,
      externalId: o.externalId,
      outcome: 'staged',
      time: '2025-03-10T14:00:00.000Z'
    }))
    const file = path.join(dir, 'report.json')
    writeFileSync(file, `{"version":1,"mode":"apply","manifest":${JSON.stringify(manifest)},${section}}`)
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      outcomes: { totals: Record<string, number>; records: Array<Record<string, unknown>> }
    }
    expect(json.outcomes.totals.failed).toBe(1)
    expect(json.outcomes.records[6]).toMatchObject({
      externalId: 'E1006',
      outcome: 'failed',
      errorCategory: 'nonServiceFailure'
    })
    expect(JSON.stringify(json)).not.toContain('ada')
    // Writeback data: the object id always, the UPN (personal) only with summary-detail: full.
    expect(json.outcomes.records[0]).toMatchObject({ targetId: '0a1b2c3d-0000-4000-8000-00000000e100' })
    expect(JSON.stringify(json)).not.toContain('grace')
    const full = [
      ...outcomesSection(
        {
          outcomes: list,
          calls: 0,
          polls: 0,
          recordQueries: 0,
          rounds: 0,
          resubmitted: 0,
          problem: undefined
        },
        { detail: 'full', timeoutMinutes: 15, failedFile: undefined }
      )
    ].join('')
    expect(JSON.parse(`{${full}}`).outcomes.records[0]).toMatchObject({
      targetId: '0a1b2c3d-0000-4000-8000-00000000e100',
      userPrincipalName: 'grace.hopper@contoso.example'
    })
    const previous = await readPreviousReport(file, 'previous-report', [dir])
    expect(previous.sent).toHaveLength(8)
    expect(previous.sent[0]).toEqual({
      file: 'hr/employees.csv',
      line: 2,
      externalId: 'E1000',
      sentAt: Date.parse('2025-03-10T14:00:00Z')
    })
    expect(previous.failed).toEqual([{ file: 'hr/employees.csv', line: 8, externalId: 'E1006' }])
    await expect(readPreviousReport(path.join(dir, 'nope.json'), 'resend-from', [dir])).rejects.toThrow(
      /Input 'resend-from': cannot read/
    )
    writeFileSync(path.join(dir, 'other.json'), '{"a":1}')
    await expect(readPreviousReport(path.join(dir, 'other.json'), 'previous-report', [dir])).rejects.toThrow(
      /not a report file/
    )
  })
})

describe('failed records CSV', () => {
  test('re-reads the rows by line in the input columns, quoting as needed; names rows it cannot find', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'ws-'))
    mkdirSync(path.join(ws, 'hr'))
    writeFileSync(
      path.join(ws, 'hr', 'a.csv'),
      'id;name;note\nE1;Ada;x\nE2;"Grace\nHopper";"a,b"\nE3;Alan;\n'
    )
    writeFileSync(path.join(ws, 'hr', 'b.jsonl'), '{"id":"C1","team":"ops"}\n')
    const target = path.join(ws, 'out', 'failed.csv')
    const result = await writeFailedCsv(
      target,
      [
        { file: 'hr/a.csv', line: 3, externalId: 'E2' },
        { file: 'hr/a.csv', line: 9, externalId: 'E9' },
        { file: 'hr/b.jsonl', line: 1, externalId: 'C1' },
        { file: 'hr/gone.csv', line: 2, externalId: 'G1' }
      ],
      { workspace: ws, delimiter: 'auto' }
    )
    expect(readFileSync(target, 'utf8')).toBe('id,name,note,team\nE2,"Grace\nHopper","a,b",\nC1,,,ops\n')
    expect(result.rows).toBe(2)
    expect(result.missing.map((m) => m.externalId)).toEqual(['E9', 'G1'])
    expect(csvField(' x')).toBe('" x"')
  })
})

describe('choosing records to send again', () => {
  const plan = {
    batchSize: 2,
    records: ['M', 'A', 'B', 'C'].map((externalId, i) => ({ externalId, line: i + 2 })),
    batches: [{ records: [0, 1] }, { records: [2, 3] }]
  }
  test('keeps the plan order (managers first) in new batches', () => {
    expect(batchesFor(plan as never, new Set(['C', 'M', 'B']), 2)).toEqual([
      { records: [0, 2] },
      { records: [3] }
    ])
    const narrowed = narrowPlan(plan as never, new Set(['C', 'Z']))
    expect((narrowed.plan as typeof plan).batches).toEqual([{ records: [3] }])
    expect(narrowed.missing).toEqual(['Z'])
  })
})
