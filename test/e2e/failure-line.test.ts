/**
 * The step's failure line is an error annotation like any other: it counts against GitHub's 10 per step, it does not
 * repeat a problem already annotated on its line, and a run that stops early still sets the outputs later steps read.
 */
import { describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../helpers/run-action.ts'

const MAPPING = `attributes:
  externalId: '[Id]'
  userName: '[Upn]'
  active: '"True"'
`

function workspaceWith(files: Record<string, string>): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'failure-line-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true })
    writeFileSync(path.join(workspace, name), content)
  }
  return workspace
}

describe('the failure line and the annotation budget', () => {
  test('12 rows with an error: 10 error annotations in all, the failure line included, and one notice for the rest', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `E${i},not a upn ${i}`)
    const workspace = workspaceWith({
      'hr/people.csv': ['Id,Upn', ...rows].join('\n') + '\n',
      'mapping.yml': MAPPING
    })
    const run = await runAction({
      workspace,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'plan' }
    })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.severity === 'error')
    expect(errors).toHaveLength(10)
    expect(errors.filter((a) => a.properties.file === 'hr/people.csv')).toHaveLength(9)
    expect(run.annotations.filter((a) => a.severity === 'notice').map((a) => a.message)).toEqual([
      '3 more problems than GitHub shows as annotations; see the job summary and the JSON report.'
    ])
  })

  test('a mapping error is annotated once, on its line; the failure line points at it; errors and report-file are set', async () => {
    const workspace = workspaceWith({
      'hr/people.csv': 'Id,Upn\nE1,a@contoso.com\n',
      'mapping.yml': MAPPING.replace("'[Upn]'", '\'Joinn("@", [Upn])\'')
    })
    const run = await runAction({
      workspace,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'plan' }
    })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.severity === 'error')
    expect(errors).toHaveLength(2)
    const [located, failure] = errors
    expect(located?.properties).toMatchObject({ file: 'mapping.yml', line: '3' })
    expect(located?.message).toContain('Joinn')
    expect(failure?.properties.file).toBeUndefined()
    expect(failure?.message).toMatch(
      /^The run stopped before reading any record: see the error at mapping\.yml:3:\d+$/
    )
    expect(run.outputs.errors).toBe('1')
    const report = JSON.parse(readFileSync(run.outputs['report-file'] as string, 'utf8'))
    expect(report).toMatchObject({ mode: 'stopped', totals: { errors: 1 } })
    expect(report.diagnostics[0]).toMatchObject({ file: 'mapping.yml', line: 3, rule: expect.any(String) })
  })

  test('an input error without a place is the failure line itself, not also an annotation', async () => {
    const workspace = workspaceWith({ 'mapping.yml': MAPPING })
    const run = await runAction({
      workspace,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'sideways' }
    })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.severity === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toContain('mode')
    expect(run.outputs.errors).toBe('1')
  })
})
