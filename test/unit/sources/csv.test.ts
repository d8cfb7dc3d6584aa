import path from 'node:path'
import { afterAll, describe, expect, test } from '@jest/globals'
import { CsvChunkParser, countLineBreaks, openCsv } from '../../../src/sources/csv.ts'
import type { CsvOptions } from '../../../src/sources/csv.ts'
import type { SourceRecord } from '../../../src/sources/source-file.ts'
import { cleanup, fixtures, inputError, lines, readAll, tempFile, utf16 } from './helpers.ts'

afterAll(cleanup)

async function readCsv(content: string | Uint8Array, options: Partial<CsvOptions> = {}) {
  const file = await tempFile('hr.csv', content)
  const source = await openCsv(file, 'hr/hr.csv', { delimiter: 'auto', ...options })
  return { source, records: await readAll(source) }
}

/** Records reduced to what must not depend on chunking. */
function summary(records: readonly SourceRecord[]) {
  return records.map((r) => ({
    line: r.line,
    values: r.values,
    rules: (r.diagnostics ?? []).map((d) => d.rule)
  }))
}

const PEOPLE = [
  [2, ['W1', 'Anna', 'Müller', 'anna@contoso.com']],
  [3, ['W2', 'Smith, Jr.', 'Bob', 'bob@contoso.com']],
  [4, ['W3', 'Chloé', 'O"Neil', 'chloe@contoso.com']]
]

describe('delimiters', () => {
  test.each([
    ['comma.csv', ','],
    ['semicolon.csv', ';'],
    ['tab.tsv', '\t'],
    ['pipe.txt', '|']
  ])('%s: detected as %j, quoted delimiters kept in values', async (name, delimiter) => {
    const source = await openCsv(path.join(fixtures, name), name, { delimiter: 'auto' })
    expect(source.delimiter).toBe(delimiter)
    expect(source.format).toBe('csv')
    expect(source.encoding).toBe('utf-8')
    expect(source.headers).toEqual(['WorkerID', 'FirstName', 'LastName', 'Email'])
    expect(source.headerLine).toBe(1)
    expect(source.diagnostics).toBeUndefined()
    const expected = PEOPLE.map(([line, values]) => [
      line,
      (values as string[]).map((v) => v.replace(', Jr.', `${delimiter} Jr.`))
    ])
    expect(lines(await readAll(source))).toEqual(expected)
  })

  test('a configured delimiter is used as is, even where detection would pick another', async () => {
    const text = 'id;name,first\n1;Smith, John\n2;Doe, Jane\n'
    const auto = await readCsv(text)
    expect(auto.source.delimiter).toBe(',')
    const set = await readCsv(text, { delimiter: ';' })
    expect(set.source.delimiter).toBe(';')
    expect(set.source.headers).toEqual(['id', 'name,first'])
    expect(lines(set.records)).toEqual([
      [2, ['1', 'Smith, John']],
      [3, ['2', 'Doe, Jane']]
    ])
  })

  test('a delimiter that cannot be detected falls back to comma with a warning on the file', async () => {
    const { source, records } = await readCsv('WorkerID\nW1\nW2\n')
    expect(source.delimiter).toBe(',')
    expect(source.headers).toEqual(['WorkerID'])
    expect(lines(records)).toEqual([
      [2, ['W1']],
      [3, ['W2']]
    ])
    expect(source.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', rule: 'csv-delimiter-undetected', file: 'hr/hr.csv' })
    ])
  })
})

