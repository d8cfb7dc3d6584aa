import { expect, test } from '@jest/globals'
import { jsonString } from '../../src/common/json-string.ts'

test.each([
  'plain',
  '',
  'Zoë São Paulo 東京',
  'quote " here',
  'back\\slash',
  'new\nline',
  'tab\t',
  '\u0000',
  '\u2028',
  'lone \ud800 surrogate',
  '😀'
])('jsonString(%j) is what JSON.stringify gives', (value) => {
  expect(jsonString(value)).toBe(JSON.stringify(value))
})
