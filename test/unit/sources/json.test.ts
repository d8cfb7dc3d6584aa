import path from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import { findJsonError, openJson, openJsonl } from '../../../src/sources/json.ts'
import { cleanup, fixtures, inputError, lines, readAll, tempFile, utf16 } from './helpers.ts'

afterAll(cleanup)

async function json(text: string | Uint8Array) {
  const source = await openJson(await tempFile('hr.json', text), 'hr/hr.json')
  return { source, records: await readAll(source) }
}

async function jsonl(text: string | Uint8Array, chunkSize?: number) {
  const source = await openJsonl(
    await tempFile('hr.jsonl', text),
    'hr/hr.jsonl',
    chunkSize ? { chunkSize } : {}
  )
  return { source, records: await readAll(source) }
}

describe('.json: an array of objects', () => {
  test('fixture: headers in first-appearance order, values as strings, each record at the line of its object', async () => {
    const source = await openJson(path.join(fixtures, 'people.json'), 'people.json')
    expect(source.format).toBe('json')
    expect(source.encoding).toBe('utf-8')
    expect(source.headerLine).toBe(1)
    expect(source.delimiter).toBeUndefined()
    expect(source.headers).toEqual([
      'WorkerID',
      'FirstName',
      'Active',
      'Salary',
      'Manager',
      'BadgeNumber',
      'Leave',
      'Note'
    ])
    const records = await readAll(source)
    expect(lines(records)).toEqual([
      [2, ['W1', 'Anna', 'true', '1.50', '', '', '', '']],
      [3, ['W2', 'Bob', '', '', 'W1', '12345678901234567890', '', '']],
      [11, ['W3', 'Chloé', 'false', '', '', '', '', 'braces { and [ in "strings"']]
    ])
    expect(records.every((r) => r.diagnostics === undefined)).toBe(true)
  })

  test('BOM, CRLF and a one-line array', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf])
    const one = await json(Buffer.concat([bom, Buffer.from('[{"a":1},{"a":2,"b":"x"}]')]))
    expect(one.source.headers).toEqual(['a', 'b'])
    expect(lines(one.records)).toEqual([
      [1, ['1', '']],
      [1, ['2', 'x']]
    ])
    const crlf = await json('[\r\n  {"a": "1"},\r\n\r\n  {"a": "2"}\r\n]\r\n')
    expect(lines(crlf.records)).toEqual([
      [2, ['1']],
      [4, ['2']]
    ])
  })

  test('UTF-16 with a BOM is decoded too', async () => {
    const { source, records } = await json(utf16('[{"name": "Jürgen"}]', 'le'))
    expect(source.encoding).toBe('utf-16le')
    expect(lines(records)).toEqual([[1, ['Jürgen']]])
  })

  test('an empty array has no records', async () => {
    const { source, records } = await json('[]')
    expect(source.headers).toEqual([])
    expect(records).toEqual([])
  })

  test('a nested object or array is an error on that record, naming the key', async () => {
    const { records } = await json('[{"id":"1","manager":{"id":"0"}},\n{"id":"2","tags":["a"]},\n{"id":"3"}]')
    expect(
      records.map((r) => [r.line, r.values, (r.diagnostics ?? []).map((d) => [d.rule, d.line])])
    ).toEqual([
      [1, ['1', '', ''], [['json-nested-value', 1]]],
      [2, ['2', '', ''], [['json-nested-value', 2]]],
      [3, ['3', '', ''], []]
    ])
    expect(records[0]?.diagnostics?.[0]?.message).toContain("'manager'")
    expect(records[1]?.diagnostics?.[0]?.message).toContain('an array')
  })

  test('invalid JSON is refused at its line and column, without quoting the file', async () => {
    const problems = await inputError(() => json('[\n  {"id": "Secret-1",\n   "name": Secret}\n]'))
    expect(problems).toEqual([
      expect.objectContaining({
        rule: 'json-syntax',
        severity: 'error',
        file: 'hr/hr.json',
        line: 3,
        column: 12
      })
    ])
    expect(problems[0]?.message).not.toContain('Secret')
  })

  test.each([
    ['a trailing comma', '[{"a":1},\n]', 2, 1, 'expected a value'],
    ['an unclosed string (at the end of the text)', '[{"a":"x}]', 1, 11, 'not closed'],
    ['a missing colon', '[{"a" 1}]', 1, 7, "':'"],
    ['the end of the text', '[{"a":1}', 1, 9, 'end of the text']
  ])('syntax: %s', async (_, text, line, column, words) => {
    const problems = await inputError(() => json(text))
    expect(problems).toEqual([expect.objectContaining({ rule: 'json-syntax', line, column })])
    expect(problems[0]?.message).toContain(words)
  })

  test('elements that are not objects are refused, each at its line', async () => {
    const problems = await inputError(() => json('[{"a":1},\n "x",\n [1],\n null]'))
    expect(problems.map((p) => [p.rule, p.line])).toEqual([
      ['json-not-object', 2],
      ['json-not-object', 3],
      ['json-not-object', 4]
    ])
    expect(problems[1]?.message).toContain('Element 3 of the array')
  })

  test.each([
    ['an object', '{"a": 1}', 'json-not-array'],
    ['an empty file', '  \n', 'json-empty']
  ])('a file holding %s is refused', async (_, text, rule) => {
    expect(await inputError(() => json(text))).toEqual([
      expect.objectContaining({ rule, file: 'hr/hr.json' })
    ])
  })

  test('keys equal ignoring case or spaces, or empty, are refused', async () => {
    const problems = await inputError(() => json('[{"Email":"a"},\n{"email":"b", " Email ":"c", "":"d"}]'))
    expect(problems.map((p) => [p.rule, p.line])).toEqual([
      ['json-key-duplicate', 2],
      ['json-key-duplicate', 2],
      ['json-key-empty', 2]
    ])
  })
})