describe('encodings', () => {
  const text = 'id\tname\r\n1\tJürgen 𝄞\r\n2\t"multi\r\nline"\r\n'
  const expected = [
    [2, ['1', 'Jürgen 𝄞']],
    [3, ['2', 'multi\r\nline']]
  ]

  test('UTF-8 with a BOM: the BOM is not part of the first header name', async () => {
    const { source, records } = await readCsv(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
    )
    expect(source.encoding).toBe('utf-8')
    expect(source.headers).toEqual(['id', 'name'])
    expect(lines(records)).toEqual(expected)
  })

  test.each(['le', 'be'] as const)(
    'UTF-16 %s with BOM (Excel "Unicode text"), any chunk size',
    async (endian) => {
      for (const chunkSize of [1, 2, 3, 5, 7, 1024]) {
        const { source, records } = await readCsv(utf16(text, endian), { chunkSize })
        expect(source.encoding).toBe(endian === 'le' ? 'utf-16le' : 'utf-16be')
        expect(source.delimiter).toBe('\t')
        expect(source.headers).toEqual(['id', 'name'])
        expect(lines(records)).toEqual(expected)
      }
    }
  )

  test('a multi-byte UTF-8 character split between two reads is decoded whole', async () => {
    for (const chunkSize of [1, 2, 3, 4]) {
      const { records } = await readCsv('a,b\n€,𝄞ü\n', { chunkSize })
      expect(lines(records)).toEqual([[2, ['€', '𝄞ü']]])
    }
  })

  test('bytes that are not UTF-8 (e.g. Windows-1252) make an error on the record, naming the column', async () => {
    const bytes = Buffer.concat([
      Buffer.from('id,last\n1,M'),
      Buffer.from([0xfc]),
      Buffer.from('ller\n2,Ok\n')
    ])
    const { records } = await readCsv(bytes)
    expect(records[0]?.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'encoding-invalid', line: 2, file: 'hr/hr.csv' })
    ])
    expect(records[0]?.diagnostics?.[0]?.message).toContain('column 2 (last)')
    expect(records[1]?.diagnostics).toBeUndefined()
  })

  test('invalid bytes in the header make the file unusable', async () => {
    const bytes = Buffer.concat([Buffer.from('id,Stra'), Buffer.from([0xdf]), Buffer.from('e\n1,x\n')])
    const problems = await inputError(() => readCsv(bytes))
    expect(problems).toEqual([expect.objectContaining({ rule: 'encoding-invalid', line: 1, column: 4 })])
  })

  test('NUL bytes without a BOM (UTF-16 without BOM, a spreadsheet) are refused', async () => {
    const problems = await inputError(() => readCsv(Buffer.from('id,name\n', 'utf16le')))
    expect(problems).toEqual([
      expect.objectContaining({ rule: 'encoding-unsupported', file: 'hr/hr.csv', line: 1 })
    ])
  })
})

