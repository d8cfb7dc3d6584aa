import { describe, expect, test } from '@jest/globals'
import { checkGates, gateFigures } from '../../../src/review/gates.ts'
import { reviewAnnotations, reviewDiagnostics } from '../../../src/review/change-annotations.ts'
import { diffPlans } from '../../../src/review/diff.ts'
import { reviewChanges } from '../../../src/review/review-changes.ts'
import { renderReviewSummary, type ReviewSummaryOptions } from '../../../src/review/review-markdown.ts'
import { expectGolden } from '../../helpers/golden.ts'
import { createRepo } from '../git/repo.ts'
import { MAPPING, csv, plansOf, row } from './helpers.ts'

const repository = { serverUrl: 'https://github.com', repo: 'contoso/hr-data', sha: '0123abcd' }
const base = { ref: 'main', sha: 'fedcba9876543210fedcba9876543210fedcba98' }
const LIMITS = { maxDisables: 1, maxDisablesPercent: 50, maxChangesPercent: 30, maxShrinkPercent: 10 }

async function changed() {
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
      row('E7')
    )
  )
  repo.write('hr/contractors.csv', csv(row('C1'), row('C2')))
  repo.commit('base')
  repo.write(
    'hr/people.csv',
    csv(
      row('E1', { Title: '"Head of\nEngineering"' }),
      row('E2', { Manager: 'E1', Title: '"<b>Lead</b> | *R&D*"', Name: '"Zoë [x](y)"' }),
      row('E4', { Status: 'Gone' }),
      row('E5', { Leave: '2026-03-31T00:00:00Z' }),
      row('E6'),
      row('E7'),
      row('E8_new', { Name: '"Grace `Hopper`"' }),
      row('E9', { Upn: 'broken' })
    )
  )
  repo.write('hr/contractors.csv', csv(row('C1')))
  repo.commit('head')
  const plans = await plansOf(repo, 'main~1')
  const diff = diffPlans(plans.basePlan, plans.headPlan)
  const gates = checkGates(
    gateFigures(diff, 'disable'),
    { ...LIMITS, allowMassChanges: false },
    { stage: 'review' }
  )
  return { ...plans, diff, gates }
}

function options(extra: Partial<ReviewSummaryOptions> = {}): ReviewSummaryOptions {
  return { detail: 'ids', repository, base, leavers: 'disable', mode: 'plan', ...extra }
}

describe('renderReviewSummary', () => {
  test('ids: counts, gates, files, and per-class tables with attribute names, no values', async () => {
    const { diff, gates, headPlan } = await changed()
    const markdown = renderReviewSummary(diff, options({ gates, headPlan }))
    expectGolden('review-summary.md', markdown)
    expect(markdown).not.toContain('Lead')
    expect(markdown).not.toContain('Person')
    expect(markdown).not.toContain('Hopper')
  })

  test('full: old → new values and the joiners’ values, escaped', async () => {
    const { diff, gates, headPlan } = await changed()
    const markdown = renderReviewSummary(diff, options({ gates, headPlan, detail: 'full' }))
    expectGolden('review-summary-full.md', markdown)
    expect(markdown).not.toContain('<b>')
    expect(markdown).toContain('&lt;b&gt;Lead&lt;/b&gt; \\| \\*R&amp;D\\*')
  })

  test('stays within the byte budget and says what it left out', async () => {
    const { diff, headPlan } = await changed()
    const markdown = renderReviewSummary(diff, options({ headPlan, budgetBytes: 2600 }))
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(2600)
    expect(markdown).toContain('not shown**: the summary reached its size limit')
    expectGolden('review-summary-trimmed.md', markdown)
  })

  test('no change, no base', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/a.csv', csv(row('E1')))
    repo.commit('base')
    const { basePlan, headPlan } = await plansOf(repo, 'main', 'hr/a.csv')
    const same = renderReviewSummary(
      diffPlans(basePlan, headPlan),
      options({ repository: { ...repository, repo: '' } })
    )
    expect(same).toContain('No record would change.')
    expect(same).toContain('Compared with main (fedcba987654)')
    const none = renderReviewSummary(diffPlans(undefined, headPlan), options({ base: undefined }))
    expect(none).toContain('No base to compare with: every valid record counts as a joiner.')
    const sha = 'fedcba9876543210fedcba9876543210fedcba98'
    const bySha = renderReviewSummary(diffPlans(basePlan, headPlan), options({ base: { ref: sha, sha } }))
    expect(bySha).toContain(
      `Compared with commit [fedcba987654](https://github.com/contoso/hr-data/commit/${sha}), record by record`
    )
    expect(bySha).not.toContain('with (')
  })
})

