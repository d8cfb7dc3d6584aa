/**
 * Folding a record's log entries into one outcome, with the entries in every order: whole-second times tie, and the
 * order the logs are read in must never change the outcome.
 */
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseLogEntry, pollLogs, type LogEntry, type PollResult } from '../../src/graph/logs.ts'
import { collectOutcomes } from '../../src/outcomes/collect.ts'
import { orderEntries } from '../../src/outcomes/fold.ts'
import { toOutcome, type RecordOutcome } from '../../src/outcomes/outcome.ts'
import { HIDDEN_TEXT, publicNote } from '../../src/outcomes/privacy.ts'
import { fakeTime } from './graph/fake-time.ts'

const T = Date.parse('2026-01-05T09:30:48Z')
const sent = (externalId: string) => ({ file: 'hr/people.csv', line: 2, externalId, sentAt: T - 60_000 })

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])
  )
}

/** A raw entry as the service writes it (only the fields the fold reads). */
function raw(
  id: string,
  seconds: number,
  fields: {
    change: string
    action?: string
    status?: string
    steps?: Array<Record<string, unknown>>
    modified?: string[]
    error?: Record<string, unknown>
    target?: string
  }
): LogEntry {
  const entry = parseLogEntry({
    id,
    activityDateTime: new Date(T + seconds * 1000).toISOString().replace('.000Z', 'Z'),
    changeId: fields.change,
    cycleId: 'cycle-1',
    provisioningAction: fields.action ?? 'create',
    provisioningStatusInfo: { status: fields.status ?? 'success', errorInformation: fields.error ?? null },
    sourceIdentity: { id: 'E1', displayName: '', details: {} },
    targetIdentity: {
      id: fields.target ?? '',
      details: fields.target ? { UserPrincipalName: `${fields.target}@contoso.example` } : {}
    },
    provisioningSteps: fields.steps ?? [importStep],
    modifiedProperties: (fields.modified ?? []).map((p) => ({
      displayName: p,
      oldValue: null,
      newValue: 'x'
    }))
  })
  if (!entry) throw new Error('bad test entry')
  return entry
}

const importStep = { name: 'EntryImportAdd', provisioningStepType: 'import', status: 'success', details: {} }
const exportUpdate = {
  name: 'EntryExportUpdate',
  provisioningStepType: 'export',
  status: 'success',
  details: {}
}
const managerSkip = (manager: string) => ({
  name: 'EntrySynchronizationSkip',
  provisioningStepType: 'processing',
  status: 'success',
  description: `We were unable to assign ${manager} as the manager of someone@contoso.example.`,
  details: {
    [manager]: 'manager Add',
    PropertyName: 'manager',
    SkipReason: 'UnableToResolveReferenceAttributeValue'
  }
})
const transient = { errorCode: 'ServiceUnavailable', errorCategory: 'failure', reason: 'busy' }

/** The outcome of the entries in every order: all orders must agree; returns that outcome. */
function foldEveryOrder(entries: LogEntry[]): RecordOutcome {
  const results = permutations(entries).map((order) => toOutcome(sent('E1'), order))
  for (const result of results) expect(result).toEqual(results[0])
  return results[0] as RecordOutcome
}

