import { describe, expect, test } from '@jest/globals'
import { InputError } from '../../src/diagnostics.ts'
import { readSettings } from '../../src/settings.ts'

const env = { GITHUB_WORKSPACE: '/work/repo', RUNNER_TEMP: '/tmp/runner' }
const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? ''

function problems(inputs: Record<string, string>): string[] {
  try {
    readSettings(reader(inputs), env)
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics.map((d) => d.message)
    throw error
  }
  return []
}

describe('readSettings', () => {
  test('reads defaults into a typed object', () => {
    const settings = readSettings(reader({ files: 'hr/*.csv' }), env)
    expect(settings).toMatchObject({
      mode: 'plan',
      workspace: '/work/repo',
      runnerTemp: '/tmp/runner',
      mapping: undefined,
      delimiter: 'auto',
      batchSize: 50,
      failOn: 'error',
      maxAnnotations: 10,
      summaryDetail: 'ids'
    })
  })

  test('names the input and its allowed values', () => {
    expect(problems({ files: 'a.csv', mode: 'sync' })).toEqual([
      "Input 'mode': 'sync' is not allowed; use one of plan, apply, report."
    ])
    expect(problems({ files: 'a.csv', 'fail-on': 'sometimes' })).toEqual([
      "Input 'fail-on': 'sometimes' is not allowed; use one of error, warning, never."
    ])
    expect(problems({ files: 'a.csv', delimiter: 'colon' })).toEqual([
      "Input 'delimiter': 'colon' is not allowed; use auto, comma, semicolon, tab or pipe."
    ])
  })

  test('never allows more than 50 operations per request, nor more than 10 annotations per severity', () => {
    expect(problems({ files: 'a.csv', 'batch-size': '51' })[0]).toMatch(/'batch-size'.*1 to 50/)
    expect(problems({ files: 'a.csv', 'batch-size': '0' })[0]).toMatch(/'batch-size'/)
    expect(problems({ files: 'a.csv', 'max-annotations': '11' })[0]).toMatch(/'max-annotations'.*0 to 10/)
    expect(readSettings(reader({ files: 'a.csv', 'batch-size': '7' }), env).batchSize).toBe(7)
  })

  test('requires files', () => {
    expect(problems({ files: '# only a comment\n' })[0]).toMatch(/'files' is required/)
  })

  test('refuses a mapping or requests folder outside the workspace', () => {
    expect(problems({ files: 'a.csv', mapping: '../other/mapping.yml' })[0]).toMatch(
      /'mapping'.*outside the workspace/
    )
    expect(problems({ files: 'a.csv', 'requests-dir': '/etc/x' })[0]).toMatch(/'requests-dir'.*outside/)
    const settings = readSettings(
      reader({ files: 'a.csv', mapping: './hr/../hr/map.yml', 'requests-dir': '/tmp/runner/req' }),
      env
    )
    expect(settings.mapping).toBe('hr/map.yml')
    expect(settings.requestsDir).toBe('/tmp/runner/req')
  })

  test('accepts delimiter names and characters', () => {
    expect(readSettings(reader({ files: 'a', delimiter: 'tab' }), env).delimiter).toBe('\t')
    expect(readSettings(reader({ files: 'a', delimiter: ';' }), env).delimiter).toBe(';')
    expect(readSettings(reader({ files: 'a', delimiter: 'Pipe' }), env).delimiter).toBe('|')
  })

  test('reads rule severities and rejects unknown rules with a hint', () => {
    const settings = readSettings(
      reader({ files: 'a', rules: 'manager-unknown: error\n# comment\nuserName-missing: off' }),
      env
    )
    expect([...settings.rules]).toEqual([
      ['manager-unknown', 'error'],
      ['userName-missing', 'off']
    ])
    expect(problems({ files: 'a', rules: 'manager-unknwn: error' })[0]).toMatch(
      /line 1: unknown rule 'manager-unknwn' \(did you mean 'manager-unknown'\?\)/
    )
    expect(problems({ files: 'a', rules: 'manager-unknown: fatal' })[0]).toMatch(
      /severity one of error, warning, notice, off/
    )
  })

  test('fails clearly on inputs of later releases instead of ignoring them', () => {
    expect(problems({ files: 'a', mode: 'apply' })[0]).toMatch(/'mode': 'apply' is not implemented yet/)
    expect(problems({ files: 'a', 'changed-only': 'true' })[0]).toMatch(
      /'changed-only' is not implemented yet/
    )
    expect(problems({ files: 'a', 'changed-only': 'false', leavers: 'ignore' })).toEqual([])
  })

  test('reports every bad input at once', () => {
    expect(problems({ mode: 'x', 'fail-on': 'y' })).toHaveLength(3)
  })
})
