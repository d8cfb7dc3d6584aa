import { execFileSync } from 'node:child_process'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { discoverFiles } from '../../../src/sources/discover.ts'
import { cleanup, inputError, tempDir } from './helpers.ts'

afterAll(cleanup)

let workspace: string
let outside: string

beforeAll(async () => {
  workspace = await tempDir()
  outside = await tempDir()
  const files = [
    'hr/employees.csv',
    'hr/contractors.csv',
    'hr/archive/2023.csv',
    'hr/people.json',
    'hr/people.jsonl',
    'hr/README.md',
    'other/extra.csv',
    'root.csv',
    '.git/config.csv'
  ]
  for (const file of files) {
    await mkdir(path.join(workspace, path.dirname(file)), { recursive: true })
    await writeFile(path.join(workspace, file), 'a,b\n1,2\n')
  }
  await mkdir(path.join(workspace, 'hr/folder.csv')) // a directory named like a file: never returned
  await writeFile(path.join(outside, 'secret.csv'), 'a,b\n1,2\n')
})

const relative = (files: Array<{ relative: string }>) => files.map((f) => f.relative)

describe('discoverFiles', () => {
  test('expands a pattern relative to the workspace, files only, sorted, with POSIX relative paths', async () => {
    const files = await discoverFiles('hr/*.csv', workspace)
    expect(relative(files)).toEqual(['hr/contractors.csv', 'hr/employees.csv'])
    expect(files[0]?.absolute).toBe(path.join(workspace, 'hr/contractors.csv'))
  })

  test('several patterns, comments and blank lines; overlapping matches are listed once', async () => {
    const files = await discoverFiles(
      '# HR exports\n\n  hr/**/*.csv  \nhr/employees.csv\r\n./root.csv\nhr/*.json*\n',
      workspace
    )
    expect(relative(files)).toEqual([
      'hr/archive/2023.csv',
      'hr/contractors.csv',
      'hr/employees.csv',
      'hr/people.json',
      'hr/people.jsonl',
      'root.csv'
    ])
  })

  test('! excludes, in order, as @actions/glob does', async () => {
    expect(relative(await discoverFiles('**/*.csv\n!hr/archive/**\n!other', workspace))).toEqual([
      'hr/contractors.csv',
      'hr/employees.csv',
      'root.csv'
    ])
    // A later pattern includes again what an earlier ! excluded.
    expect(relative(await discoverFiles('hr/*.csv\n!hr/*.csv\nhr/employees.csv', workspace))).toEqual([
      'hr/employees.csv'
    ])
  })

  test('files under .git are never returned', async () => {
    const files = relative(await discoverFiles('**/*.csv', workspace))
    expect(files).toContain('root.csv')
    expect(files.some((file) => file.startsWith('.git/'))).toBe(false)
  })

  test('a directory pattern selects the files under it', async () => {
    expect(relative(await discoverFiles('hr/archive', workspace))).toEqual(['hr/archive/2023.csv'])
  })

  test('an absolute pattern inside the workspace is accepted', async () => {
    expect(relative(await discoverFiles(path.join(workspace, 'root.csv'), workspace))).toEqual(['root.csv'])
  })

  test('each pattern that matches nothing is named', async () => {
    const problems = await inputError(() => discoverFiles('hr/*.csv\nhr/*.xlsx\nmissing/**', workspace))
    expect(problems.map((p) => p.rule)).toEqual(['files-no-match', 'files-no-match'])
    expect(problems[0]?.message).toContain("'hr/*.xlsx'")
    expect(problems[1]?.message).toContain("'missing/**'")
  })

  test('a directory is not a match, and the error says it is a folder', async () => {
    const problems = await inputError(() => discoverFiles('hr/folder.csv', workspace))
    expect(problems).toEqual([expect.objectContaining({ rule: 'files-not-regular' })])
    expect(problems[0]?.message).toContain("'hr/folder.csv' is a folder with no regular file in it")
    expect(problems[0]?.message).not.toContain('matches no file')
  })

  test('a named pipe (FIFO) is never opened, and the error says it is not a regular file', async () => {
    await mkdir(path.join(workspace, 'pipes'))
    execFileSync('mkfifo', [path.join(workspace, 'pipes/feed.csv')])
    const problems = await inputError(() => discoverFiles('pipes/*.csv', workspace))
    expect(problems).toEqual([expect.objectContaining({ rule: 'files-not-regular' })])
    expect(problems[0]?.message).toContain("'pipes/feed.csv' is a named pipe (FIFO), not a regular file")
  })

  test('a pattern 5,000 characters long is quoted cut to a readable length', async () => {
    const pattern = 'x'.repeat(5000) + '.csv'
    const problems = await inputError(() => discoverFiles(pattern, workspace))
    expect(problems[0]?.message.length).toBeLessThan(400)
    expect(problems[0]?.message).toContain('… (5,004 characters)')
  })

  test('exclusions that leave nothing are an error', async () => {
    const problems = await inputError(() => discoverFiles('hr/*.csv\n!hr/**', workspace))
    expect(problems).toEqual([expect.objectContaining({ rule: 'files-no-match' })])
  })

  test('no pattern at all, or only exclusions, is an error', async () => {
    for (const patterns of ['', '# nothing\n\n', '!hr/*.csv']) {
      expect(await inputError(() => discoverFiles(patterns, workspace))).toEqual([
        expect.objectContaining({ rule: 'files-pattern-empty' })
      ])
    }
  })

  test.each([
    ['../', '../*.csv'],
    ['../ in the middle', 'hr/../../x/*.csv'],
    ['an absolute path elsewhere', '/etc/*'],
    ['the home folder', '~/hr.csv'],
    ['a negated ../', '!../x']
  ])('refuses %s, naming the pattern', async (_, pattern) => {
    const problems = await inputError(() => discoverFiles(`hr/*.csv\n${pattern}`, workspace))
    expect(problems).toEqual([expect.objectContaining({ rule: 'files-outside-workspace' })])
    expect(problems[0]?.message).toContain(`'${pattern}'`)
  })

  test('refuses a pattern given as an absolute path to another folder', async () => {
    const problems = await inputError(() => discoverFiles(path.join(outside, '*.csv'), workspace))
    expect(problems).toEqual([expect.objectContaining({ rule: 'files-outside-workspace' })])
  })

  describe('symbolic links', () => {
    let linked: string
    beforeAll(async () => {
      linked = await tempDir()
      await mkdir(path.join(linked, 'hr'))
      await writeFile(path.join(linked, 'hr/ok.csv'), 'a\n1\n')
      await symlink(path.join(outside, 'secret.csv'), path.join(linked, 'hr/file-link.csv'))
      await symlink(outside, path.join(linked, 'dir-link'))
      await symlink(path.join(linked, 'hr/ok.csv'), path.join(linked, 'alias.csv'))
    })

    test('a file link pointing outside is refused, naming the pattern and the path', async () => {
      const problems = await inputError(() => discoverFiles('hr/*.csv', linked))
      expect(problems).toEqual([expect.objectContaining({ rule: 'files-outside-workspace' })])
      expect(problems[0]?.message).toContain("'hr/*.csv'")
      expect(problems[0]?.message).toContain('hr/file-link.csv')
    })

    test('a directory link pointing outside is refused', async () => {
      const problems = await inputError(() => discoverFiles('dir-link/*.csv', linked))
      expect(problems).toEqual([expect.objectContaining({ rule: 'files-outside-workspace' })])
    })

    test('excluding the bad link makes the rest usable', async () => {
      expect(relative(await discoverFiles('hr/*.csv\n!hr/file-link.csv', linked))).toEqual(['hr/ok.csv'])
    })

    test('a link to a file inside the workspace is followed, and the same file is listed once', async () => {
      expect(relative(await discoverFiles('alias.csv', linked))).toEqual(['alias.csv'])
      expect(relative(await discoverFiles('*.csv\nhr/ok.csv', linked))).toEqual(['alias.csv'])
    })
  })

  test('a missing workspace is an error', async () => {
    const problems = await inputError(() => discoverFiles('*.csv', path.join(workspace, 'nope')))
    expect(problems).toEqual([expect.objectContaining({ rule: 'files-workspace' })])
  })
})
