import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadMapping } from '../../src/mapping/load.ts'
import { buildPlan } from '../../src/plan/plan.ts'
import { openSource } from '../../src/sources/open-source.ts'
import { DiagnosticFactory } from '../../src/settings/diagnostic-factory.ts'

const MAPPING = loadMapping(
  `attributes:
  externalId: '[Id]'
  userName: 'Join("@", ToLower([User]), "contoso.com")'
  active: 'Switch([Status], "", "Active", "True", "Gone", "False")'
  title: '[Title]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: '[Manager]'
`,
  'mapping.yml'
)

/** A CSV with multi-line quoted values, quotes, duplicates and bad rows spread through it. */
function writeCsv(rows: number, newline: string): string {
  const lines = ['Id,User,Status,Title,Manager']
  for (let i = 0; i < rows; i++) {
    const id = i === 777 ? 'E100' : `E${i}` // one duplicate externalId
    const title =
      i % 10 === 0 ? `"Head of${newline}""Things"", Inc."` : i % 7 === 0 ? '"Engineer, Systems"' : 'Engineer'
    const status = i % 333 === 0 ? 'Unknown' : i % 5 === 0 ? 'Gone' : 'Active'
    lines.push(
      [
        id,
        i % 500 === 0 ? 'bad user' : `user${i}`,
        status,
        title,
        i === 0 ? '' : `E${Math.floor(i / 3)}`
      ].join(',')
    )
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'parallel-')), 'people.csv')
  writeFileSync(file, lines.join(newline) + newline)
  return file
}

async function plan(file: string, parallel: boolean) {
  const source = await openSource({ absolute: file, relative: 'hr/people.csv' }, { delimiter: 'auto' })
  return buildPlan(MAPPING, [source], {
    batchSize: 50,
    context: { now: () => new Date('2026-01-01T00:00:00Z') },
    diagnostics: new DiagnosticFactory(new Map([['manager-unknown', 'error']])),
    parallel,
    parallelMinBytes: 64 * 1024
  })
}

describe('planning a big file in parts on worker threads', () => {
  test.each(['\n', '\r\n'])('gives exactly the plan of the serial path (newline %j)', async (newline) => {
    const file = writeCsv(20_000, newline)
    const [serial, parallel] = [await plan(file, false), await plan(file, true)]
    expect(parallel.records).toEqual(serial.records)
    expect(parallel.diagnostics).toEqual(serial.diagnostics)
    expect(parallel.batches).toEqual(serial.batches)
    expect(parallel.files.map((f) => f.parts)).toEqual([2])
    expect(serial.files.map((f) => f.parts)).toEqual([1])
    expect(parallel.files.map((f) => ({ ...f, parts: 1 }))).toEqual(serial.files)
    // The data has every kind of problem, so the comparison means something.
    const rules = new Set(serial.diagnostics.map((d) => d.rule))
    expect([...rules].sort()).toEqual([
      'active-missing',
      'externalId-duplicate',
      'manager-unknown',
      'userName-duplicate',
      'userName-format'
    ])
    expect(serial.records.at(-1)?.line).toBe(1 + 20_000 + 2_000)
  })

  test('falls back to the serial path when a split falls inside a quoted value (a bare quote upset the count)', async () => {
    const lines = ['Id,User,Status,Title,Manager', 'E1,u1,Active,5" screen,']
    for (let i = 2; i < 1500; i++) lines.push(`E${i},u${i},Active,Engineer,E1`)
    // A quoted value with many line breaks in the middle of the file; after the bare quote above, the quotes before
    // its inner line breaks look balanced.
    lines.push(`E1500,u1500,Active,"${Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n')}",E1`)
    for (let i = 1501; i < 3000; i++) lines.push(`E${i},u${i},Active,Engineer,E1`)
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'parallel-')), 'people.csv')
    writeFileSync(file, lines.join('\n') + '\n')
    const [serial, parallel] = [await plan(file, false), await plan(file, true)]
    expect(parallel.files[0]?.parts).toBe(1)
    expect(parallel.records).toEqual(serial.records)
    expect(parallel.diagnostics).toEqual(serial.diagnostics)
    expect(serial.records.find((r) => r.externalId === 'E1501')?.line).toBe(1502 + 1999)
  })
})
