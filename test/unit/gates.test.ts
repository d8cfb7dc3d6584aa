import { describe, expect, test } from '@jest/globals'
import { checkGates, gateFigures, type GateFigures } from '../../src/review/gates.ts'
import type { GateSettings } from '../../src/settings/settings.ts'
import { diffPlans } from '../../src/review/diff.ts'
import { createRepo } from './git/repo.ts'
import { MAPPING, csv, plansOf, row } from './review/helpers.ts'

const LIMITS: GateSettings = {
  maxDisables: 25,
  maxDisablesPercent: 5,
  maxChangesPercent: 30,
  maxShrinkPercent: 10,
  allowMassChanges: false
}

function figures(overrides: Partial<GateFigures> = {}): GateFigures {
  return {
    disables: 0,
    changes: 0,
    population: 1000,
    files: [{ file: 'hr/people.csv', baseRecords: 1000, headRecords: 1000 }],
    ...overrides
  }
}

const apply = { stage: 'apply' } as const

describe('checkGates', () => {
  test('passes at the limits', () => {
    const outcome = checkGates(
      figures({
        disables: 25,
        changes: 300,
        files: [{ file: 'a.csv', baseRecords: 1000, headRecords: 900 }]
      }),
      { ...LIMITS, maxDisablesPercent: 2.5 },
      apply
    )
    expect(outcome).toMatchObject({ passed: true, violations: [], diagnostics: [] })
  })

  test('max-disables: more disables than the absolute limit', () => {
    const outcome = checkGates(figures({ disables: 26, population: 10_000 }), LIMITS, apply)
    expect(outcome.passed).toBe(false)
    expect(outcome.violations.map((v) => [v.gate, v.value, v.limit])).toEqual([['max-disables', 26, 25]])
    expect(outcome.diagnostics).toEqual([
      {
        severity: 'error',
        rule: 'gate-max-disables',
        message:
          'Safety gate max-disables: this run would disable 26 records, more than max-disables (25). Nothing was sent. ' +
          "If the change is intended, run apply with 'allow-mass-changes: true' in a job behind a protected " +
          'environment with required reviewers (see docs/review.md); otherwise check the HR export.'
      }
    ])
  })

  test('max-disables-percent: more disables than the share of the population', () => {
    const outcome = checkGates(figures({ disables: 6, population: 100 }), LIMITS, apply)
    expect(outcome.violations.map((v) => [v.gate, v.value, v.limit])).toEqual([
      ['max-disables-percent', 6, 5]
    ])
    expect(outcome.violations[0]?.message).toContain(
      'this run would disable 6 of 100 records (6%), more than max-disables-percent (5%)'
    )
  })

  test('max-changes-percent: more changes than the share of the population, rounded up in the message', () => {
    const outcome = checkGates(figures({ changes: 301 }), LIMITS, apply)
    expect(outcome.violations.map((v) => [v.gate, v.value])).toEqual([['max-changes-percent', 30.1]])
    expect(outcome.violations[0]?.message).toContain('would change 301 of 1,000 records (30.1%)')
  })

  test('max-shrink-percent: a file that lost too many rows, or was deleted', () => {
    const outcome = checkGates(
      figures({
        files: [
          { file: 'hr/a.csv', baseRecords: 200, headRecords: 150 },
          { file: 'hr/b.csv', baseRecords: 10, headRecords: undefined },
          { file: 'hr/new.csv', baseRecords: undefined, headRecords: 5 },
          { file: 'hr/grew.csv', baseRecords: 5, headRecords: 50 }
        ]
      }),
      LIMITS,
      apply
    )
    expect(outcome.violations.map((v) => [v.gate, v.file, v.value])).toEqual([
      ['max-shrink-percent', 'hr/a.csv', 25],
      ['max-shrink-percent', 'hr/b.csv', 100]
    ])
    expect(outcome.violations[0]?.message).toContain(
      'hr/a.csv has 150 records, 50 fewer than the 200 at the base (25% less), more than max-shrink-percent (10%)'
    )
    expect(outcome.violations[1]?.message).toContain('hr/b.csv was deleted, 10 fewer than the 10 at the base')
    expect(outcome.diagnostics[0]?.file).toBe('hr/a.csv')
  })

  test('with no population at the base, only the absolute gate applies', () => {
    const outcome = checkGates(figures({ changes: 500, population: 0, files: [] }), LIMITS, apply)
    expect(outcome.passed).toBe(true)
  })

  test('allow-mass-changes overrides every gate, still reported as warnings', () => {
    const outcome = checkGates(
      figures({
        disables: 400,
        changes: 900,
        files: [{ file: 'hr/a.csv', baseRecords: 1000, headRecords: 100 }]
      }),
      { ...LIMITS, allowMassChanges: true },
      apply
    )
    expect(outcome.passed).toBe(true)
    expect(outcome.violations.map((v) => [v.gate, v.overridden])).toEqual([
      ['max-disables', true],
      ['max-disables-percent', true],
      ['max-changes-percent', true],
      ['max-shrink-percent', true]
    ])
    expect(outcome.diagnostics.map((d) => d.severity)).toEqual(['warning', 'warning', 'warning', 'warning'])
    expect(outcome.diagnostics[0]?.message).toBe(
      'Safety gate max-disables overridden by allow-mass-changes: this run would disable 400 records, more than max-disables (25).'
    )
  })

  test('in a pull-request review, a violation is a warning that says the apply run would stop', () => {
    const outcome = checkGates(figures({ disables: 30 }), LIMITS, { stage: 'review' })
    expect(outcome.passed).toBe(false)
    expect(outcome.diagnostics[0]?.severity).toBe('warning')
    expect(outcome.diagnostics[0]?.message).toMatch(
      /^Safety gate max-disables: merging this would disable 30 records, more than max-disables \(25\); an apply run would stop here\./
    )
  })
})