describe('folding the entries of a record', () => {
  test('a create followed by the manager-setting update of the same change is created, even at the same second', () => {
    for (const updateAt of [0, 1, 2]) {
      const outcome = foldEveryOrder([
        raw('create', 0, { change: 'ch1', steps: [importStep, managerSkip('M1')], target: 'u1' }),
        raw('update', updateAt, {
          change: 'ch1',
          action: 'update',
          steps: [exportUpdate],
          modified: ['manager'],
          target: 'u1'
        })
      ])
      expect(outcome).toMatchObject({ outcome: 'created', action: 'create', logId: 'create', targetId: 'u1' })
      expect(outcome.note).toBeUndefined()
    }
  })

  test('a skipped manager that no later entry sets is a warning naming the property and the value', () => {
    const outcome = foldEveryOrder([
      raw('create', 0, { change: 'ch1', steps: [importStep, managerSkip('10010')], target: 'u1' })
    ])
    expect(outcome).toMatchObject({
      outcome: 'warning',
      action: 'create',
      status: 'success',
      note: 'manager 10010 not set: not provisioned or out of scope',
      targetId: 'u1',
      userPrincipalName: 'u1@contoso.example'
    })
  })

  test('an update of another property does not heal the skipped manager', () => {
    const outcome = foldEveryOrder([
      raw('create', 0, { change: 'ch1', steps: [importStep, managerSkip('M9')] }),
      raw('update', 1, { change: 'ch1', action: 'update', steps: [exportUpdate], modified: ['jobTitle'] })
    ])
    expect(outcome).toMatchObject({
      outcome: 'warning',
      note: 'manager M9 not set: not provisioned or out of scope'
    })
  })

  test('a later change applied without the skip heals it; one that skips it again does not', () => {
    const healed = foldEveryOrder([
      raw('first', 0, { change: 'ch1', steps: [importStep, managerSkip('M1')] }),
      raw('second', 3, { change: 'ch2', action: 'update', modified: ['jobTitle'] })
    ])
    expect(healed).toMatchObject({ outcome: 'updated', logId: 'second' })
    const again = foldEveryOrder([
      raw('first', 0, { change: 'ch1', steps: [importStep, managerSkip('M1')] }),
      raw('second', 3, { change: 'ch2', action: 'update', steps: [importStep, managerSkip('M1')] })
    ])
    expect(again).toMatchObject({ outcome: 'warning', logId: 'second' })
  })

  test('a failure healed by a later success (a re-send) is that success', () => {
    const outcome = foldEveryOrder([
      raw('failed', 0, { change: 'ch1', status: 'failure', error: transient }),
      raw('again', 4, { change: 'ch2', target: 'u1' })
    ])
    expect(outcome).toMatchObject({ outcome: 'created', logId: 'again', targetId: 'u1' })
    expect(outcome.errorCode).toBeUndefined()
  })

  test('a failure after the last success is failed, with its error', () => {
    const outcome = foldEveryOrder([
      raw('created', 0, { change: 'ch1', target: 'u1' }),
      raw('failed', 5, { change: 'ch2', action: 'update', status: 'failure', error: transient, target: 'u1' })
    ])
    expect(outcome).toMatchObject({
      outcome: 'failed',
      logId: 'failed',
      errorCode: 'ServiceUnavailable',
      errorCategory: 'failure',
      targetId: 'u1'
    })
  })

  test('a failed follow-up (the manager could not be written) after the create is failed', () => {
    const outcome = foldEveryOrder([
      raw('create', 0, { change: 'ch1', steps: [importStep, managerSkip('M1')] }),
      raw('update', 0, {
        change: 'ch1',
        action: 'update',
        status: 'failure',
        steps: [exportUpdate],
        error: transient
      })
    ])
    expect(outcome).toMatchObject({ outcome: 'failed', logId: 'update' })
  })

  test('two changes at the same second: the create first, and a failure counts as the later', () => {
    expect(
      foldEveryOrder([
        raw('create', 0, { change: 'zz', target: 'u1' }),
        raw('update', 0, { change: 'aa', action: 'update', target: 'u1' })
      ])
    ).toMatchObject({ outcome: 'updated', logId: 'update' })
    expect(
      foldEveryOrder([
        raw('ok', 0, { change: 'zz', action: 'update' }),
        raw('failed', 0, { change: 'aa', action: 'update', status: 'failure', error: transient })
      ])
    ).toMatchObject({ outcome: 'failed', logId: 'failed' })
  })

  test('no change (RedundantExport) is skipped, not a warning; out of scope is skipped and skips nothing', () => {
    const redundant = {
      name: 'EntrySynchronizationSkip',
      provisioningStepType: 'matching',
      status: 'skipped',
      details: { SkipReason: 'RedundantExport' }
    }
    expect(
      foldEveryOrder([
        raw('same', 0, { change: 'ch1', action: 'other', status: 'skipped', steps: [importStep, redundant] })
      ])
    ).toMatchObject({ outcome: 'skipped', note: 'no change' })
    const scoping = {
      name: 'EntrySynchronizationScoping',
      provisioningStepType: 'scoping',
      status: 'skipped',
      details: { 'Scoping filter evaluation passed': 'False' }
    }
    const notEntitled = { ...redundant, details: { SkipReason: 'NotEffectivelyEntitled' } }
    expect(
      foldEveryOrder([
        raw('out', 0, {
          change: 'ch1',
          action: 'other',
          status: 'skipped',
          steps: [importStep, scoping, notEntitled]
        })
      ])
    ).toMatchObject({ outcome: 'skipped', note: 'out of scope' })
  })

  test('sent again without change while the manager still cannot be resolved: a warning, not a clean skip', () => {
    const redundant = {
      name: 'EntrySynchronizationSkip',
      provisioningStepType: 'matching',
      status: 'skipped',
      details: { SkipReason: 'RedundantExport' }
    }
    expect(
      foldEveryOrder([
        raw('same', 0, {
          change: 'ch1',
          action: 'other',
          status: 'skipped',
          steps: [importStep, managerSkip('X404'), redundant]
        })
      ])
    ).toMatchObject({
      outcome: 'warning',
      action: 'other',
      note: 'manager X404 not set: not provisioned or out of scope'
    })
  })

  test('a skip without a property name in an applied entry is a warning naming the reason', () => {
    const odd = {
      name: 'EntrySynchronizationSkip',
      provisioningStepType: 'processing',
      status: 'success',
      details: { SkipReason: 'SomethingNew' }
    }
    expect(foldEveryOrder([raw('x', 0, { change: 'ch1', steps: [importStep, odd] })])).toMatchObject({
      outcome: 'warning',
      note: 'a value not set (SomethingNew)'
    })
  })

  test('summary-detail ids: the property and a manager id that looks like one; other skipped values only in full', () => {
    const warn = (steps: Array<Record<string, unknown>>) =>
      toOutcome(sent('E1'), [raw('x', 0, { change: 'ch1', steps: [importStep, ...steps] })])
    const manager = warn([managerSkip('E0999')])
    expect(publicNote(manager, false)).toBe('manager E0999 not set: not provisioned or out of scope')
    const odd = warn([managerSkip('ada lovelace@contoso.example')])
    expect(publicNote(odd, false)).toBe(`manager ${HIDDEN_TEXT} not set: not provisioned or out of scope`)
    expect(publicNote(odd, true)).toContain('ada lovelace@contoso.example')
    const other = warn([
      {
        name: 'EntrySynchronizationSkip',
        provisioningStepType: 'processing',
        status: 'success',
        details: {
          'Ada Lovelace': 'displayName Add',
          PropertyName: 'displayName',
          SkipReason: 'SomethingNew'
        }
      }
    ])
    expect(publicNote(other, false)).toBe('displayName not set (SomethingNew)')
    expect(publicNote(other, true)).toBe("displayName 'Ada Lovelace' not set (SomethingNew)")
  })

  test('the order by meaning: create before its update, changes by their first second', () => {
    const entries = [
      raw('u2', 2, { change: 'ch2', action: 'update' }),
      raw('f1', 1, { change: 'ch1', action: 'update', steps: [exportUpdate] }),
      raw('c1', 1, { change: 'ch1' })
    ]
    for (const order of permutations(entries))
      expect(orderEntries(order).map((e) => e.id)).toEqual(['c1', 'f1', 'u2'])
  })
})

