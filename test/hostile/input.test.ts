/**
 * Hostile input, end to end: the bundled action (dist/index.js) in plan mode, as the runner runs it, on HR files and
 * mappings an attacker with push or pull-request access could commit. Every case must finish in seconds (no
 * catastrophic regex, no unbounded recursion, no file read whole) and end with a clear error at the file and line
 * (and column or field) of the problem, never a stack trace, never a flood of log.
 */
import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction, type ActionRun } from '../helpers/run-action.ts'

/** Every case is bounded: well under this, or the test fails on time. */
const CASE_TIMEOUT_MS = 30_000

const MAPPING_HEAD = 'schemaExtension: urn:ietf:params:scim:schemas:extension:contoso:1.0:User\nattributes:\n'

/** A workspace holding `files` (relative path → content) and a mapping with `attributes` (YAML lines). */
function workspaceWith(files: Record<string, string | Buffer>, attributes: readonly string[]): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'hostile-input-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true })
    writeFileSync(path.join(workspace, name), content)
  }
  writeFileSync(
    path.join(workspace, 'mapping.yml'),
    MAPPING_HEAD + attributes.map((a) => `  ${a}\n`).join('')
  )
  return workspace
}

/** Lines 3 to 5 of the mapping; a case's own attributes start at line 6. */
const BASE_ATTRIBUTES = [
  'externalId: "[WorkerID]"',
  `userName: 'Join("@", [WorkerID], "contoso.com")'`,
  `active: '"True"'`
]

async function plan(workspace: string, files: string): Promise<ActionRun> {
  return runAction({ workspace, inputs: { files, mapping: 'mapping.yml', mode: 'plan' } })
}

/** No stack trace and nothing on stderr: the run ended through the action's own error handling. */
function expectCleanEnd(run: ActionRun): void {
  expect(run.stdout).not.toMatch(/\n\s+at /)
  expect(run.stdout).not.toContain('Unexpected error')
  expect(run.stderr).toBe('')
}

function annotationsAt(
  run: ActionRun,
  file: string
): Array<[string | undefined, string | undefined, string]> {
  return run.annotations
    .filter((a) => a.properties.file === file)
    .map((a) => [a.properties.line, a.properties.title, a.message])
}

describe('regular expressions that backtrack catastrophically elsewhere', () => {
  test(
    'in the mapping and in an HR column: the run finishes with the right results',
    async () => {
      const rows = [
        ['1', 'a'.repeat(34) + '!', '(\\w+\\s?)+$'],
        ['2', 'a'.repeat(34), '^(a|aa)+$'],
        ['3', 'word '.repeat(2_000) + '!', '(\\w+\\s?)+$']
      ]
      const workspace = workspaceWith(
        { 'hr/people.csv': 'WorkerID,FirstName,Pattern\n' + rows.map((r) => r.join(',')).join('\n') + '\n' },
        [
          ...BASE_ATTRIBUTES,
          // Custom attributes: Entra sets no length limit on them, so the 10,000-character value stays valid.
          `urn:ietf:params:scim:schemas:extension:contoso:1.0:User:Nested: 'Replace([FirstName], , "^(a+)+$", , "x", , )'`,
          `urn:ietf:params:scim:schemas:extension:contoso:1.0:User:FromColumn: 'Replace([FirstName], , [Pattern], , "x", , )'`
        ]
      )
      const run = await plan(workspace, 'hr/*.csv')
      expectCleanEnd(run)
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({ records: '3', valid: '3', errors: '0' })
    },
    CASE_TIMEOUT_MS
  )

  test(
    'lookahead in the mapping stops the run at its position in mapping.yml',
    async () => {
      const workspace = workspaceWith({ 'hr/people.csv': 'WorkerID,FirstName\n1,Ann\n' }, [
        ...BASE_ATTRIBUTES,
        `name.givenName: 'Replace([FirstName], , "A(?=n)", , "x", , )'`
      ])
      const run = await plan(workspace, 'hr/*.csv')
      expectCleanEnd(run)
      expect(run.exitCode).toBe(1)
      const [annotation] = annotationsAt(run, 'mapping.yml')
      expect(annotation?.[0]).toBe('6')
      expect(annotation?.[2]).toContain('lookahead')
      expect(annotation?.[2]).toContain('at position 2 of the pattern')
    },
    CASE_TIMEOUT_MS
  )

  test(
    'lookahead or a back-reference in an HR column is an error on that record only, at its line',
    async () => {
      const workspace = workspaceWith(
        { 'hr/people.csv': 'WorkerID,FirstName,Pattern\n1,Ann,A(?=n)\n2,Bob,b\n3,Cy,(C)\\1\n' },
        [...BASE_ATTRIBUTES, `title: 'Replace([FirstName], , [Pattern], , "x", , )'`]
      )
      const run = await plan(workspace, 'hr/*.csv')
      expectCleanEnd(run)
      expect(run.outputs).toMatchObject({ records: '3', valid: '1', invalid: '2' })
      const located = annotationsAt(run, 'hr/people.csv')
      expect(located.map(([line, title]) => [line, title])).toEqual([
        ['2', 'expression-error'],
        ['4', 'expression-error']
      ])
      expect(located[0]?.[2]).toContain('lookahead')
      expect(located[1]?.[2]).toContain('back-references')
    },
    CASE_TIMEOUT_MS
  )
})