describe('.json: streamed, so hostile files stay bounded', () => {
  test('lines stay exact with any read size, and keys keep their order in the file', async () => {
    const text = '[\r\n {"b": "1", "10": 2},\r\n\r\n {"a": "x\\ny",\n  "b": 3.50}\r ,{"c": null}\n]'
    for (const chunkSize of [1, 2, 3, 7, 1000]) {
      const source = await openJson(await tempFile('hr.json', text), 'hr/hr.json', { chunkSize })
      expect(source.headers).toEqual(['b', '10', 'a', 'c'])
      expect(lines(await readAll(source))).toEqual([
        [2, ['1', '2', '', '']],
        [4, ['3.50', '', 'x\ny', '']],
        [6, ['', '', '', '']]
      ])
    }
  })

  test('JSON nested 3,000 levels deep is refused at its line, naming the limit', async () => {
    const deep = '[{"a":' + '['.repeat(3000) + ']'.repeat(3000) + '}]'
    const problems = await inputError(() => json('\n' + deep))
    expect(problems).toEqual([
      expect.objectContaining({ rule: 'json-too-deep', line: 2, file: 'hr/hr.json' })
    ])
    expect(problems[0]?.message).toContain('more than 64 levels')
  })

  test('an element longer than the limit stops the read at its line instead of being held whole', async () => {
    const text = `[\n{"id": "1"},\n{"id": "2", "note": "${'x'.repeat(500)}"},\n{"id": "3"}\n]`
    for (const chunkSize of [7, 64]) {
      const file = await tempFile('hr.json', text)
      const problems = await inputError(() =>
        openJson(file, 'hr/hr.json', { chunkSize, maxElementLength: 100 })
      )
      expect(problems).toEqual([expect.objectContaining({ rule: 'json-element-too-long', line: 3 })])
    }
    const { records } = await json(text)
    expect(records).toHaveLength(3)
  })

  test('a \\u0000 escape in a value is an error on that record, naming the key', async () => {
    const { records } = await json('[{"id":"1","name":"a\\u0000b"},\n{"id":"2","name":"ok"}]')
    expect(records.map((r) => [r.line, (r.diagnostics ?? []).map((d) => [d.rule, d.line])])).toEqual([
      [1, [['value-nul', 1]]],
      [2, []]
    ])
    expect(records[0]?.diagnostics?.[0]?.message).toContain("'name'")
    expect(records[0]?.diagnostics?.[0]?.message).not.toContain('a\u0000b')
  })

  test('a syntax error far into a file is located by line and column', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `{"id": "${i}"}`)
    rows[2500] = '{"id": Secret}'
    const problems = await inputError(() => json('[\n' + rows.join(',\n') + '\n]'))
    expect(problems).toEqual([expect.objectContaining({ rule: 'json-syntax', line: 2502, column: 8 })])
    expect(problems[0]?.message).not.toContain('Secret')
  })
})

