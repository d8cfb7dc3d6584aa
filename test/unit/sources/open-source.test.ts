import path from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import { formatOf, openSource } from '../../../src/sources/open-source.ts'
import { cleanup, fixtures, inputError, readAll, tempFile } from './helpers.ts'

afterAll(cleanup)

const fixture = (name: string) => ({ absolute: path.join(fixtures, name), relative: `hr/${name}` })

describe('openSource', () => {
  test.each([
    ['comma.csv', 'csv', ','],
    ['tab.tsv', 'csv', '\t'],
    ['pipe.txt', 'csv', '|'],
    ['people.json', 'json', undefined],
    ['people.jsonl', 'jsonl', undefined]
  ])('%s is read as %s', async (name, format, delimiter) => {
    const source = await openSource(fixture(name), { delimiter: 'auto' })
    expect(source.format).toBe(format)
    expect(source.file).toBe(`hr/${name}`)
    expect(source.delimiter).toBe(delimiter)
    expect(source.headers[0]).toBe('WorkerID')
    expect((await readAll(source)).map((r) => r.values[0])).toEqual(['W1', 'W2', 'W3'])
  })

  test('extensions are case-insensitive; .ndjson is JSON Lines', async () => {
    expect(formatOf('HR/People.CSV')).toBe('csv')
    expect(formatOf('a.NDJSON')).toBe('jsonl')
    const file = await tempFile('x.ndjson', '{"a":"1"}\n')
    const source = await openSource({ absolute: file, relative: 'x.ndjson' }, { delimiter: 'auto' })
    expect(source.format).toBe('jsonl')
  })

  test('the delimiter setting reaches the CSV reader', async () => {
    const source = await openSource(fixture('semicolon.csv'), { delimiter: ',' })
    expect(source.delimiter).toBe(',')
    expect(source.headers).toEqual(['WorkerID;FirstName;LastName;Email'])
  })

  test('an unsupported extension is refused, naming the file', async () => {
    const problems = await inputError(() =>
      openSource({ absolute: '/x/hr.xlsx', relative: 'hr.xlsx' }, { delimiter: 'auto' })
    )
    expect(problems).toEqual([expect.objectContaining({ rule: 'source-unsupported-type', file: 'hr.xlsx' })])
    expect(problems[0]?.message).toContain("'.xlsx'")
  })
})