describe('files built to break the readers', () => {
  test(
    'a NUL byte after the first 4 KiB of a CSV is an error on that record, naming the column',
    async () => {
      const filler = Array.from({ length: 600 }, (_, i) => `${1000 + i},Name${i}`).join('\n')
      const workspace = workspaceWith(
        { 'hr/people.csv': `WorkerID,FirstName\n${filler}\n9999,Bad\u0000Name\n` },
        [...BASE_ATTRIBUTES, 'name.givenName: "[FirstName]"']
      )
      const run = await plan(workspace, 'hr/*.csv')
      expectCleanEnd(run)
      expect(run.outputs).toMatchObject({ records: '601', invalid: '1' })
      const [annotation] = annotationsAt(run, 'hr/people.csv')
      expect(annotation?.slice(0, 2)).toEqual(['602', 'value-nul'])
      expect(annotation?.[2]).toContain('column 2 (FirstName)')
    },
    CASE_TIMEOUT_MS
  )

  test(
    'a \\u0000 escape in a JSON value is an error on that record',
    async () => {
      const json =
        '[\n{"WorkerID": "1", "FirstName": "Ann"},\n{"WorkerID": "2", "FirstName": "B\\u0000b"}\n]\n'
      const workspace = workspaceWith({ 'hr/people.json': json }, [
        ...BASE_ATTRIBUTES,
        'name.givenName: "[FirstName]"'
      ])
      const run = await plan(workspace, 'hr/*.json')
      expectCleanEnd(run)
      expect(run.outputs).toMatchObject({ records: '2', valid: '1', invalid: '1' })
      expect(annotationsAt(run, 'hr/people.json').map(([line, title]) => [line, title])).toEqual([
        ['3', 'value-nul']
      ])
    },
    CASE_TIMEOUT_MS
  )

  test(
    'JSON nested 3,000 levels deep stops the run at its line with a specific error',
    async () => {
      const deep = '{"WorkerID": "2", "x": ' + '['.repeat(3000) + ']'.repeat(3000) + '}'
      const workspace = workspaceWith(
        { 'hr/people.json': `[\n{"WorkerID": "1"},\n${deep}\n]\n` },
        BASE_ATTRIBUTES
      )
      const run = await plan(workspace, 'hr/*.json')
      expectCleanEnd(run)
      expect(run.exitCode).toBe(1)
      const [annotation] = annotationsAt(run, 'hr/people.json')
      expect(annotation?.slice(0, 2)).toEqual(['3', 'json-too-deep'])
      expect(annotation?.[2]).toContain('more than 64 levels deep')
    },
    CASE_TIMEOUT_MS
  )

  test(
    '1,500 nested calls in an expression stop the run at mapping.yml, naming the limit',
    async () => {
      const nested = 'Trim('.repeat(1500) + '[FirstName]' + ')'.repeat(1500)
      const workspace = workspaceWith({ 'hr/people.csv': 'WorkerID,FirstName\n1,Ann\n' }, [
        ...BASE_ATTRIBUTES,
        `name.givenName: '${nested}'`
      ])
      const run = await plan(workspace, 'hr/*.csv')
      expectCleanEnd(run)
      expect(run.exitCode).toBe(1)
      const [annotation] = annotationsAt(run, 'mapping.yml')
      expect(annotation?.[0]).toBe('6')
      expect(annotation?.[2]).toContain('nested more than 100 levels deep')
    },
    CASE_TIMEOUT_MS
  )

  test(
    'a 5 MB duplicate header name is quoted cut short, and the stopped summary shows the problem',
    async () => {
      const long = 'H'.repeat(5_000_000)
      const workspace = workspaceWith(
        { 'hr/people.csv': `WorkerID,${long},${long}\n1,a,b\n` },
        BASE_ATTRIBUTES
      )
      const run = await plan(workspace, 'hr/*.csv')
      expectCleanEnd(run)
      expect(run.exitCode).toBe(1)
      expect(run.stdout.length).toBeLessThan(20_000)
      expect(run.summary.length).toBeLessThan(20_000)
      expect(run.summary).toContain('csv-header-duplicate')
      expect(run.summary).toContain('(5,000,000 characters)')
      expect(annotationsAt(run, 'hr/people.csv').map(([line, title]) => [line, title])).toEqual([
        ['1', 'csv-header-duplicate']
      ])
    },
    CASE_TIMEOUT_MS
  )

  test(
    'a folder or a named pipe matched by files is named as not a regular file (the pipe is never opened)',
    async () => {
      const workspace = workspaceWith({ 'hr/people.csv': 'WorkerID\n1\n' }, BASE_ATTRIBUTES)
      mkdirSync(path.join(workspace, 'hr/empty.csv'))
      execFileSync('mkfifo', [path.join(workspace, 'hr/pipe.csv')])
      const run = await plan(workspace, 'hr/empty.csv\nhr/pipe.csv')
      expectCleanEnd(run)
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain("'hr/empty.csv' is a folder with no regular file in it")
      expect(run.stdout).toContain("'hr/pipe.csv' is a named pipe (FIFO), not a regular file")
      expect(run.stdout).not.toContain('matches no file')
    },
    CASE_TIMEOUT_MS
  )
})
