/**
 * End to end: the git-aware review and delta uploads, with dist/index.js run as the runner runs it in real git
 * repositories made in temporary folders. Pull-request review needs no secret and no network; apply runs go to the
 * emulator over HTTPS.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { cpSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator } from '../emulator/index.ts'
import { emulatorRunOptions, runAction } from '../helpers/run-action.ts'
import { createRepo, type TestRepo } from '../unit/git/repo.ts'

const examples = path.join(import.meta.dirname, '..', '..', 'examples')
const HEADER = 'EmployeeID,UserPrincipalName,Status,FirstName,LastName,JobTitle,Email,Department,ManagerID'

function row(id: number, overrides: { status?: string; title?: string; manager?: string } = {}): string {
  const name = `person${id}`
  return [
    `E${id}`,
    `${name}@contoso.example`,
    overrides.status ?? 'Active',
    'First',
    `Last${id}`,
    overrides.title ?? 'Engineer',
    `${name}@contoso.example`,
    // A quoted value with a line break: edits elsewhere in the row must not make it a false mover.
    id % 4 === 0 ? '"Research,\nAnalytics"' : 'Engineering',
    overrides.manager ?? (id === 1 ? '' : 'E1')
  ].join(',')
}

/** A repository whose first commit has people 1–20 and the example mapping. */
function repoWithPeople(): { repo: TestRepo; base: string } {
  const repo = createRepo('review-e2e-')
  cpSync(path.join(examples, 'mapping.yml'), path.join(repo.dir, 'mapping.yml'))
  repo.write('hr/people.csv', [HEADER, ...Array.from({ length: 20 }, (_, i) => row(i + 1))].join('\n') + '\n')
  return { repo, base: repo.commit('base export') }
}

function pullRequestEvent(repo: TestRepo, base: string): Record<string, string> {
  const file = path.join(repo.dir, '..', `${path.basename(repo.dir)}-event.json`)
  writeFileSync(file, JSON.stringify({ number: 7, pull_request: { number: 7, base: { sha: base } } }))
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file }
}

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

describe('pull-request review (plan mode, no secret, no network)', () => {
  test('shows joiners, movers and leavers of the change, with annotations on the changed lines', async () => {
    const { repo, base } = repoWithPeople()
    const people = Array.from({ length: 20 }, (_, i) => i + 1)
      .filter((id) => id !== 5) // a leaver (row removed)
      .map((id) =>
        id === 3
          ? row(id, { title: 'Staff Engineer' })
          : id === 8
            ? row(id, { status: 'Terminated' })
            : row(id)
      )
    people.reverse() // reordering rows changes nothing
    repo.write('hr/people.csv', [HEADER, ...people, row(21)].join('\n') + '\n')
    repo.commit('head export')

    const run = await runAction({
      workspace: repo.dir,
      // A fork's pull request: no id-token, no github-token, yet comment is asked for.
      inputs: {
        files: 'hr/*.csv',
        mapping: 'mapping.yml',
        mode: 'plan',
        comment: 'true',
        'github-token': ''
      },
      env: pullRequestEvent(repo, base)
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ joiners: '1', movers: '1', leavers: '2', records: '20' })
    expect(run.summary).toContain('Leavers')
    expect(run.summary).toContain('E21')
    // Values stay hidden by default: the mover's new title is not shown, only the attribute's name.
    expect(run.summary).toContain('title')
    expect(run.summary).not.toContain('Staff Engineer')
    const notices = run.annotations.filter((a) => a.severity === 'notice')
    expect(notices.some((a) => a.properties.title === 'No pull-request comment')).toBe(true)
    expect(notices.some((a) => a.properties.file === 'hr/people.csv')).toBe(true)
    expect(run.stdout).not.toContain('::add-mask::')
  })

  test('reviews several sources, each through its own mapping', async () => {
    const { repo, base } = repoWithPeople()
    repo.write(
      'interns.yml',
      [
        'attributes:',
        "  externalId: '[InternNo]'",
        `  userName: 'Join("@", [Login], "contoso.example")'`,
        `  active: 'Switch([Active], "False", "yes", "True")'`,
        "  title: '[Team]'"
      ].join('\n') + '\n'
    )
    repo.write('hr/interns/2026.csv', 'InternNo,Login,Active,Team\nI1,ida,yes,Data\nI2,ian,yes,Web\n')
    const withInterns = repo.commit('interns')
    repo.write(
      'hr/interns/2026.csv',
      'InternNo,Login,Active,Team\nI1,ida,yes,Platform\nI2,ian,no,Web\nI3,iris,yes,Web\n'
    )
    repo.commit('interns change')
    const run = await runAction({
      workspace: repo.dir,
      inputs: {
        sources:
          '- files: hr/people.csv\n  mapping: mapping.yml\n- files: hr/interns/*.csv\n  mapping: interns.yml'
      },
      env: pullRequestEvent(repo, withInterns)
    })
    expect(run.exitCode).toBe(0)
    // I1 moved team, I2 left (active turned false), I3 joined; the 20 people did not change.
    expect(run.outputs).toMatchObject({ joiners: '1', movers: '1', leavers: '1', records: '23' })
    expect(base).not.toBe(withInterns)
  })

  test('a mass disable is flagged as a gate an apply run would stop at', async () => {
    const { repo, base } = repoWithPeople()
    repo.write('hr/people.csv', [HEADER, row(1), row(2)].join('\n') + '\n') // a truncated export
    repo.commit('truncated export')
    const run = await runAction({
      workspace: repo.dir,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', leavers: 'disable' },
      env: pullRequestEvent(repo, base)
    })
    expect(run.outputs.leavers).toBe('18')
    const gates = run.annotations.filter((a) => a.properties.title?.startsWith('gate-'))
    expect(gates.map((a) => a.severity)).toContain('warning')
    expect(run.summary).toMatch(/max-shrink-percent/)
  })
})

