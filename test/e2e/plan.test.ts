/**
 * End to end: dist/index.js run as the runner runs it, in plan mode, on HR files with every kind of problem.
 */
import { beforeAll, describe, expect, test } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction, type ActionRun } from '../helpers/run-action.ts'
import { expectGolden } from '../helpers/golden.ts'

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'e2e')
const examples = path.join(import.meta.dirname, '..', '..', 'examples')

function workspaceWith(source: string): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'))
  cpSync(source, workspace, { recursive: true })
  return workspace
}

describe('plan mode on a file with problems', () => {
  let run: ActionRun
  let workspace: string

  beforeAll(async () => {
    workspace = workspaceWith(fixtures)
    run = await runAction({
      workspace,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'plan', 'requests-dir': 'out/requests' }
    })
  })

  test('fails the step (fail-on: error) with a one-line reason and no stack trace', () => {
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('::error::5 errors (5 records will not be sent); see the job summary.')
    expect(run.stdout).not.toMatch(/\n\s+at /)
    expect(run.stderr).toBe('')
  })

  test('sets the outputs', () => {
    expect(run.outputs).toMatchObject({
      records: '8',
      valid: '3',
      invalid: '5',
      errors: '5',
      warnings: '2',
      requests: '1'
    })
    expect(run.outputs['report-file']).toBe(path.join(run.runnerTemp, 'entra-hr-sync-sync.json'))
  })

  test('annotates the line each record starts on, after a multi-line quoted field', () => {
    const located = run.annotations
      .filter((a) => a.properties.file === 'hr/workers.csv')
      .map((a) => [a.severity, a.properties.line, a.properties.title])
    expect(located).toEqual([
      ['error', '3', 'externalId-duplicate'],
      ['error', '5', 'userName-format'],
      ['error', '6', 'expression-error'],
      ['error', '7', 'externalId-duplicate'],
      ['error', '10', 'externalId-missing'],
      // 1002 has its own error and a manager with errors: both are shown at once.
      ['warning', '5', 'manager-unknown'],
      ['warning', '8', 'manager-unknown']
    ])
  })

  test('shows no personal data in annotations or the summary', () => {
    for (const text of [run.stdout, run.summary]) {
      expect(text).not.toMatch(/Lovelace|Turing|a turing|grace@contoso|\+1 555/i)
    }
    expect(run.summary).toContain(
      '| 1001 | externalId-duplicate | externalId 1001 is also on hr/workers.csv:7 |'
    )
    expect(run.summary).toContain(
      'https://github.com/contoso/hr-data/blob/0123456789abcdef0123456789abcdef01234567/hr/workers.csv#L5'
    )
    // The README's picture of a job summary is rendered from this file (scripts/pictures.ts).
    expectGolden('e2e-plan-summary.md', run.summary)
  })

  test('writes the JSON report with every diagnostic and the records not sent', () => {
    const report = JSON.parse(readFileSync(run.outputs['report-file'] as string, 'utf8'))
    expect(report.totals).toEqual({
      records: 8,
      valid: 3,
      invalid: 5,
      ignored: 0,
      errors: 5,
      warnings: 2,
      notices: 0
    })
    expect(report.diagnostics).toHaveLength(7)
    // The records that will not be sent, each with its status; the valid ones are counted in the totals.
    expect(report.notSent.map((r: { line: number; status: string }) => `${r.line}:${r.status}`)).toEqual([
      '3:invalid',
      '5:invalid',
      '6:invalid',
      '7:invalid',
      '10:invalid'
    ])
    expect(JSON.stringify(report)).not.toContain('a turing')
  })

  test('writes the exact bulk request it would send: complete records, managers first, no invalid record', () => {
    const folder = path.join(workspace, 'out', 'requests')
    expect(readdirSync(folder)).toEqual(['request-0001.json'])
    const request = JSON.parse(readFileSync(path.join(folder, 'request-0001.json'), 'utf8'))
    expect(request.Operations.map((o: { bulkId: string }) => o.bulkId)).toEqual(['1000', '1004', '1005'])
    expect(request.Operations[0]).toEqual({
      method: 'POST',
      bulkId: '1000',
      path: '/Users',
      data: {
        schemas: [
          'urn:ietf:params:scim:schemas:core:2.0:User',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
          'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
        ],
        externalId: '1000',
        userName: 'ghopper@contoso.com',
        active: true,
        displayName: 'Grace Hopper',
        title: 'CEO',
        name: { givenName: 'Grace', familyName: 'Hopper' },
        emails: [{ type: 'work', value: 'grace@contoso.com' }],
        phoneNumbers: [{ type: 'work', value: '+1 555 0100' }],
        addresses: [{ type: 'work', locality: 'New York' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Executive' },
        'urn:ietf:params:scim:schemas:extension:contoso:1.0:User': { HireDate: '2020-01-06T00:00:00Z' }
      }
    })
    expect(request.Operations[2].data.active).toBe(false)
    expect(
      request.Operations[2].data['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].manager
    ).toEqual({
      value: '1000'
    })
    // Its phone cell is empty: sent as an explicit null so Entra clears the number (empty-values: clear, the default).
    expect(request.Operations[1].data.phoneNumbers).toEqual([{ type: 'work', value: null }])
  })
})

describe('plan mode on the examples', () => {
  test('passes, with a summary and no annotations, when the files are clean', async () => {
    const workspace = workspaceWith(examples)
    const run = await runAction({
      workspace,
      inputs: { files: 'hr/*.csv\n# comment\n', mapping: 'mapping.yml' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.annotations).toEqual([])
    expect(run.outputs).toMatchObject({
      records: '10',
      valid: '10',
      invalid: '0',
      errors: '0',
      requests: '1'
    })
    expect(run.summary).toContain('10 records would be sent in 1 bulk request')
  })

  test('uses the built-in default mapping when none is given', async () => {
    const workspace = workspaceWith(examples)
    const run = await runAction({ workspace, inputs: { files: 'hr/employees.csv' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.valid).toBe('8')
  })
})

describe('plan mode stops before any row on bad input', () => {
  test('a mapping column missing from a file is reported at the mapping line and column', async () => {
    const broken = workspaceWith(fixtures)
    const bad = await runAction({
      workspace: broken,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', delimiter: 'semicolon' }
    })
    expect(bad.exitCode).toBe(1)
    expect(bad.annotations[0]).toMatchObject({
      severity: 'error',
      properties: { file: 'mapping.yml', title: 'mapping-unknown-column' }
    })
    expect(bad.summary).toContain('stopped')
    // Later steps can still react: the error count and a report listing the problems.
    expect(Object.keys(bad.outputs).sort()).toEqual(['errors', 'report-file'])
    expect(Number(bad.outputs.errors)).toBeGreaterThan(0)
  })

  test('a bad input names the input and its allowed values', async () => {
    const run = await runAction({
      workspace: workspaceWith(examples),
      inputs: { files: 'hr/*.csv', 'fail-on': 'maybe' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      "::error::Input 'fail-on': 'maybe' is not allowed; use error, warning, never, a number of failed records (e.g. 5) or a percentage of the records sent (e.g. 2%25)."
    )
  })

  test('a glob that matches nothing is an error naming it', async () => {
    const run = await runAction({ workspace: workspaceWith(examples), inputs: { files: 'hr/*.xlsx' } })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error.*hr\/\*\.xlsx/)
  })
})

describe('several sources, each with its mapping', () => {
  test('plans them as one run: own columns and mappings, duplicates across sources, payloads per mapping', async () => {
    const workspace = workspaceWith(examples)
    writeFileSync(
      path.join(workspace, 'hr', 'interns.csv'),
      [
        'InternNo,Login,Given,Family,Mentor',
        'I1,ida.intern,Ida,Intern,E1001',
        'E1002,ian.intern,Ian,Intern,E1001'
      ]
        .join('\n')
        .concat('\n')
    )
    writeFileSync(
      path.join(workspace, 'interns.yml'),
      [
        'attributes:',
        "  externalId: '[InternNo]'",
        `  userName: 'Join("@", [Login], "contoso.example")'`,
        `  active: '"True"'`,
        `  userType: '"Intern"'`,
        "  name.givenName: '[Given]'",
        "  name.familyName: '[Family]'",
        "  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: '[Mentor]'"
      ].join('\n') + '\n'
    )
    const run = await runAction({
      workspace,
      inputs: {
        sources:
          '- files: hr/employees.csv\n  mapping: mapping.yml\n- files: hr/interns.csv\n  mapping: interns.yml',
        'requests-dir': 'out'
      }
    })
    expect(run.exitCode).toBe(1)
    // E1002 is an employee and, by mistake, an intern: both lines are errors, neither record is sent.
    expect(
      run.annotations
        .filter((a) => a.properties.title === 'externalId-duplicate')
        .map((a) => `${a.properties.file}:${a.properties.line}`)
    ).toEqual(['hr/employees.csv:4', 'hr/interns.csv:3'])
    expect(run.outputs).toMatchObject({ records: '10', valid: '8', invalid: '2' })
    const request = JSON.parse(readFileSync(path.join(workspace, 'out', 'request-0001.json'), 'utf8'))
    const byId = new Map(
      request.Operations.map((o: { bulkId: string; data: Record<string, unknown> }) => [o.bulkId, o.data])
    )
    expect(byId.get('I1')).toMatchObject({ userName: 'ida.intern@contoso.example', userType: 'Intern' })
    expect(byId.get('E1001')).toMatchObject({
      userName: 'ada.lovelace@contoso.example',
      title: 'Head of Engineering'
    })
    expect(byId.get('E1001')).not.toHaveProperty('userType')
    expect(run.summary).toContain('Mapping: mapping.yml, interns.yml.')
  })

  test('a file matched by two sources is refused', async () => {
    const run = await runAction({
      workspace: workspaceWith(examples),
      inputs: { sources: '- files: hr/*.csv\n  mapping: mapping.yml\n- files: hr/employees.csv' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(
      /::error [^:]*file=hr\/employees\.csv[^:]*::Input 'sources': this file is matched by sources 1 and 2/
    )
  })
})
