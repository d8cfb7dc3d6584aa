import { describe, expect, test } from '@jest/globals'
import { InputError } from '../../src/common/diagnostics.ts'
import { readSettings } from '../../src/settings/settings.ts'
import { jobIdOf, resolveConfig } from '../emulator/config.ts'

const env = { GITHUB_WORKSPACE: '/work/repo', RUNNER_TEMP: '/tmp/runner' }
const emulator = resolveConfig()
/** Apply mode against the emulator's tenant and job. */
const APPLY = {
  files: 'a',
  mode: 'apply',
  'tenant-id': emulator.tenantId,
  'client-id': emulator.clientId,
  'service-principal-id': emulator.servicePrincipalId,
  'job-id': jobIdOf(emulator)
}

function read(inputs: Record<string, string>): ReturnType<typeof readSettings> | string[] {
  try {
    return readSettings((name) => inputs[name] ?? '', env)
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics.map((d) => d.message)
    throw error
  }
}

describe('schema-file and writeback settings', () => {
  test('schema-file is a workspace-relative path, in any mode', () => {
    expect(read({ files: 'a', 'schema-file': './hr/../hr/sync-schema.json' })).toMatchObject({
      schemaFile: 'hr/sync-schema.json'
    })
    expect(read({ files: 'a', 'schema-file': '/etc/passwd' })).toEqual([
      "Input 'schema-file': '/etc/passwd' is outside the workspace; give a path inside the repository."
    ])
  })

  test('writeback-file: apply mode, in the workspace or RUNNER_TEMP, changed records by default', () => {
    expect(read({ ...APPLY, 'writeback-file': 'out/w.csv' })).toMatchObject({
      writeback: { file: '/work/repo/out/w.csv', records: 'changed' }
    })
    expect(
      read({ ...APPLY, 'writeback-file': '/tmp/runner/w.csv', 'writeback-records': 'all' })
    ).toMatchObject({
      writeback: { file: '/tmp/runner/w.csv', records: 'all' }
    })
    expect(read({ ...APPLY, 'writeback-file': '/home/w.csv' })).toEqual([
      "Input 'writeback-file': '/home/w.csv' is outside the workspace; give a path inside the repository."
    ])
    expect(read({ files: 'a', 'writeback-file': 'w.csv' })).toEqual([
      "Input 'writeback-file' needs mode apply (it lists what Entra did)."
    ])
    expect(read({ ...APPLY, 'writeback-file': 'w.csv', 'writeback-records': 'some' })).toEqual([
      "Input 'writeback-records': 'some' is not allowed; use one of changed, all."
    ])
    expect(read({ files: 'a' })).toMatchObject({ writeback: undefined, schemaFile: undefined })
  })
})