describe('line numbers', () => {
  test('CRLF, with a quoted value holding CRLF, blank lines before the header, between and after records', async () => {
    const text = '\r\n\r\nid,note,x\r\n1,"first\r\nsecond\r\nthird",a\r\n\r\n2,plain,b\r\n3,"",c\r\n\r\n'
    const { source, records } = await readCsv(text)
    expect(source.headerLine).toBe(3)
    expect(lines(records)).toEqual([
      [4, ['1', 'first\r\nsecond\r\nthird', 'a']],
      [8, ['2', 'plain', 'b']],
      [9, ['3', '', 'c']]
    ])
  })

  test('LF, with a quoted value holding LF and one holding CRLF', async () => {
    const text = 'id,a,b\n1,"x\ny",z\n2,"p\r\nq","r\ns"\n3,t,u'
    const { records } = await readCsv(text)
    expect(lines(records)).toEqual([
      [2, ['1', 'x\ny', 'z']],
      [4, ['2', 'p\r\nq', 'r\ns']],
      [7, ['3', 't', 'u']]
    ])
  })

  test('lone CR line endings (old Mac)', async () => {
    const { source, records } = await readCsv('id,a\r1,"x\ry"\r\r2,z\r')
    expect(source.headers).toEqual(['id', 'a'])
    expect(lines(records)).toEqual([
      [2, ['1', 'x\ry']],
      [5, ['2', 'z']]
    ])
  })

  test('line breaks that papaparse drops after a closing quote still count (exact fallback)', async () => {
    // CRLF file; a stray LF between a closing quote and the delimiter is skipped as "space" by papaparse.
    const { records } = await readCsv('h1,h2\r\n"a"\n,b\r\nc,d\r\ne,f\r\n')
    expect(lines(records)).toEqual([
      [2, ['a', 'b']],
      [4, ['c', 'd']],
      [5, ['e', 'f']]
    ])
  })

  test('a row of only delimiters is a record of empty values; a blank line is no record', async () => {
    const { records } = await readCsv('a,b,c\n,,\n\n1,2,3\n')
    expect(lines(records)).toEqual([
      [2, ['', '', '']],
      [4, ['1', '2', '3']]
    ])
    expect(records[0]?.diagnostics).toBeUndefined()
  })

  test('many blank lines before the header, read in small chunks', async () => {
    const { source, records } = await readCsv(`${'\r\n'.repeat(40)}a;b\r\n1;2\r\n`, { chunkSize: 8 })
    expect(source.delimiter).toBe(';')
    expect(source.headerLine).toBe(41)
    expect(lines(records)).toEqual([[42, ['1', '2']]])
  })

  test('a file without a final line break', async () => {
    const { records } = await readCsv('a,b\r\n1,2\r\n3,4')
    expect(lines(records)).toEqual([
      [2, ['1', '2']],
      [3, ['3', '4']]
    ])
  })

  test('a header-only file has no records', async () => {
    const { source, records } = await readCsv('a,b\n')
    expect(source.headers).toEqual(['a', 'b'])
    expect(records).toEqual([])
  })
})

describe('chunk boundaries', () => {
  // Boundaries fall everywhere: inside quoted values, between CR and LF, inside "" and multi-byte characters.
  const cases: Record<string, string> = {
    crlf: '\r\nid,name,note\r\n1,"a, ""b""\r\nc",x\r\n\r\n2,é€,"q\r\n\r\nr"\r\n3,,\r\n4,"x"  ,y\r\n',
    lf: 'id;name;note\n\n1;"semi;colon";"l1\nl2"\n2;"";""""\n3;z;"\r\n"\n',
    cr: 'id|n\r1|"a\rb"\r\r2|c\r',
    errors: 'id,a,b\n1,2\n2,3,4,5\n3,"x"y,z\n4,"open,\nstill\n'
  }

  test.each(Object.keys(cases))('%s: every chunk size gives the same records as one chunk', async (name) => {
    const text = cases[name] as string
    const whole = summary((await readCsv(text)).records)
    expect(whole.length).toBeGreaterThanOrEqual(2)
    for (let chunkSize = 1; chunkSize <= text.length + 1; chunkSize++) {
      const { records } = await readCsv(text, { chunkSize })
      expect({ chunkSize, records: summary(records) }).toEqual({ chunkSize, records: whole })
    }
  })

  test('crlf case: exact lines and values', async () => {
    const { source, records } = await readCsv(cases.crlf as string, { chunkSize: 3 })
    expect(source.headerLine).toBe(2)
    expect(lines(records)).toEqual([
      [3, ['1', 'a, "b"\r\nc', 'x']],
      [6, ['2', 'é€', 'q\r\n\r\nr']],
      [9, ['3', '', '']],
      [10, ['4', 'x', 'y']]
    ])
  })

  test('the parser fed one character at a time, CR and LF apart', () => {
    const parser = new CsvChunkParser('f.csv', ',', '\r\n')
    const text = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n'
    const records: SourceRecord[] = []
    for (const char of text) records.push(...parser.feed(char, false))
    records.push(...parser.feed('', true))
    expect(parser.headers).toEqual(['a', 'b'])
    expect(lines(records)).toEqual([
      [2, ['1', 'x\r\ny']],
      [5, ['2', 'z']]
    ])
  })

  test('a large file is read in several batches, lazily', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i},"name ${i}\nsecond line",x`)
    const file = await tempFile('big.csv', `id,name,x\n${rows.join('\n')}\n`)
    const source = await openCsv(file, 'big.csv', { delimiter: 'auto', chunkSize: 4096 })
    let batches = 0
    let count = 0
    let expectedLine = 2
    for await (const batch of source.chunks) {
      batches++
      for (const record of batch) {
        expect(record.line).toBe(expectedLine)
        expectedLine += 2
        count++
      }
    }
    expect(count).toBe(2000)
    expect(batches).toBeGreaterThan(10)
  })

  test('stopping early is fine, and the records can be iterated only once', async () => {
    const file = await tempFile('a.csv', 'a,b\n1,2\n3,4\n5,6\n')
    const source = await openCsv(file, 'a.csv', { delimiter: 'auto', chunkSize: 4 })
    for await (const batch of source.chunks) {
      expect(batch.length).toBeGreaterThan(0)
      break
    }
    expect(() => source.chunks[Symbol.asyncIterator]()).toThrow('iterated only once')
  })

  test('a record longer than maxRecordLength (an unclosed quote) stops the iteration with an InputError', async () => {
    const text = `id,note\n1,"never closed\n${'2,filler\n'.repeat(50)}`
    const file = await tempFile('q.csv', text)
    const open = () => openCsv(file, 'q.csv', { delimiter: ',', chunkSize: 16, maxRecordLength: 100 })
    // Thrown while opening when the read-ahead already holds the long record, else while iterating.
    const problems = await inputError(async () => readAll(await open()))
    expect(problems).toEqual([expect.objectContaining({ rule: 'csv-quote', line: 2, file: 'q.csv' })])
  })
})