describe('.jsonl: one object per line', () => {
  test('fixture: blank lines skipped but counted, headers are the union of keys', async () => {
    const source = await openJsonl(path.join(fixtures, 'people.jsonl'), 'people.jsonl')
    expect(source.format).toBe('jsonl')
    expect(source.headers).toEqual(['WorkerID', 'FirstName', 'Active', 'Manager', 'Level', 'Leave'])
    expect(lines(await readAll(source))).toEqual([
      [1, ['W1', 'Anna', 'true', '', '', '']],
      [3, ['W2', '', '', 'W1', '3', '']],
      [4, ['W3', 'Chloé', 'false', '', '', '']]
    ])
  })

  test('bad lines become records with an error, not exceptions; any chunk size', async () => {
    const text = '\uFEFF{"id":"1"}\r\n{"id": Secret}\r\n\r\n[1,2]\r\n{"id":"4","x":true}'
    for (const chunkSize of [1, 2, 5, 1000]) {
      const { source, records } = await jsonl(text, chunkSize)
      expect(source.headers).toEqual(['id', 'x'])
      expect(
        records.map((r) => [r.line, r.values, (r.diagnostics ?? []).map((d) => [d.rule, d.line, d.column])])
      ).toEqual([
        [1, ['1', ''], []],
        [2, ['', ''], [['json-syntax', 2, 8]]],
        [4, ['', ''], [['json-not-object', 4, 1]]],
        [5, ['4', 'true'], []]
      ])
      expect(records[1]?.diagnostics?.[0]?.message).not.toContain('Secret')
    }
  })

  test('a file with only blank lines is refused', async () => {
    expect(await inputError(() => jsonl('\n\n'))).toEqual([expect.objectContaining({ rule: 'json-empty' })])
  })

  test('keys differing only in case across lines are refused at the line where the second appears', async () => {
    const problems = await inputError(() => jsonl('{"id":"1"}\n{"ID":"2"}\n'))
    expect(problems).toEqual([expect.objectContaining({ rule: 'json-key-duplicate', line: 2 })])
  })

  test('the records can be iterated only once', async () => {
    const { source } = await jsonl('{"a":1}\n')
    expect(() => source.chunks[Symbol.asyncIterator]()).toThrow('iterated only once')
  })
})

describe('findJsonError', () => {
  test('valid JSON has no error', () => {
    expect(findJsonError('{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}')).toBeUndefined()
  })

  test.each([
    ['{"a": 01}', 7],
    ['{"a": "\\x"}', 7],
    ['{"a": "\t"}', 7],
    ['{"a": 1} x', 9],
    ["{'a': 1}", 1]
  ])('%j fails at offset %d', (text, offset) => {
    expect(findJsonError(text)?.offset).toBe(offset)
  })
})

describe('.jsonl: deep nesting', () => {
  test('an invalid line nested 3,000 levels deep gets a located error naming the limit', async () => {
    const line = '{"a":' + '['.repeat(3000) + 'x' + ']'.repeat(3000) + '}'
    const { records } = await jsonl(`{"a":"1"}\n${line}\n`)
    expect(records[1]?.diagnostics).toEqual([
      expect.objectContaining({ rule: 'json-syntax', line: 2, column: 69 })
    ])
    expect(records[1]?.diagnostics?.[0]?.message).toContain('nested more than 64 levels deep')
  })
})