describe('gateFigures and the gates on real git history', () => {
  async function shrunk() {
    const repo = createRepo()
    repo.write('mapping.yml', MAPPING)
    const ids = Array.from({ length: 20 }, (_, i) => `E${i + 1}`)
    repo.write('hr/people.csv', csv(...ids.map((id) => row(id))))
    repo.commit('base')
    // A broken export: the last 5 rows are lost, 1 person is deactivated, 1 moves.
    repo.write(
      'hr/people.csv',
      csv(
        ...ids
          .slice(0, 15)
          .map((id) => row(id, id === 'E1' ? { Status: 'Gone' } : id === 'E2' ? { Title: 'Lead' } : {}))
      )
    )
    repo.commit('head')
    const { basePlan, headPlan } = await plansOf(repo, 'main~1')
    return diffPlans(basePlan, headPlan)
  }

  test('removed rows count as disables and changes only under leavers: disable', async () => {
    const diff = await shrunk()
    expect(gateFigures(diff, 'ignore')).toMatchObject({ disables: 1, changes: 2, population: 20 })
    expect(gateFigures(diff, 'disable')).toMatchObject({ disables: 6, changes: 7, population: 20 })
  })

  test('each gate fires on the broken export, and the override lets it through with warnings', async () => {
    const diff = await shrunk()
    const blocked = checkGates(gateFigures(diff, 'disable'), { ...LIMITS, maxDisables: 5 }, apply)
    expect(blocked.passed).toBe(false)
    expect(blocked.violations.map((v) => `${v.gate}:${v.value}`)).toEqual([
      'max-disables:6',
      'max-disables-percent:30',
      'max-changes-percent:35',
      'max-shrink-percent:25'
    ])
    const overridden = checkGates(
      gateFigures(diff, 'disable'),
      { ...LIMITS, maxDisables: 5, allowMassChanges: true },
      apply
    )
    expect(overridden.passed).toBe(true)
    expect(overridden.diagnostics.every((d) => d.severity === 'warning')).toBe(true)
  })
})