describe('headers', () => {
  test('names are trimmed and unquoted', async () => {
    const { source } = await readCsv(' id ,"name" , " mail ",  "x""y"  \n1,2,3,4\n')
    expect(source.headers).toEqual(['id', 'name', 'mail', 'x"y'])
  })

  test('a duplicate name is refused with its column number and character column', async () => {
    const problems = await inputError(() => readCsv('\nid,name,mail,name\n1,2,3,4\n'))
    expect(problems).toEqual([
      expect.objectContaining({
        rule: 'csv-header-duplicate',
        severity: 'error',
        file: 'hr/hr.csv',
        line: 2,
        column: 14
      })
    ])
    expect(problems[0]?.message).toContain('column 4')
    expect(problems[0]?.message).toContain('column 2')
  })

  test('names differing only in case are duplicates too', async () => {
    const problems = await inputError(() => readCsv('Email;id;email\n1;2;3\n'))
    expect(problems).toEqual([expect.objectContaining({ rule: 'csv-header-duplicate', line: 1, column: 10 })])
    expect(problems[0]?.message).toContain('letter case')
  })

  test('empty names are refused, each with its column; a trailing delimiter gets a hint', async () => {
    const problems = await inputError(() => readCsv('id,,"",mail,\n1,2,3,4,5\n'))
    expect(problems.map((p) => [p.rule, p.line, p.column])).toEqual([
      ['csv-header-empty', 1, 4],
      ['csv-header-empty', 1, 5],
      ['csv-header-empty', 1, 13]
    ])
    expect(problems[0]?.message).toContain('column 2')
    expect(problems[2]?.message).toContain('trailing delimiter')
  })

  test('an unclosed quote in the header row is refused', async () => {
    const problems = await inputError(() => readCsv('"id,name\n1,2\n'))
    expect(problems).toEqual([expect.objectContaining({ rule: 'csv-quote', line: 1 })])
  })

  test.each([
    ['an empty file', ''],
    ['only blank lines', '\r\n\n  \n']
  ])('%s is refused', async (_, text) => {
    const problems = await inputError(() => readCsv(text))
    expect(problems).toEqual([expect.objectContaining({ rule: 'csv-empty', file: 'hr/hr.csv', line: 1 })])
  })

  test('a missing file is refused as unreadable', async () => {
    const problems = await inputError(() => openCsv('/nonexistent/hr.csv', 'hr.csv', { delimiter: 'auto' }))
    expect(problems).toEqual([expect.objectContaining({ rule: 'source-unreadable', file: 'hr.csv' })])
    expect(problems[0]?.message).toContain('does not exist')
  })
})