describe('reviewAnnotations', () => {
  test('notices on the changed lines, leavers first, naming attributes but no values', async () => {
    const { diff } = await changed()
    const annotations = reviewAnnotations(diff)
    expect(annotations.map((a) => [a.title, a.file, a.line, a.message])).toEqual([
      ['Leaver', 'hr/people.csv', 5, 'externalId E4: active turned false (leaver); changes active'],
      [
        'Leaver',
        'hr/people.csv',
        6,
        'externalId E5: leave date set (leaver); changes urn:ietf:params:scim:schemas:extension:contoso:1.0:User:employeeLeaveDateTime'
      ],
      [
        'Leaver',
        'hr/contractors.csv',
        undefined,
        'externalId C2: row removed since the base, where it was line 3 (leaver)'
      ],
      [
        'Leaver',
        'hr/people.csv',
        undefined,
        'externalId E3: row removed since the base, where it was line 5 (leaver)'
      ],
      ['Rehire', 'hr/people.csv', 7, 'externalId E6: active turned true (rehire); changes active'],
      ['Joiner', 'hr/people.csv', 9, 'externalId E8_new: new record (joiner)'],
      ['Mover', 'hr/people.csv', 4, 'externalId E2: changes displayName, title (mover)']
    ])
    expect(annotations.every((a) => a.severity === 'notice')).toBe(true)
  })

  test('at most the cap, the last one counting the rest', async () => {
    const { diff } = await changed()
    const annotations = reviewAnnotations(diff, 3)
    expect(annotations).toHaveLength(3)
    expect(annotations[2]).toEqual({
      severity: 'notice',
      title: 'More changes in the job summary',
      message: '5 more changes than the annotations show; see the job summary.'
    })
    expect(reviewAnnotations(diff, 0)).toEqual([])
    expect(reviewDiagnostics(diff)).toHaveLength(7)
  })
})

describe('reviewChanges', () => {
  test('diff, gates, Markdown and annotations in one call', async () => {
    const { basePlan, headPlan } = await changed()
    const review = reviewChanges({
      basePlan,
      headPlan,
      leavers: 'ignore',
      stage: 'apply',
      detail: 'ids',
      repository,
      base,
      ...LIMITS,
      allowMassChanges: false
    })
    expect(review.diff.counts).toMatchObject({ joiners: 1, movers: 1, leavers: 4, rehires: 1 })
    // E4 deactivated (1 disable, the removed rows are ignored) is within max-disables 1; 7 of 9 changed is not.
    expect(review.gates.violations.map((v) => v.gate)).toEqual(['max-changes-percent', 'max-shrink-percent'])
    expect(review.gates.diagnostics.map((d) => d.severity)).toEqual(['error', 'error'])
    expect(review.markdown).toContain('### 🛑 Safety gates')
    expect(review.annotations).toHaveLength(7)
  })
})

describe('the pull-request comment', () => {
  test('externalIds and values from a pull request notify nobody and link nowhere', async () => {
    const { marked } = await import('marked')
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    repo.write('hr/people.csv', csv(row('E1')))
    repo.commit('base')
    // Each within employeeId's 16 characters, so all four are valid joiners.
    const hostile = ['@octocat', '@org/team', 'https://evil.io', 'www.evil.io']
    repo.write(
      'hr/people.csv',
      csv(
        row('E1', { Title: '"ping @octocat, see https://evil.example"' }),
        ...hostile.map((id, i) => row(id, { Upn: `u${i}@contoso.com` }))
      )
    )
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    const review = reviewChanges({
      basePlan,
      headPlan,
      leavers: 'ignore',
      stage: 'review',
      detail: 'full',
      comment: true,
      repository,
      base,
      ...LIMITS,
      allowMassChanges: true
    })
    const html = await marked.parse(review.comment ?? '', { gfm: true })
    expect(review.diff.counts.joiners).toBe(4)
    expect(html).not.toMatch(/href="(https?:\/\/evil|http:\/\/www\.evil|mailto:)/)
    const visible = html.replace(/<[^>]+>/g, '')
    expect(visible).not.toMatch(/(^|[^\w])@(octocat|org)\b|https?:\/\/evil|www\.evil/)
    for (const id of hostile) expect(visible.replace(/\u2060/g, '')).toContain(id)
  })
})
