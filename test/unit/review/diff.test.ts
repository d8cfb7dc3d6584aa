import { describe, expect, test } from '@jest/globals'
import { diffPlans } from '../../../src/review/diff.ts'
import { createRepo } from '../git/repo.ts'
import { MAPPING, csv, plansOf, row } from './helpers.ts'

const LEAVE = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:employeeLeaveDateTime'
const DEPARTMENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'

function summarize(entries: ReturnType<typeof diffPlans>['entries']) {
  return entries.map((e) => [
    e.class,
    e.externalId,
    `${e.file}:${e.line}`,
    e.reason,
    e.changes.map((c) => c.path)
  ])
}

describe('diffPlans on real git history', () => {
  test('classes joiners, movers, leavers (removed, deactivated, leave date), rehires and unchanged', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write(
      'hr/people.csv',
      csv(
        row('E1', { Title: '"Head of\nEngineering"' }),
        row('E2', { Manager: 'E1' }),
        row('E3'),
        row('E4'),
        row('E5'),
        row('E6', { Status: 'Gone' }),
        row('E7'),
        row('E10')
      )
    )
    repo.commit('base')
    repo.write(
      'hr/people.csv',
      csv(
        row('E1', { Title: '"Head of\nEngineering"' }),
        row('E2', { Manager: 'E1', Title: 'Senior Engineer' }),
        row('E4', { Status: 'Gone' }),
        row('E5', { Leave: '2026-03-31T00:00:00Z' }),
        row('E6'),
        row('E7'),
        row('E8'),
        row('E9', { Upn: 'not a upn' }),
        row('E10', { Upn: 'broken' })
      )
    )
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'HEAD~1')
    const diff = diffPlans(basePlan, headPlan)
    expect(summarize(diff.entries)).toEqual([
      ['mover', 'E2', 'hr/people.csv:4', undefined, ['title']],
      ['leaver', 'E4', 'hr/people.csv:5', 'deactivated', ['active']],
      ['leaver', 'E5', 'hr/people.csv:6', 'leave-date', [LEAVE]],
      ['rehire', 'E6', 'hr/people.csv:7', undefined, ['active']],
      ['joiner', 'E8', 'hr/people.csv:9', undefined, []],
      ['leaver', 'E3', 'hr/people.csv:5', 'removed', []]
    ])
    expect(diff.counts).toEqual({
      joiners: 1,
      movers: 1,
      leavers: 3,
      rehires: 1,
      unchanged: 2,
      invalid: 2,
      ignored: 0,
      population: 8,
      headValid: 7
    })
    expect(diff.invalid).toEqual([
      { file: 'hr/people.csv', line: 10, externalId: 'E9', wasValid: false },
      { file: 'hr/people.csv', line: 11, externalId: 'E10', wasValid: true }
    ])
    const mover = diff.entries[0]!
    expect(mover.base).toEqual({ file: 'hr/people.csv', line: 4 })
    expect(mover.changes).toEqual([
      { path: 'title', before: 'Engineer', after: 'Senior Engineer', secret: false }
    ])
    expect(diff.entries.find((e) => e.externalId === 'E3')).toMatchObject({
      headRecord: undefined,
      wasActive: true,
      base: { file: 'hr/people.csv', line: 5 }
    })
    expect(diff.files).toEqual([
      {
        file: 'hr/people.csv',
        baseRecords: 8,
        headRecords: 9,
        joiners: 1,
        movers: 1,
        leavers: 3,
        rehires: 1,
        unchanged: 2,
        invalid: 2
      }
    ])
    expect(diff.attributes).toEqual([
      { path: 'active', changed: 2 },
      { path: 'title', changed: 1 },
      { path: LEAVE, changed: 1 }
    ])
  })

  test('edits of multi-line quoted rows change only the edited record, whatever the lines do', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write(
      'hr/people.csv',
      csv(
        row('E1', { Title: '"Head of\nEngineering"' }),
        row('E2', { Name: '"Turing, Alan"', Title: '"Principal\nEngineer\n(Research)"' }),
        row('E3', { Dept: 'Sales' }),
        row('E4')
      )
    )
    repo.commit('base')
    repo.write(
      'hr/people.csv',
      csv(
        // same value, quoted differently and on one line now: no change
        row('E1', { Title: '"Head of\nEngineering"', Dept: '"Engineering"' }),
        // a line added inside a quoted cell: only E2 changes, and every later record moves down one line
        row('E2', { Name: '"Turing, Alan"', Title: '"Principal\nEngineer\n\n(Research)"' }),
        row('E3', { Dept: '"Sales"' }),
        row('E4')
      )
    )
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    const diff = diffPlans(basePlan, headPlan)
    expect(summarize(diff.entries)).toEqual([['mover', 'E2', 'hr/people.csv:4', undefined, ['title']]])
    expect(diff.counts.unchanged).toBe(3)
    expect(diff.entries[0]?.base).toEqual({ file: 'hr/people.csv', line: 4 })
    expect(headPlan.records.map((r) => r.line)).toEqual([2, 4, 8, 9])
    expect(basePlan.records.map((r) => r.line)).toEqual([2, 4, 7, 8])
  })

  test('reordered rows, and a row moved to another file, are no change', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1'), row('E2', { Title: '"Multi\nline"' }), row('E3'), row('E4')))
    repo.write('hr/b.csv', csv(row('C1')))
    repo.commit('base')
    repo.write('hr/a.csv', csv(row('E4'), row('E3'), row('E2', { Title: '"Multi\nline"' })))
    repo.write('hr/b.csv', csv(row('C1'), row('E1')))
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    const diff = diffPlans(basePlan, headPlan)
    expect(diff.entries).toEqual([])
    expect(diff.counts.unchanged).toBe(5)
  })

  test('a file absent at the base makes every record a joiner', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1')))
    repo.commit('base')
    repo.write('hr/contractors.csv', csv(row('C1'), row('C2')))
    repo.commit('head')
    const { basePlan, headPlan, base } = await plansOf(repo, 'main~1')
    expect(base.absent).toEqual(['hr/contractors.csv'])
    const diff = diffPlans(basePlan, headPlan)
    expect(summarize(diff.entries)).toEqual([
      ['joiner', 'C1', 'hr/contractors.csv:2', undefined, []],
      ['joiner', 'C2', 'hr/contractors.csv:3', undefined, []]
    ])
    expect(diff.files.map((f) => [f.file, f.baseRecords, f.headRecords])).toEqual([
      ['hr/a.csv', 1, 1],
      ['hr/contractors.csv', undefined, 2]
    ])
  })

  test('a file deleted since the base, and selected by the patterns, makes its rows leavers', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1')))
    repo.write('hr/interns.csv', csv(row('I1'), row('I2', { Status: 'Gone' })))
    repo.write('hr/archive/old.csv', csv(row('X1')))
    repo.commit('base')
    repo.remove('hr/interns.csv')
    repo.remove('hr/archive/old.csv')
    repo.commit('head')
    const { basePlan, headPlan, base } = await plansOf(repo, 'main~1', 'hr/*.csv')
    expect(base.deleted).toEqual(['hr/interns.csv'])
    const diff = diffPlans(basePlan, headPlan)
    expect(diff.entries.map((e) => [e.externalId, e.reason, e.wasActive])).toEqual([
      ['I1', 'removed', true],
      ['I2', 'removed', false]
    ])
    expect(diff.files.find((f) => f.file === 'hr/interns.csv')).toMatchObject({
      baseRecords: 2,
      headRecords: undefined
    })
  })

  test('the base is mapped with its own mapping file: a mapping change shows where the payload changes', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1', { Dept: 'Sales' }), row('E2', { Dept: '' })))
    repo.commit('base')
    repo.write('mapping.yml', MAPPING.replace(`'[Dept]'`, `'Switch([Dept], [Dept], "Sales", "Revenue")'`))
    repo.commit('head')
    const { basePlan, headPlan, base } = await plansOf(repo, 'main~1')
    expect(base.mappingSources[0]).toBe('base')
    const diff = diffPlans(basePlan, headPlan)
    expect(summarize(diff.entries)).toEqual([['mover', 'E1', 'hr/a.csv:2', undefined, [DEPARTMENT]]])
    expect(diff.entries[0]?.changes[0]).toMatchObject({ before: 'Sales', after: 'Revenue' })
  })

  test('attributes made with Guid or RandomString are not compared; Redact marks changes secret', async () => {
    const repo = createRepo()
    const mapping =
      MAPPING +
      `  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:Token: 'Guid()'\n` +
      `  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:Badge: 'Redact([Name])'\n`
    repo.write('mapping.yml', mapping)
    repo.write('hr/a.csv', csv(row('E1'), row('E2')))
    repo.commit('base')
    repo.write('hr/a.csv', csv(row('E1'), row('E2', { Name: 'Renamed' })))
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    const diff = diffPlans(basePlan, headPlan)
    expect(diff.counts.unchanged).toBe(1)
    expect(diff.entries[0]?.changes.map((c) => [c.path.split(':').pop(), c.secret])).toEqual([
      ['displayName', false],
      ['Badge', true]
    ])
  })

  test('without a base plan every valid record is a joiner', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1'), row('E2')))
    repo.commit('base')
    const { headPlan } = await plansOf(repo, 'main')
    const diff = diffPlans(undefined, headPlan)
    expect(diff.entries.map((e) => e.class)).toEqual(['joiner', 'joiner'])
    expect(diff.counts.population).toBe(0)
    expect(diff.files[0]).toMatchObject({ baseRecords: undefined, headRecords: 2 })
  })
})
