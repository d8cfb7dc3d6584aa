import { describe, expect, test } from '@jest/globals'
import type { Diagnostic, Severity } from '../../src/common/diagnostics.ts'
import { selectAnnotations } from '../../src/common/annotation-budget.ts'

function many(severity: Severity, n: number): Diagnostic[] {
  return Array.from({ length: n }, (_, i) => ({
    severity,
    rule: `${severity}-rule`,
    message: `${severity} ${i + 1}`,
    file: 'hr/a.csv',
    line: i + 2,
    externalId: `E${i + 1}`,
    detail: 'Ada Lovelace'
  }))
}

describe('selectAnnotations', () => {
  test('stays within 10 per severity, errors first, then one notice counting the rest', () => {
    const chosen = selectAnnotations(
      [...many('notice', 12), ...many('warning', 11), ...many('error', 25)],
      10
    )
    const bySeverity = (s: Severity): number => chosen.filter((a) => a.severity === s).length
    expect(bySeverity('error')).toBe(10)
    expect(bySeverity('warning')).toBe(10)
    expect(bySeverity('notice')).toBe(10)
    expect(chosen[0]).toEqual({
      severity: 'error',
      title: 'error-rule',
      message: 'externalId E1: error 1',
      file: 'hr/a.csv',
      line: 2
    })
    // 15 errors + 1 warning + 3 notices did not fit (9 notice slots + the counting notice).
    expect(chosen.at(-1)?.message).toBe(
      '19 more problems than GitHub shows as annotations; see the job summary and the JSON report.'
    )
  })

  test('emits everything, with no counting notice, when it fits', () => {
    const chosen = selectAnnotations([...many('error', 10), ...many('notice', 10)], 10)
    expect(chosen).toHaveLength(20)
    expect(chosen.some((a) => a.title === 'More problems in the job summary')).toBe(false)
  })

  test('honours a lower max-annotations and zero', () => {
    expect(selectAnnotations(many('error', 5), 2).map((a) => a.severity)).toEqual([
      'error',
      'error',
      'notice'
    ])
    expect(selectAnnotations(many('error', 5), 0)).toEqual([])
  })

  test('never puts the personal-data detail in an annotation', () => {
    const text = JSON.stringify(selectAnnotations(many('error', 3), 10))
    expect(text).not.toContain('Ada')
  })
})
