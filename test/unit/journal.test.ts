import { describe, expect, test } from '@jest/globals'
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Cancelled, cancellableSleep, cancellationOnSignals } from '../../src/apply/cancel.ts'
import { cutShort, openJournal, stagedInJournal } from '../../src/apply/journal.ts'
import type { RequestOutcome } from '../../src/apply/upload-result.ts'
import { readResumePoint, resumePlan } from '../../src/outcomes/resume.ts'
import { EventEmitter } from 'node:events'

function outcome(request: number, staged: boolean, at = Date.UTC(2026, 0, 1)): RequestOutcome {
  return {
    request,
    records: 2,
    outcome: staged ? 'staged' : 'not-sent',
    status: staged ? 202 : 400,
    requestId: `r${request}`,
    clientRequestId: `c${request}`,
    at,
    attempts: 1,
    ...(staged ? {} : { kind: 'rejected' as const, reason: 'Graph refused the request' })
  }
}

describe('manifest journal', () => {
  test('one flushed line per answer; a line cut short by a kill is skipped; outcomes never sent are not answers', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'journal-')), 'run.manifest.jsonl')
    const journal = openJournal(file, { startedAt: '2026-01-01T00:00:00.000Z', requests: 3, records: 6 })
    journal.record(outcome(0, true), ['E1', 'E2'])
    // Read while still open: each answer is on disk as soon as it is recorded.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2)
    journal.record(outcome(1, false), ['E3', 'E4'])
    journal.record({ ...outcome(2, false), attempts: 0 }, ['E5', 'E6'])
    journal.close()
    appendFileSync(file, '{"request":2,"outcome":"staged","externalIds":["E5"')
    const staged = stagedInJournal(readFileSync(file, 'utf8'), file)
    expect([...staged.keys()]).toEqual(['E1', 'E2'])
    expect(staged.get('E1')).toBe(Date.UTC(2026, 0, 1))
    expect(() => stagedInJournal('{"version":1}\n', 'x.jsonl')).toThrow('not a manifest journal')
  })

  test('resume: staged records leave the batches (kept for the outcomes, with their file and line), the rest is sent', () => {
    const plan = {
      batchSize: 2,
      files: [{ file: 'hr/a.csv' }],
      records: ['E1', 'E2', 'E3'].map((externalId, i) => ({ externalId, fileIndex: 0, line: i + 2 })),
      batches: [{ records: [0, 1] }, { records: [2] }]
    }
    const resumed = resumePlan(plan as unknown as Parameters<typeof resumePlan>[0], {
      file: 'x',
      staged: new Map([
        ['E2', 5],
        ['E9', 6]
      ])
    })
    expect(resumed.plan.batches).toEqual([{ records: [0, 2] }])
    expect(resumed.staged).toEqual([{ file: 'hr/a.csv', line: 3, externalId: 'E2', sentAt: 5 }])
    expect(resumed.missing).toEqual(['E9'])
  })

  test('cut short after the grace period: answers kept, the rest not confirmed', () => {
    const result = cutShort([{ records: [0, 1] }, { records: [2, 3] }], [outcome(0, true)], {
      reason: 'SIGTERM',
      startedAt: 1,
      finishedAt: 2,
      budget: undefined
    })
    expect(result.totals).toMatchObject({ sent: 2, notSent: 2 })
    expect(result.stopped?.kind).toBe('cancelled')
    expect(result.requests[1]?.reason).toMatch(/^not confirmed: the run was cancelled \(SIGTERM\)/)
  })
})

describe('resume points', () => {
  test('a folder of manifests (one per earlier attempt) adds up; a missing path is nothing to resume', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'previous-'))
    for (const [attempt, ids] of [
      [1, ['E1']],
      [2, ['E2', 'E3']]
    ] as const) {
      const journal = openJournal(path.join(folder, `m-${attempt}`, 'entra-hr-sync-sync.manifest.jsonl'), {
        startedAt: '2026-01-01T00:00:00.000Z',
        requests: 1,
        records: ids.length
      })
      journal.record(outcome(0, true), ids)
      journal.close()
    }
    const point = await readResumePoint(folder, [folder])
    expect(point.files).toHaveLength(2)
    expect([...point.staged.keys()].sort()).toEqual(['E1', 'E2', 'E3'])
    expect((await readResumePoint(path.join(folder, 'absent'), [folder])).files).toEqual([])
    // Only inside the workspace or RUNNER_TEMP, like every path from an input.
    await expect(readResumePoint(path.join(folder, '..', 'elsewhere'), [folder])).rejects.toThrow(/outside/)
  })
})

describe('cancellation', () => {
  test('the first SIGINT or SIGTERM cancels; a sleep in progress ends at once with Cancelled', async () => {
    const process = new EventEmitter()
    const signal = cancellationOnSignals(process as never)
    const sleep = cancellableSleep(() => new Promise<void>(() => undefined), signal)
    const waiting = sleep(60_000)
    process.emit('SIGTERM')
    process.emit('SIGINT')
    await expect(waiting).rejects.toBeInstanceOf(Cancelled)
    expect(signal.reason).toBe('SIGTERM')
    await expect(sleep(1)).rejects.toThrow('the run was cancelled (SIGTERM)')
  })
})
