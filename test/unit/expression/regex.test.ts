/**
 * Replace's regular expressions run on a linear-time engine: patterns that take exponential or polynomial time on a
 * backtracking engine (in the mapping or in an HR column) finish with the .NET result, and what would need
 * backtracking (lookahead, back-references) is refused at its position. `\b` is Unicode-aware, as in .NET.
 */
import { describe, expect, test } from '@jest/globals'
import {
  ExpressionEvaluationError,
  evaluateExpression,
  parseExpression,
  type AttributeValues,
  type ExpressionValue
} from '../../../src/mapping/expression/index.ts'

const context = { now: () => new Date('2024-05-01T00:00:00Z') }

function run(source: string, values: AttributeValues): ExpressionValue {
  return evaluateExpression(source, values, context)
}

function failure(source: string, values: AttributeValues): ExpressionEvaluationError {
  try {
    run(source, values)
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error
    throw error
  }
  throw new Error(`no failure: ${source}`)
}

function firstError(source: string): { message: string; offset: number } | undefined {
  return parseExpression(source).problems.find((p) => p.severity === 'error')
}

describe('patterns that backtrack exponentially or polynomially elsewhere', () => {
  test('nested quantifiers in the mapping: "^(a+)+$" on 34 and 10,000 characters', () => {
    const source = 'Replace([FirstName], , "^(a+)+$", , "x", , )'
    expect(run(source, { FirstName: 'a'.repeat(34) })).toBe('x')
    expect(run(source, { FirstName: 'a'.repeat(34) + '!' })).toBe('a'.repeat(34) + '!')
    expect(run(source, { FirstName: 'a'.repeat(10_000) + '!' })).toBe('a'.repeat(10_000) + '!')
  })

  test('"(\\w+\\s?)+$" on words that end with a non-word character', () => {
    const source = 'Replace([a], , "(\\\\w+\\\\s?)+$", , "x", , )'
    const value = 'word '.repeat(2_000) + '!'
    expect(run(source, { a: value })).toBe(value)
    expect(run(source, { a: 'two words' })).toBe('x')
  })

  test('three greedy ".*" groups on 400 underscores', () => {
    const source =
      'Replace([a], , "(?<CountryISOCode>.*)_(?<suffix1>.*)_(?<suffix2>.*)[0-9]", , "${CountryISOCode}", , )'
    const value = '_'.repeat(400)
    expect(run(source, { a: value })).toBe(value)
    expect(run(source, { a: 'DE_x_y1' })).toBe('DE')
  })

  test('a pattern taken from an HR column is just as safe', () => {
    const source = 'Replace([a], , [pattern], , "x", , )'
    expect(run(source, { a: 'a'.repeat(10_000) + '!', pattern: '^(a+)+$' })).toBe('a'.repeat(10_000) + '!')
    expect(run(source, { a: 'aaa', pattern: '^(a|aa)+$' })).toBe('x')
  })
})

describe('constructs that need backtracking are refused at their position', () => {
  test.each([
    ['x(?=y)', 1, 'lookahead'],
    ['x(?!y)', 1, 'lookahead'],
    ['(a)\\\\1', 3, 'back-references'],
    ['(?<n>a)\\\\k<n>', 7, 'back-references'],
    ['a{1001}', 1, 'repetition counts above 1000']
  ])('in the mapping: %s', (pattern, position, message) => {
    const source = `Replace([a], , "${pattern}", , "y", , )`
    const problem = firstError(source)
    expect(problem?.message).toContain(message)
    expect(problem?.message).toContain(`at position ${position + 1} of the pattern`)
    expect(problem?.offset).toBe(15)
  })

  test('from a column: a located evaluation error that does not quote the pattern', () => {
    const error = failure('Replace([a], , [pattern], , "y", , )', { a: 'x', pattern: 'secret(?=y)' })
    expect(error.message).toContain('invalid regular expression in the value of [pattern]')
    expect(error.message).toContain('lookahead')
    expect(error.message).toContain('at position 7 of the pattern')
    expect(error.message).not.toContain('secret')
  })

  test('a pattern from a column longer than 1,000 characters is refused, not compiled', () => {
    const error = failure('Replace([a], , [pattern], , "y", , )', { a: 'x', pattern: 'x'.repeat(1_000_000) })
    expect(error.message).toContain('the pattern is 1000000 characters long; at most 1000 are accepted')
    expect(error.message).toContain('at position 1001 of the pattern')
  })

  test('lookbehind without a capturing group is supported', () => {
    expect(run('Replace([a], , "(?<=@)\\\\w+", , "x", , )', { a: 'a@b c@d' })).toBe('a@x c@x')
    expect(run('Replace([a], , "(?<!@)\\\\b\\\\w", , "_", , )', { a: 'ab @cd' })).toBe('_b @cd')
  })
})

describe('\\b and \\B are Unicode-aware, as in .NET', () => {
  test('"\\bé\\w*" on "café élan" matches only "élan"', () => {
    expect(run('Replace([a], , "\\\\bé\\\\w*", , "X", , )', { a: 'café élan' })).toBe('café X')
  })

  test('at the end of the pattern, of an alternative and before a group', () => {
    expect(run('Replace([a], , "an\\\\b", , "X", , )', { a: 'élan ané an' })).toBe('élX ané X')
    expect(run('Replace([a], , "é\\\\b|x", , "_", , )', { a: 'é éa x' })).toBe('_ éa _')
    expect(run('Replace([a], , "\\\\b(?:über|öl)\\\\b", , "_", , )', { a: 'über ölig öl Xöl' })).toBe(
      '_ ölig _ Xöl'
    )
  })

  test('\\B and a repeated first element', () => {
    expect(run('Replace([a], , "\\\\Bé+", , "_", , )', { a: 'éé cafée' })).toBe('é_ caf_e')
    expect(run('Replace([a], , "\\\\b\\\\w{2,3}", , "_", , )', { a: 'ñandú ñu' })).toBe('_dú _')
  })

  test('the engine only sees the boundary, the match and the groups stay as written', () => {
    expect(run('Replace([a], , "(\\\\w+)\\\\b", , "[$1]", , )', { a: 'Zoë Ann' })).toBe('[Zoë] [Ann]')
    expect(run('Replace([a], , "(?<w>\\\\w)\\\\b", "w", "!", , )', { a: 'Zoë Ann' })).toBe('Zo! An!')
  })

  test('an optional element after \\b is refused at the \\b', () => {
    const problem = firstError('Replace([a], , "x\\\\b\\\\w*", , "y", , )')
    expect(problem?.message).toContain('before an optional element is not supported')
    expect(problem?.message).toContain('at position 2 of the pattern')
  })
})

describe('$ before a final newline', () => {
  test('at the end of the pattern and of an alternative; the newline stays', () => {
    expect(run('Replace([a], , "b$", , "X", , )', { a: 'ab\n' })).toBe('aX\n')
    expect(run('Replace([a], , "b$|^a", , "X", , )', { a: 'ab\n' })).toBe('XX\n')
    expect(run('Replace([a], , "$", , "X", , )', { a: 'a\n' })).toBe('aX\nX')
    expect(run('Replace([a], , "(b)\\\\Z", , "$1$1", , )', { a: 'ab\n' })).toBe('abb\n')
  })
})
