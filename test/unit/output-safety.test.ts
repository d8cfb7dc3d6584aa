/**
 * The helpers behind the output-side guarantees of docs/security.md: one log-line escaping, path confinement,
 * redaction by structure, neutralised mentions and links, the spreadsheet formula guard, secret inputs.
 * End to end, the same guarantees are checked on the bundled action in test/hostile/output.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { marked } from 'marked'
import { confinePath } from '../../src/common/confine.ts'
import { InputError } from '../../src/common/diagnostics.ts'
import { escapeLogLine } from '../../src/common/log-escape.ts'
import { HIDDEN_TEXT, publicCode, publicNote, publicText } from '../../src/outcomes/privacy.ts'
import { text } from '../../src/common/markdown.ts'
import { secretValues } from '../../src/settings/secret-inputs.ts'
import type { ApplySettings } from '../../src/settings/settings.ts'
import { guardFormula, unguardFormulas } from '../../src/sources/spreadsheet.ts'

describe('escapeLogLine', () => {
  test.each([
    ['a\n::error::x', 'a%0A::error::x'],
    ['a\r\n::add-mask::x', 'a%0D%0A::add-mask::x'],
    ['::stop-commands::t', '%3A:stop-commands::t'],
    ['  ::warning::x', '  %3A:warning::x'],
    ['file ##[error]x', 'file ##%5Berror]x'],
    ['100% of %0A', '100%25 of %250A'],
    ['plain: text, ünïcode', 'plain: text, ünïcode']
  ])('%j → %j', (input, output) => {
    const escaped = escapeLogLine(input)
    expect(escaped).toBe(output)
    expect(escaped).not.toMatch(/[\r\n]|^\s*::|##\[/)
  })
})

describe('confinePath', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'confine-'))
  const workspace = path.join(base, 'ws')
  const temp = path.join(base, 'temp')
  const outside = path.join(base, 'outside')
  for (const dir of [workspace, temp, outside, path.join(workspace, 'hr')])
    mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(outside, 'payroll.csv'), 'x')
  writeFileSync(path.join(workspace, 'hr', 'a.csv'), 'x')
  symlinkSync(outside, path.join(workspace, 'out'))
  symlinkSync(path.join(outside, 'missing.json'), path.join(workspace, 'dangling.json'))
  symlinkSync(path.join(workspace, 'hr'), path.join(workspace, 'people'))
  symlinkSync('loop2', path.join(workspace, 'loop1'))
  symlinkSync('loop1', path.join(workspace, 'loop2'))
  const roots = { roots: [workspace, temp], what: "Input 'x'" }
  const refused = async (value: string): Promise<string> => {
    const error = await confinePath(value, roots).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }

  test('paths inside the workspace or RUNNER_TEMP, through links that stay inside, are resolved', async () => {
    expect(await confinePath('hr/a.csv', roots)).toBe(path.join(workspace, 'hr', 'a.csv'))
    expect(await confinePath('people/a.csv', roots)).toBe(path.join(workspace, 'hr', 'a.csv'))
    expect(await confinePath('new/dir', roots)).toBe(path.join(workspace, 'new', 'dir'))
    expect(await confinePath(path.join(temp, 'r.json'), roots)).toBe(path.join(temp, 'r.json'))
  })

  test('outside, lexically: one message whether or not the path exists', async () => {
    expect(await refused('../outside/payroll.csv')).toBe(
      "Input 'x': '../outside/payroll.csv' is outside the workspace; only files inside the workspace (the repository) or RUNNER_TEMP can be used."
    )
    expect(await refused('../outside/nothing.csv')).toContain(
      "'../outside/nothing.csv' is outside the workspace;"
    )
    expect(await refused(path.join(outside, 'payroll.csv'))).toContain('is outside the workspace')
  })

  test('links out of the workspace, also to a target that does not exist, and loops', async () => {
    expect(await refused('out/payroll.csv')).toContain(
      "'out/payroll.csv' leads outside the workspace through a symbolic link"
    )
    expect(await refused('out')).toContain('leads outside the workspace through a symbolic link')
    expect(await refused('dangling.json')).toContain('leads outside the workspace through a symbolic link')
    expect(await refused('loop1')).toContain('goes through too many symbolic links')
  })
})

describe('redaction by structure (summary-detail: ids)', () => {
  const reasons = [
    "Another object with the same value for property userPrincipalName 'sean.o'brien@contoso.example' already exists.",
    'The userPrincipalName "jo "the boss" smith@contoso.example" is not valid.',
    'Le nom d’utilisateur « zoë.ñúñez-o’hara@contoso.example » existe déjà.',
    'Value 田中太郎 rejected',
    'unquoted sean@contoso.example in the middle'
  ]

  test.each(reasons)('free text: %s', (reason) => {
    expect(publicText(reason, false)).toBe(HIDDEN_TEXT)
    expect(publicText(reason, true)).toBe(reason)
    expect(publicNote({ outcome: 'warning', note: reason }, false)).toBe(HIDDEN_TEXT)
    expect(publicNote({ outcome: 'skipped', note: reason }, false)).toBe(HIDDEN_TEXT)
  })

  test('codes are shown when they have the shape of one; the action’s own notes always', () => {
    expect(publicCode('AzureActiveDirectoryInvalidUserPrincipalName', false)).toBe(
      'AzureActiveDirectoryInvalidUserPrincipalName'
    )
    expect(publicCode('nonServiceFailure', false)).toBe('nonServiceFailure')
    expect(publicCode("o'brien@contoso.example", false)).toBe(HIDDEN_TEXT)
    expect(publicCode('Zoë', false)).toBe(HIDDEN_TEXT)
    expect(publicNote({ outcome: 'skipped', note: 'NotEffectivelyEntitled' }, false)).toBe(
      'NotEffectivelyEntitled'
    )
    expect(publicNote({ outcome: 'skipped', note: 'no change' }, false)).toBe('no change')
    expect(
      publicNote({ outcome: 'warning', note: 'The provisioning service reported a warning.' }, false)
    ).toBe('The provisioning service reported a warning.')
    expect(publicText('', false)).toBe('')
  })
})

describe('mentions, links and references in summaries and comments', () => {
  const render = (value: string): string => marked.parse(text(value), { gfm: true, async: false })

  test.each([
    '@octocat',
    'cc @org/team please',
    'https://evil.example/path',
    'see www.evil.example',
    'mail sean@evil.example',
    'fixes #12'
  ])('%s reads the same but is neither a mention nor a link', (value) => {
    const html = render(value)
    expect(html).not.toContain('<a')
    const visible = html.replace(/<[^>]+>/g, '').trim()
    expect(visible).not.toMatch(/(^|[^\w])@[a-z0-9]|https?:\/\/|www\.|#\d/i)
    expect(visible.replace(/\u2060/g, '')).toBe(value)
  })

  test('entities stay whole', () => {
    expect(text("o'brien #1")).toBe('o&#39;brien \\#\u20601')
  })
})

describe('spreadsheet formula guard', () => {
  test.each([
    ['=HYPERLINK("x")', '\'=HYPERLINK("x")'],
    ['+cmd', "'+cmd"],
    ['-2', "'-2"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ["'=x", "''=x"],
    ["o'brien", "o'brien"],
    ['a=b', 'a=b'],
    ['', '']
  ])('%j ↔ %j', (value, guarded) => {
    expect(guardFormula(value)).toBe(guarded)
    const read = [guarded]
    unguardFormulas(read)
    expect(read).toEqual([value])
  })
})

describe('secret inputs', () => {
  const apply = (values: Partial<ApplySettings>): ApplySettings => values as ApplySettings

  test('the whole value, and each line of a PEM except its boundary lines', () => {
    expect(secretValues(undefined)).toEqual([])
    expect(secretValues(apply({ clientSecret: 's3cr3t~value' }))).toEqual(['s3cr3t~value'])
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQ==\n-----END PRIVATE KEY-----'
    expect(secretValues(apply({ clientCertificate: pem }))).toEqual([pem, 'MIIEvQIBADANBgkqhkiG9w0B'])
  })
})
