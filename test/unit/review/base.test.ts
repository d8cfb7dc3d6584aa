import { describe, expect, test } from '@jest/globals'
import { InputError } from '../../../src/common/diagnostics.ts'
import { matchesPatterns } from '../../../src/review/base.ts'
import { createRepo } from '../git/repo.ts'
import { MAPPING, csv, plansOf, row } from './helpers.ts'

describe('matchesPatterns', () => {
  test('selects as discovery does: globs, folders, comments and ! exclusions in order', () => {
    const patterns = '# HR files\nhr/**/*.csv\n!hr/archive/**\nhr/archive/keep.csv\nexports'
    expect(matchesPatterns(patterns, 'hr/people.csv')).toBe(true)
    expect(matchesPatterns(patterns, 'hr/sub/people.csv')).toBe(true)
    expect(matchesPatterns(patterns, 'hr/archive/old.csv')).toBe(false)
    expect(matchesPatterns(patterns, 'hr/archive/keep.csv')).toBe(true)
    expect(matchesPatterns(patterns, 'exports/a/b.json')).toBe(true)
    expect(matchesPatterns(patterns, 'other/people.csv')).toBe(false)
    expect(matchesPatterns('./hr/*.csv', 'hr/a.csv')).toBe(true)
  })
})

describe('planBase', () => {
  test('a mapping file that is broken at the base is an InputError naming the commit', async () => {
    const repo = createRepo()
    repo.write('mapping.yml', 'attributes: [')
    repo.write('hr/a.csv', csv(row('E1')))
    repo.commit('base')
    repo.write('mapping.yml', MAPPING)
    repo.commit('head')
    const error = await plansOf(repo, 'main~1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toMatch(
      /At the base commit [0-9a-f]{12}, the mapping file cannot be read/
    )
  })

  test('a mapping file absent at the base: the head mapping is used for both', async () => {
    const repo = createRepo()
    repo.write('hr/a.csv', csv(row('E1')))
    repo.commit('base')
    repo.write('mapping.yml', MAPPING)
    repo.commit('head')
    const { base } = await plansOf(repo, 'main~1')
    expect(base.mappingSources[0]).toBe('head')
    expect(base.plan.records).toHaveLength(1)
  })
})
