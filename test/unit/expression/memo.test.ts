import { describe, expect, test } from '@jest/globals'
import {
  ExpressionEvaluationError,
  bindExpression,
  parseExpression
} from '../../../src/mapping/expression/index.ts'

function bind(source: string, now = () => new Date('2026-01-01T00:00:00Z')) {
  const { expression } = parseExpression(source)
  if (!expression) throw new Error(`does not parse: ${source}`)
  return bindExpression(expression, (name) => (name === 'A' ? 0 : name === 'B' ? 1 : undefined), { now })
}

describe('calls over one column are remembered by value', () => {
  test('the same input gives the same output, also after many distinct values', () => {
    const format = bind('FormatDateTime([A], , "yyyy-MM-dd", "dd.MM.yyyy")')
    const dates = Array.from({ length: 70_000 }, (_, i) => {
      const day = new Date(Date.UTC(1990, 0, 1) + i * 86_400_000)
      return day.toISOString().slice(0, 10)
    })
    for (const date of [...dates, ...dates.slice(0, 100)]) {
      const [y, m, d] = date.split('-')
      expect(format([date])).toBe(`${d}.${m}.${y}`)
    }
  })

  test('a failure is thrown again for the same input, with its message', () => {
    const format = bind('FormatDateTime([A], , "yyyy-MM-dd", "dd.MM.yyyy")')
    const attempt = () => format(['2023-02-30'])
    expect(attempt).toThrow(ExpressionEvaluationError)
    expect(attempt).toThrow(/FormatDateTime/)
    expect(format(['2023-02-28'])).toBe('28.02.2023')
  })

  test('calls that read two columns, or impure calls, are not remembered', () => {
    const join = bind('Join(" ", [A], [B])')
    expect(join(['a', 'b'])).toBe('a b')
    expect(join(['a', 'c'])).toBe('a c')
    let calls = 0
    const now = () => new Date(Date.UTC(2026, 0, 1 + calls++))
    const nowFormat = bind('FormatDateTime(Now(), , "M/d/yyyy h:mm:ss tt", "yyyy-MM-dd")', now)
    expect(nowFormat(['x'])).not.toBe(nowFormat(['x']))
  })
})
