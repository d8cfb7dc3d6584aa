/** An in-memory SourceFile for unit tests of the stages after reading. */
import type { SourceFile, SourceRecord } from '../../src/sources/source-file.ts'

export function memorySource(headers: string[], rows: string[][], file = 'hr/people.csv'): SourceFile {
  const records: SourceRecord[] = rows.map((values, i) => ({ line: i + 2, values }))
  return {
    file,
    format: 'csv',
    headers,
    headerLine: 1,
    encoding: 'utf-8',
    delimiter: ',',
    chunks: (async function* () {
      yield records
    })()
  }
}