describe('row problems are diagnostics on the record, never thrown', () => {
  const SECRET = 'Secret-Value'
  const text = [
    'id,first,last',
    `1,${SECRET}`, // too few
    `2,${SECRET},b,c`, // too many
    `3,"${SECRET}"x",c`, // a quote inside a quoted value that is not doubled
    '4,ok,fine',
    `5,"${SECRET},unclosed` // unclosed quote until the end of the file
  ].join('\n')

  test('field count, misplaced and unclosed quotes', async () => {
    const { records } = await readCsv(text)
    expect(records.map((r) => [r.line, r.values.length, (r.diagnostics ?? []).map((d) => d.rule)])).toEqual([
      [2, 3, ['csv-field-count']],
      [3, 3, ['csv-field-count']],
      [4, 3, ['csv-quote']],
      [5, 3, []],
      [6, 3, ['csv-quote']] // one root cause, one error: the unclosed quote also explains the field count
    ])
    expect(records[0]?.values).toEqual(['1', SECRET, ''])
    expect(records[1]?.values).toEqual(['2', SECRET, 'b'])
    const diagnostics = records.flatMap((r) => r.diagnostics ?? [])
    for (const d of diagnostics) {
      expect(d).toEqual(expect.objectContaining({ severity: 'error', file: 'hr/hr.csv' }))
      expect(d.message).not.toContain(SECRET)
    }
    expect(records[0]?.diagnostics?.[0]?.message).toContain('column 3 (last)')
    expect(records[1]?.diagnostics?.[0]?.message).toContain('4 fields')
    expect(records[2]?.diagnostics?.[0]?.message).toContain('column 2 (first)')
    expect(records[4]?.diagnostics?.[0]?.message).toContain('column 2 (first)')
    expect(records[4]?.diagnostics?.[0]?.message).toContain('never closed')
  })
})

test('countLineBreaks counts LF, CRLF and lone CR once each', () => {
  expect(countLineBreaks('a\nb\r\nc\rd', 0, 9)).toBe(3)
  expect(countLineBreaks('a\r\n', 0, 2)).toBe(0) // the LF after the CR is outside the range
  expect(countLineBreaks('a\r', 0, 2)).toBe(1)
  expect(countLineBreaks('\n\n\n', 1, 3)).toBe(2)
})

describe('hostile content', () => {
  test('a NUL byte after the first 4 KiB is an error on that record, naming the column', async () => {
    const filler = Array.from({ length: 600 }, (_, i) => `${i},name${i}`).join('\n')
    const text = `id,name\n${filler}\n900,bad\u0000name\n901,ok\n`
    const { records } = await readCsv(text)
    const bad = records.find((r) => r.values[0] === '900')
    expect(bad?.diagnostics).toEqual([
      expect.objectContaining({ rule: 'value-nul', severity: 'error', file: 'hr/hr.csv', line: 602 })
    ])
    expect(bad?.diagnostics?.[0]?.message).toContain('column 2 (name)')
    expect(records.filter((r) => r.diagnostics !== undefined)).toHaveLength(1)
  })

  test('a 5 MB duplicate header name is quoted cut to a readable length', async () => {
    const long = 'H'.repeat(5_000_000)
    const problems = await inputError(() => readCsv(`id,${long},${long}\n1,2,3\n`))
    expect(problems.map((p) => p.rule)).toEqual(['csv-header-duplicate'])
    expect(problems[0]?.message.length).toBeLessThan(400)
    expect(problems[0]?.message).toContain('… (5,000,000 characters)')
  })
})