describe('apply with a base (delta uploads, leavers, safety gates)', () => {
  async function applyRun(repo: TestRepo, inputs: Record<string, string>) {
    emulator ??= await startEmulator({
      deterministic: false,
      processing: { delayMs: 60_000 },
      logs: { rateLimit: { windowMs: 250, maxCalls: 5 } }
    })
    const target = emulatorRunOptions(emulator.env())
    const run = await runAction({
      workspace: repo.dir,
      inputs: { files: 'hr/*.csv', mapping: 'mapping.yml', mode: 'apply', ...target.inputs, ...inputs },
      env: { ...target.env, ENTRA_HR_SYNC_MAX_WAIT_MS: '20' }
    })
    const sent = emulator
      .inspect()
      .requests.filter((r) => r.endpoint === 'graph.bulkUpload' && r.status === 202)
      .flatMap(
        (r) =>
          (JSON.parse(r.body) as { Operations: Array<{ data: { externalId: string; active: boolean } }> })
            .Operations
      )
    return { run, sent }
  }

  test('changed-only sends exactly the changed records, complete, and says how many calls it saved', async () => {
    const { repo } = repoWithPeople()
    repo.git('tag', 'hr-sync/last-success')
    const people = Array.from({ length: 20 }, (_, i) =>
      i + 1 === 7 ? row(7, { title: 'Lead' }) : row(i + 1)
    )
    repo.write('hr/people.csv', [HEADER, ...people, row(21)].join('\n') + '\n')
    repo.commit('head export')

    const { run, sent } = await applyRun(repo, {
      'base-ref': 'hr-sync/last-success',
      'changed-only': 'true',
      'batch-size': '5'
    })
    expect(run.exitCode).toBe(0)
    expect(sent.map((o) => o.data.externalId).sort()).toEqual(['E21', 'E7'])
    // Sent complete, never as a partial diff.
    expect(sent.find((o) => o.data.externalId === 'E7')?.data).toMatchObject({
      active: true,
      userName: 'person7@contoso.example',
      title: 'Lead'
    })
    expect(run.outputs['calls-saved']).toBe('4') // 21 records in requests of 5: 5 calls for all, 1 for the change
    expect(run.summary).toContain(
      'changed-only: 2 records to send, in 1 bulkUpload call; a full upload takes 5 calls, so 4 calls saved.'
    )
  })

  test('a gate stops the upload before anything is sent; the explicit override sends the leavers disabled', async () => {
    const { repo } = repoWithPeople()
    repo.git('tag', 'base')
    repo.write('hr/people.csv', [HEADER, row(1), row(2), row(3)].join('\n') + '\n')
    repo.commit('truncated export')

    const stopped = await applyRun(repo, { 'base-ref': 'base', leavers: 'disable' })
    expect(stopped.run.exitCode).toBe(1)
    expect(stopped.sent).toEqual([])
    expect(stopped.run.stdout).toMatch(/::error::Nothing was sent: .*max-disables/)
    expect(stopped.run.stdout).toContain('allow-mass-changes')

    const allowed = await applyRun(repo, {
      'base-ref': 'base',
      leavers: 'disable',
      'allow-mass-changes': 'true'
    })
    expect(allowed.run.exitCode).toBe(0)
    const disabled = allowed.sent.filter((o) => o.data.active === false).map((o) => o.data.externalId)
    expect(disabled.sort()).toEqual(Array.from({ length: 17 }, (_, i) => `E${i + 4}`).sort())
    expect(
      allowed.run.annotations.some((a) => a.severity === 'warning' && a.properties.title?.startsWith('gate-'))
    ).toBe(true)
  })

  test('changed-only without any base is refused before anything is read', async () => {
    const { repo } = repoWithPeople()
    const { run, sent } = await applyRun(repo, { 'changed-only': 'true' })
    expect(run.exitCode).toBe(1)
    expect(sent).toEqual([])
    expect(run.stdout).toMatch(/changed-only: true' need.* a base .*base-ref/)
  })
})
