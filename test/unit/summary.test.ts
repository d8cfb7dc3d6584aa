import { describe, expect, test } from '@jest/globals'
import type { Diagnostic } from '../../src/common/diagnostics.ts'
import type { Plan } from '../../src/plan/model.ts'
import { renderPlanSummary, renderStoppedSummary } from '../../src/report/job-summary.ts'
import { ValueStore } from '../../src/plan/value-store.ts'
import { loadMapping } from '../../src/mapping/load.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expectGolden } from '../helpers/golden.ts'

const repository = { serverUrl: 'https://github.com', repo: 'contoso/hr-data', sha: '0123abcd' }

function diagnostics(): Diagnostic[] {
  return [
    {
      severity: 'warning',
      rule: 'multivalue-type',
      file: 'mapping.yml',
      line: 9,
      column: 3,
      message: `'phoneNumbers[type eq "mobile"].value': Entra processes only the "work" entry of phoneNumbers; this value will be ignored`
    },
    {
      severity: 'error',
      rule: 'userName-format',
      file: 'hr/employees.csv',
      line: 4,
      externalId: 'E1003',
      message: 'userName is not a UPN of the form local@domain.tld',
      detail: '<script>alert("x")</script> | ada'
    },
    {
      severity: 'error',
      rule: 'externalId-duplicate',
      file: 'hr/employees.csv',
      line: 7,
      externalId: 'E1001',
      message: 'externalId E1001 is also on hr/contractors.csv:3',
      related: [{ file: 'hr/contractors.csv', line: 3 }]
    },
    {
      severity: 'warning',
      rule: 'manager-unknown',
      file: 'hr/contractors.csv',
      line: 5,
      externalId: 'C2002',
      message: 'manager E9999 is not a record of this run'
    },
    {
      severity: 'notice',
      rule: 'object-ignored',
      file: 'hr/contractors.csv',
      line: 6,
      externalId: 'C2003',
      message: 'the mapping returned IgnoreObjectFlow; the record is not sent'
    }
  ]
}

function plan(list: Diagnostic[] = diagnostics()): Plan {
  return {
    files: [
      {
        file: 'hr/employees.csv',
        format: 'csv',
        delimiter: ';',
        encoding: 'utf-8',
        records: 120,
        valid: 118,
        invalid: 2,
        ignored: 0,
        parts: 1,
        mapping: 0
      },
      {
        file: 'hr/contractors.csv',
        format: 'csv',
        delimiter: '\t',
        encoding: 'utf-16le',
        records: 4,
        valid: 2,
        invalid: 1,
        ignored: 1,
        parts: 1,
        mapping: 0
      }
    ],
    records: [],
    diagnostics: list,
    batches: [{ records: [] }, { records: [] }, { records: [] }],
    batchSize: 50,
    mappings: [loadMapping(`attributes:\n  externalId: '[Id]'\n  active: '"True"'\n`, 'mapping.yml')],
    values: new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'values-')), 'store'))
  }
}

describe('renderPlanSummary', () => {
  test('default privacy: ids, files and lines; no values', () => {
    const markdown = renderPlanSummary(plan(), { detail: 'ids', repository })
    expect(markdown).not.toContain('script')
    expect(markdown).not.toContain('ada')
    expectGolden('plan-summary.md', markdown)
  })

  test('summary-detail full shows values, escaped', () => {
    const markdown = renderPlanSummary(plan(), { detail: 'full', repository })
    expect(markdown).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; \\| ada')
    expect(markdown).not.toContain('<script>')
    expectGolden('plan-summary-full.md', markdown)
  })

  test('links are plain text when the repository is unknown (local runs)', () => {
    const markdown = renderPlanSummary(plan(), {
      detail: 'ids',
      repository: { serverUrl: '', repo: '', sha: '' }
    })
    expect(markdown).toContain('| hr/employees.csv:4 | E1003 |')
    expect(markdown).not.toContain('](')
  })

  test('stays within the byte budget, errors first, and says what it left out', () => {
    const flood: Diagnostic[] = Array.from({ length: 30_000 }, (_, i) => ({
      severity: i % 3 === 0 ? 'warning' : 'error',
      rule: 'externalId-missing',
      file: 'hr/employees.csv',
      line: i + 2,
      message: 'externalId is empty; Entra cannot match this record'
    }))
    const markdown = renderPlanSummary(plan(flood), {
      detail: 'ids',
      repository,
      reportFile: '/tmp/report.json'
    })
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(1_000_000)
    expect(Buffer.byteLength(markdown)).toBeGreaterThan(900_000)
    expect(markdown).toContain('### ❌ Errors (20,000)')
    expect(markdown).not.toContain('Warnings (10,000)')
    expect(markdown).toMatch(
      /\*\*\d[\d,]* problems not shown\*\*: the summary reached its size limit \(GitHub accepts 1 MiB\)\. They are all in the JSON report \(\/tmp\/report\.json\)\./
    )
    expect(markdown.trimEnd().endsWith('</sub>')).toBe(true)
  })

  test('a small budget trims gracefully too', () => {
    const markdown = renderPlanSummary(plan(), { detail: 'ids', repository, budgetBytes: 2_000 })
    expectGolden('plan-summary-trimmed.md', markdown)
  })
})

describe('renderStoppedSummary', () => {
  test('lists the input problems', () => {
    const markdown = renderStoppedSummary(
      [
        {
          severity: 'error',
          rule: 'mapping-unknown-column',
          file: 'mapping.yml',
          line: 4,
          column: 14,
          message: `'userName': column [UPN] is not in the header of hr/employees.csv (did you mean [UPNs]?)`
        }
      ],
      { detail: 'ids', repository }
    )
    expectGolden('stopped-summary.md', markdown)
  })
})