describe('the capture-shaped fixture (three records sent together)', () => {
  const fixture = JSON.parse(
    readFileSync(
      path.join(import.meta.dirname, '..', 'fixtures', 'provisioning-logs', 'capture-shape.json'),
      'utf8'
    )
  ) as { value: unknown[] }
  const entries = fixture.value.map((v) => parseLogEntry(v) as LogEntry)

  test('parses like the service writes it: beta and v1.0 names, follow-up, skip step, target user', () => {
    expect(entries.map((e) => [e.externalId, e.action, e.status, e.followUp])).toEqual([
      ['20018', 'update', 'success', true],
      ['20018', 'create', 'success', false],
      ['20019', 'create', 'success', false],
      ['20020', 'create', 'success', false]
    ])
    expect(entries[3]?.skips).toEqual([
      { property: 'manager', value: '20010', reason: 'UnableToResolveReferenceAttributeValue' }
    ])
    expect(entries[0]?.setProperties).toEqual(['manager'])
  })

  test('A (manager B, sent together) and B are created, C (manager absent) is a warning naming the manager, in every read order', async () => {
    const records = ['20018', '20019', '20020'].map((id, i) => ({ ...sent(id), line: i + 2 }))
    let first: RecordOutcome[] | undefined
    for (const order of permutations(entries)) {
      const grouped = new Map<string, LogEntry[]>()
      for (const e of order) grouped.set(e.externalId, [...(grouped.get(e.externalId) ?? []), e])
      const poll: PollResult = {
        entries: grouped,
        calls: 1,
        polls: 1,
        recordQueries: 0,
        problem: undefined,
        operator: 'gt',
        finishedAt: 0
      }
      const result = await collectOutcomes({
        sent: records,
        poll: async () => poll,
        resubmitAttempts: 0,
        log: { info: () => undefined, warn: () => undefined }
      })
      first ??= result.outcomes
      expect(result.outcomes).toEqual(first)
    }
    expect(first?.map((o) => [o.externalId, o.outcome, o.note])).toEqual([
      ['20018', 'created', undefined],
      ['20019', 'created', undefined],
      ['20020', 'warning', 'manager 20010 not set: not provisioned or out of scope']
    ])
    expect(first?.[0]).toMatchObject({
      targetId: '11111111-aaaa-4aaa-8aaa-000000020018',
      userPrincipalName: 'testa482@contoso.example'
    })
  })

  test('read newest first, as one page of the beta endpoint, through the poll', async () => {
    const time = fakeTime(T + 10 * 60_000)
    // A reader that answers the fixture page (the reading itself — paging, pacing, filters — is tested elsewhere).
    const reader = {
      operator: 'gt' as const,
      query: async () => ({ calls: 1, entries: fixture.value.map((v) => parseLogEntry(v) as LogEntry) })
    }
    const records = ['20018', '20019', '20020'].map((id) => sent(id))
    const waitCap = { maxWaitMs: 1 } // spread: the poll's options may drop this knob
    const result = await collectOutcomes({
      sent: records,
      poll: (awaited, ignoreIds, readyAt) =>
        pollLogs({
          reader,
          records: awaited,
          ignoreIds,
          overlapMs: 120_000,
          timeoutMs: 0,
          initialDelayMs: 0,
          readyAt,
          intervalMs: 1000,
          intervalFactor: 1,
          maxIntervalMs: 1000,
          maxRecordQueries: 0,
          ...waitCap,
          ...time,
          log: { info: () => undefined, debug: () => undefined }
        }),
      resubmitAttempts: 0,
      log: { info: () => undefined, warn: () => undefined }
    })
    expect(result.calls).toBe(1)
    expect(result.outcomes.map((o) => [o.externalId, o.outcome, o.note])).toEqual([
      ['20018', 'created', undefined],
      ['20019', 'created', undefined],
      ['20020', 'warning', 'manager 20010 not set: not provisioned or out of scope']
    ])
  })
})
