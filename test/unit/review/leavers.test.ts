import { describe, expect, test } from '@jest/globals'
import { createRequestRenderer } from '../../../src/plan/batches.ts'
import { diffPlans } from '../../../src/review/diff.ts'
import { leaverRecords } from '../../../src/review/leavers.ts'
import { uploadSelection } from '../../../src/review/upload-selection.ts'
import { createRepo } from '../git/repo.ts'
import { MAPPING, csv, plansOf, row } from './helpers.ts'

async function removedRows() {
  const repo = createRepo()
  repo.write('mapping.yml', MAPPING)
  repo.write(
    'hr/people.csv',
    csv(
      row('E1'),
      row('E2', { Manager: 'E1', Title: '"Staff\nEngineer"', Dept: 'Research' }),
      row('E3', { Status: 'Gone' }),
      row('E4'),
      row('E5')
    )
  )
  repo.commit('base')
  repo.write('hr/people.csv', csv(row('E1'), row('E4', { Title: 'Lead' }), row('E5'), row('E6')))
  repo.commit('head')
  const plans = await plansOf(repo, 'main~1')
  return { ...plans, diff: diffPlans(plans.basePlan, plans.headPlan) }
}

function payloads(plan: ReturnType<typeof uploadSelection>['plan']) {
  const render = createRequestRenderer(plan)
  return plan.batches.flatMap(
    (batch) =>
      (JSON.parse(render(batch)) as { Operations: Array<{ bulkId: string; data: Record<string, unknown> }> })
        .Operations
  )
}

describe('leaver policy', () => {
  test('ignore sends nothing for removed rows', async () => {
    const { diff, basePlan, headPlan } = await removedRows()
    expect(leaverRecords(diff, basePlan, headPlan.mappings, 'ignore')).toEqual([])
  })

  test('disable gives the complete last known record with active false; rows already inactive are left out', async () => {
    const { diff, basePlan, headPlan } = await removedRows()
    const leavers = leaverRecords(diff, basePlan, headPlan.mappings, 'disable')
    expect(leavers.map((l) => [l.externalId, l.file, l.line, l.managerId])).toEqual([
      ['E2', 'hr/people.csv', 3, 'E1']
    ])
    expect(leavers[0]?.values).toEqual([
      'E2',
      'e2@contoso.com',
      false,
      'Person E2',
      'Staff\nEngineer',
      'Research',
      'E1',
      undefined
    ])
  })
})

describe('uploadSelection', () => {
  test('changed-only sends exactly the changed records and the disabled leavers, each complete', async () => {
    const { diff, basePlan, headPlan } = await removedRows()
    const selection = uploadSelection(headPlan, { diff, basePlan, leavers: 'disable', changedOnly: true })
    const sent = payloads(selection.plan)
    expect(sent.map((op) => op.bulkId)).toEqual(['E4', 'E6', 'E2'])
    expect(sent[2]?.data).toEqual({
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
      ],
      externalId: 'E2',
      userName: 'e2@contoso.com',
      active: false,
      displayName: 'Person E2',
      title: 'Staff\nEngineer',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
        department: 'Research',
        manager: { value: 'E1' }
      }
    })
    expect(sent[0]?.data).toMatchObject({ externalId: 'E4', title: 'Lead', active: true })
    // Full upload: 4 valid + 1 leaver in batches of 2 = 3 calls; changed-only: 3 records = 2 calls.
    expect(selection).toMatchObject({ records: 3, leavers: 1, calls: { full: 3, planned: 2, saved: 1 } })
  })

  test('changed-only with leavers ignored sends only the changed records of the head', async () => {
    const { diff, basePlan, headPlan } = await removedRows()
    const selection = uploadSelection(headPlan, { diff, basePlan, leavers: 'ignore', changedOnly: true })
    expect(payloads(selection.plan).map((op) => op.bulkId)).toEqual(['E4', 'E6'])
    expect(selection.calls).toEqual({ full: 2, planned: 1, saved: 1 })
  })

  test('a full upload with leavers: disable sends every valid record, then the leaver; managers first', async () => {
    const { diff, basePlan, headPlan } = await removedRows()
    const selection = uploadSelection(headPlan, { diff, basePlan, leavers: 'disable', changedOnly: false })
    expect(payloads(selection.plan).map((op) => op.bulkId)).toEqual(['E1', 'E4', 'E5', 'E6', 'E2'])
    expect(selection.calls.saved).toBe(0)
  })

  test('changed-only sends every record when the mapping reads the clock, and says why', async () => {
    const repo = createRepo()
    repo.write(
      'mapping.yml',
      MAPPING.replace(
        `active: 'Switch([Status], "", "Active", "True", "Gone", "False")'`,
        `active: 'IIF(IsNullOrEmpty([Leave]), "True", IIF(DateDiff("d", Now(), CDate([Leave])) < 0, "False", "True"))'`
      )
    )
    repo.write('hr/people.csv', csv(row('E1'), row('E2'), row('E3', { Leave: '2025-12-01T00:00:00Z' })))
    repo.commit('base')
    repo.write(
      'hr/people.csv',
      csv(row('E1', { Title: 'Lead' }), row('E2'), row('E3', { Leave: '2025-12-01T00:00:00Z' }))
    )
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    const diff = diffPlans(basePlan, headPlan)
    expect(diff.entries.map((e) => e.externalId)).toEqual(['E1'])
    const selection = uploadSelection(headPlan, { diff, basePlan, leavers: 'ignore', changedOnly: true })
    expect(selection.records).toBe(3)
    expect(selection.fullReason).toContain('the mapping reads the clock (Now()) in active')
    expect(payloads(selection.plan).find((op) => op.bulkId === 'E3')?.data.active).toBe(false)
  })

  test('a leaver from a deleted file gets a file entry, so reports can name where it was', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1')))
    repo.write('hr/b.csv', csv(row('B1')))
    repo.commit('base')
    repo.remove('hr/b.csv')
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    const diff = diffPlans(basePlan, headPlan)
    const selection = uploadSelection(headPlan, { diff, basePlan, leavers: 'disable', changedOnly: true })
    const record = selection.plan.records[selection.plan.batches[0]!.records[0]!]!
    expect(selection.plan.files[record.fileIndex]).toMatchObject({ file: 'hr/b.csv', records: 0 })
    expect(record).toMatchObject({ externalId: 'B1', line: 2, status: 'valid' })
    expect(headPlan.records).toHaveLength(1)
  })
})
