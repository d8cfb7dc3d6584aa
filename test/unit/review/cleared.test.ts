/**
 * A value emptied in HR shows in the review as what it does in Entra (issue 10 point 5): cleared with
 * empty-values clear, emptied but not sent (Entra keeps it) with omit or for attributes never cleared.
 */
import { expect, test } from '@jest/globals'
import { checkGates, gateFigures } from '../../../src/review/gates.ts'
import { diffPlans } from '../../../src/review/diff.ts'
import { renderReviewSummary } from '../../../src/review/review-markdown.ts'
import { createRepo } from '../git/repo.ts'
import { MAPPING, csv, plansOf, row } from './helpers.ts'

test('an emptied title and department are cleared; an emptied manager is not sent', async () => {
  const repo = createRepo()
  repo.write('mapping.yml', MAPPING)
  repo.write('hr/people.csv', csv(row('E1'), row('E2', { Manager: 'E1' })))
  repo.commit('base')
  repo.write('hr/people.csv', csv(row('E1'), row('E2', { Title: '', Dept: '' })))
  repo.commit('head')
  const { basePlan, headPlan } = await plansOf(repo, 'HEAD~1')
  const changesOf = () =>
    diffPlans(basePlan, headPlan).entries.map((e) => e.changes.map((c) => [c.path, c.emptied]))

  headPlan.emptyValues = 'clear'
  const DEPARTMENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'
  const MANAGER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'
  expect(changesOf()).toEqual([
    [
      ['title', 'cleared'],
      [DEPARTMENT, 'cleared'],
      [MANAGER, 'not-sent']
    ]
  ])
  const diff = diffPlans(basePlan, headPlan)
  const gates = checkGates(
    gateFigures(diff, 'ignore'),
    {
      maxDisables: 10,
      maxDisablesPercent: 100,
      maxChangesPercent: 100,
      maxShrinkPercent: 100,
      allowMassChanges: true
    },
    { stage: 'review' }
  )
  const repository = { serverUrl: 'https://github.com', repo: '', sha: '' }
  const ids = renderReviewSummary(diff, {
    detail: 'ids',
    repository,
    base: undefined,
    leavers: 'ignore',
    gates
  })
  expect(ids).toContain('title (cleared)')
  expect(ids).toContain('manager (emptied, not sent: Entra keeps its value)')
  const full = renderReviewSummary(diff, {
    detail: 'full',
    repository,
    base: undefined,
    leavers: 'ignore',
    gates
  })
  expect(full).toContain('title: “Engineer” → *cleared*')

  headPlan.emptyValues = 'omit'
  expect(changesOf()[0]?.map(([, emptied]) => emptied)).toEqual(['not-sent', 'not-sent', 'not-sent'])
})
