import { describe, expect, test } from '@jest/globals'
import { readSettings } from '../../../src/settings/settings.ts'

const env = { GITHUB_WORKSPACE: '/work/repo', RUNNER_TEMP: '/tmp/runner' }
const target = {
  'tenant-id': 'b16687d3-8faf-42ad-b298-92cdcaf01c6e',
  'client-id': '3f6b6a1e-6a8e-4c55-9d55-8f0c1b2a7d10',
  'service-principal-id': '8c1f2e3d-4b5a-4c6d-9e8f-0a1b2c3d4e5f',
  'job-id': 'API2AAD.b16687d38faf42adb29892cdcaf01c6e.1a03de52-b9c3-4e2c-a1e3-9145aaa8e530'
}
const read = (inputs: Record<string, string>) =>
  readSettings((name) => ({ files: 'hr/*.csv', ...inputs })[name] ?? '', env)

describe('mode reconcile settings', () => {
  test('defaults: users with an employeeId, failing on leavers still enabled; sign-in settings are read', () => {
    const settings = read({ mode: 'reconcile', ...target })
    expect(settings.reconcile).toEqual({
      scope: 'employeeId ne null',
      failOn: ['leaver-enabled'],
      fix: false
    })
    expect(settings.apply?.tenantId).toBe(target['tenant-id'])
  })

  test('reads a scope and fail-on classes, and refuses unknown classes and the inputs outside the mode', () => {
    const settings = read({
      mode: 'reconcile',
      ...target,
      'reconcile-scope': "employeeType eq 'Employee'",
      'reconcile-fail-on': 'leaver-enabled, missing,orphan'
    })
    expect(settings.reconcile.failOn).toEqual(['leaver-enabled', 'missing', 'orphan'])
    expect(read({ mode: 'reconcile', ...target, 'reconcile-fail-on': 'never' }).reconcile.failOn).toEqual([])
    expect(() => read({ mode: 'reconcile', ...target, 'reconcile-fail-on': 'orphans' })).toThrow(
      "'orphans' is not a finding class"
    )
    expect(() => read({ 'reconcile-scope': "employeeType eq 'x'" })).toThrow('read only in mode reconcile')
    expect(() => read({ mode: 'reconcile' })).toThrow(/^mode reconcile needs 'tenant-id'/)
    expect(
      read({ mode: 'apply', ...target, reconcile: 'fix', 'reconcile-scope': 'x eq 1' }).reconcile.fix
    ).toBe(true)
    expect(() => read({ mode: 'plan', reconcile: 'fix' })).toThrow("'reconcile: fix' needs mode apply")
  })
})
