import { describe, expect, test } from '@jest/globals'
import { InputError } from '../../src/common/diagnostics.ts'
import { readSettings } from '../../src/settings/settings.ts'

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
      sources: [{ files: 'hr/*.csv', mapping: undefined }],
      delimiter: 'auto',
      batchSize: 50,
      failOn: 'error',
      maxAnnotations: 10,
      summaryDetail: 'ids'
    })
  })

  test('names the input and its allowed values', () => {
    expect(problems({ files: 'a.csv', mode: 'sync' })).toEqual([
      "Input 'mode': 'sync' is not allowed; use one of plan, apply, report, reconcile."
    ])
    expect(problems({ files: 'a.csv', 'fail-on': 'sometimes' })).toEqual([
      "Input 'fail-on': 'sometimes' is not allowed; use error, warning, never, a number of failed records (e.g. 5) or a percentage of the records sent (e.g. 2%)."
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
    expect(readSettings(reader({ files: 'a.csv' }), env).emptyValues).toBe('clear')
    expect(readSettings(reader({ files: 'a.csv', 'empty-values': 'OMIT' }), env).emptyValues).toBe('omit')
    expect(problems({ files: 'a.csv', 'empty-values': 'null' })).toEqual([
      "Input 'empty-values': 'null' is not allowed; use one of clear, omit."
    ])
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
    expect(settings.sources).toEqual([{ files: 'a.csv', mapping: 'hr/map.yml' }])
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

  test('reads the outcome settings: logs-timeout, not-seen, resubmit-attempts, fail-on thresholds', () => {
    const settings = readSettings(
      reader({
        files: 'a',
        'logs-timeout': '0',
        'not-seen': 'failure',
        'resubmit-attempts': '3',
        'fail-on': '2%'
      }),
      {}
    )
    expect(settings.outcomes).toEqual({
      logsTimeoutMinutes: 0,
      notSeen: 'failure',
      resubmitAttempts: 3,
      failOn: { kind: 'threshold', count: 2, percent: true }
    })
    expect(settings.failOn).toBe('error')
    expect(readSettings(reader({ files: 'a', 'fail-on': '5' }), {}).outcomes.failOn).toEqual({
      kind: 'threshold',
      count: 5,
      percent: false
    })
    expect(readSettings(reader({ files: 'a' }), {}).outcomes).toEqual({
      logsTimeoutMinutes: 15,
      notSeen: 'warning',
      resubmitAttempts: 1,
      failOn: { kind: 'error' }
    })
    expect(problems({ files: 'a', 'fail-on': '150%' })[0]).toMatch(/Input 'fail-on': '150%' is not allowed/)
    expect(problems({ files: 'a', 'not-seen': 'maybe' })[0]).toMatch(/use one of failure, warning, ignore/)
  })

  test('mode report needs previous-report (and no files); resend-from needs mode apply', () => {
    expect(problems({ mode: 'report' }).join('\n')).toMatch(/mode report needs 'previous-report'/)
    expect(problems({ mode: 'report' }).join('\n')).not.toMatch(/'files' is required/)
    expect(problems({ files: 'a', 'resend-from': 'old.json' })[0]).toMatch(/'resend-from' needs mode apply/)
    expect(problems({ files: 'a', 'previous-report': 'old.json' })[0]).toMatch(/read only in mode report/)
  })

  test('reads several sources, each with its mapping, and refuses mixing them with files/mapping', () => {
    const settings = readSettings(
      reader({
        sources:
          '- files: hr/employees/*.csv\n  mapping: hr/employees.yml\n- files: [hr/interns.csv, hr/trainees.csv]'
      }),
      env
    )
    expect(settings.sources).toEqual([
      { files: 'hr/employees/*.csv', mapping: 'hr/employees.yml' },
      { files: 'hr/interns.csv\nhr/trainees.csv', mapping: undefined }
    ])
    expect(problems({ sources: '- files: a.csv', files: 'b.csv' })).toEqual([
      "Inputs 'sources' and 'files'/'mapping' cannot be used together: list every source in 'sources'."
    ])
    expect(problems({ sources: '- mapping: m.yml' })[0]).toMatch(/^Input 'sources', entry 1: write 'files'/)
    expect(problems({ sources: '- files: a.csv\n  mapping: ../m.yml' })[0]).toMatch(/outside the workspace/)
    expect(problems({ sources: 'files: a.csv' })[0]).toMatch(/must be a list of sources/)
  })

  test('reads the review settings: base, delta upload, leavers, safety gates, comment', () => {
    const settings = readSettings(
      reader({
        files: 'a',
        'base-ref': 'hr-sync/last-success',
        'changed-only': 'true',
        leavers: 'disable',
        'max-disables': '100',
        'max-disables-percent': '2.5',
        'allow-mass-changes': 'TRUE',
        comment: 'true',
        'github-token': 'ghs_x'
      }),
      env
    )
    expect(settings.review).toEqual({
      baseRef: 'hr-sync/last-success',
      changedOnly: true,
      leavers: 'disable',
      gates: {
        maxDisables: 100,
        maxDisablesPercent: 2.5,
        maxChangesPercent: 30,
        maxShrinkPercent: 10,
        allowMassChanges: true
      },
      comment: true,
      githubToken: 'ghs_x'
    })
    expect(
      problems({ files: 'a', 'changed-only': 'yes', 'max-shrink-percent': '150', leavers: 'delete' })
    ).toEqual([
      "Input 'changed-only': 'yes' is not allowed; use true or false.",
      "Input 'leavers': 'delete' is not allowed; use one of ignore, disable.",
      "Input 'max-shrink-percent': '150' is not allowed; use a percentage from 0 to 100."
    ])
  })

  test('reports every bad input at once', () => {
    expect(problems({ mode: 'x', 'fail-on': 'y' })).toHaveLength(3)
  })

  test('apply mode: names every missing input at once', () => {
    expect(problems({ files: 'a', mode: 'apply', 'client-id': 'not-a-guid' })).toEqual([
      "mode apply needs 'tenant-id' (the Entra tenant id), 'service-principal-id' (the object id of the provisioning app's service principal), 'job-id' (the provisioning job id, API2AAD.…); they are on the provisioning app's Provisioning page in the Entra admin centre (see the README, Apply mode).",
      "Input 'client-id': 'not-a-guid' is not a GUID."
    ])
  })

  test('apply mode: reads the target, the cloud and the pacing, with overrides only over https', () => {
    const apply = {
      files: 'a',
      mode: 'apply',
      'tenant-id': 'b16687d3-8faf-42ad-b298-92cdcaf01c6e',
      'client-id': '3f6b6a1e-6a8e-4c55-9d55-8f0c1b2a7d10',
      'service-principal-id': '8c1f2e3d-4b5a-4c6d-9e8f-0a1b2c3d4e5f',
      'job-id': 'API2AAD.b16687d38faf42adb29892cdcaf01c6e.1a03de52-b9c3-4e2c-a1e3-9145aaa8e530'
    }
    expect(readSettings(reader({ ...apply, cloud: 'usgovdod' }), env).apply).toMatchObject({
      cloud: 'usgovdod',
      authorityHost: 'https://login.microsoftonline.us',
      authorityOverridden: false,
      graphBaseUrl: 'https://dod-graph.microsoft.us',
      graphVersion: 'v1.0',
      rateLimit: 40,
      dailyCallBudget: undefined,
      maxRetries: 6,
      bucketFullWaitMs: 5 * 60_000,
      uploadTimeoutMs: 60 * 60_000,
      timing: { windowMs: 5000, concurrency: 8, maxWaitMs: Infinity }
    })
    expect(
      readSettings(reader({ ...apply, 'bucket-full-wait': '10', 'upload-timeout': '90' }), env).apply
    ).toMatchObject({ bucketFullWaitMs: 600_000, uploadTimeoutMs: 5_400_000 })
    expect(problems({ ...apply, 'bucket-full-wait': '0' })).toEqual([
      "Input 'bucket-full-wait': '0' is not allowed; use a whole number from 1 to 60."
    ])
    expect(
      readSettings(reader({ ...apply, 'graph-url': 'https://127.0.0.1:8443/', 'daily-call-budget': '100' }), {
        ...env,
        ENTRA_HR_SYNC_MAX_WAIT_MS: '20'
      }).apply
    ).toMatchObject({
      graphBaseUrl: 'https://127.0.0.1:8443',
      dailyCallBudget: 100,
      timing: { maxWaitMs: 20 }
    })
    expect(problems({ ...apply, 'graph-url': 'http://graph.example', cloud: 'mars' })).toEqual([
      "Input 'cloud': 'mars' is not allowed; use one of public, usgov, usgovdod, china.",
      "Input 'graph-url': 'http://graph.example' must be an https origin such as https://host:port (no path)."
    ])
  })
})
