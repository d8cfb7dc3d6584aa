import { describe, expect, test } from '@jest/globals'
import { InputError, type Diagnostic } from '../../src/common/diagnostics.ts'
import { checkColumns } from '../../src/mapping/columns.ts'
import { loadMapping } from '../../src/mapping/load.ts'
import type { SourceFile } from '../../src/sources/source-file.ts'
import { memorySource } from '../helpers/memory-source.ts'

function problems(text: string): Array<Pick<Diagnostic, 'rule' | 'line' | 'column' | 'message'>> {
  try {
    loadMapping(text, 'mapping.yml')
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return error.diagnostics.map(({ rule, line, column, message }) => ({ rule, line, column, message }))
  }
  throw new Error('expected the mapping to be refused')
}

const minimal = `attributes:\n  externalId: "[Id]"\n  active: '"True"'\n`

describe('loadMapping', () => {
  test('reads attributes in order with canonical paths and expression positions', () => {
    const mapping = loadMapping(
      `schemaExtension: urn:x:y:1.0:User\nattributes:\n  externalId: "[Id]"\n  ACTIVE: '"True"'\n  urn:x:y:1.0:User:HireDate: '[Hire]'\n`,
      'mapping.yml'
    )
    expect(mapping.schemaExtension).toBe('urn:x:y:1.0:User')
    expect(mapping.attributes.map((a) => [a.path, a.position.line, a.position.column])).toEqual([
      ['externalId', 3, 16],
      ['active', 4, 12],
      ['urn:x:y:1.0:User:HireDate', 5, 31]
    ])
    expect(mapping.attributes[0]?.expression.attributes).toEqual(['Id'])
  })

  test('reads JSON too', () => {
    const mapping = loadMapping(
      '{"attributes": {"externalId": "[Id]", "active": "\\"True\\""}}',
      'mapping.json'
    )
    expect(mapping.attributes).toHaveLength(2)
  })

  test('reports expression errors at the line and column in the mapping file', () => {
    const found = problems(
      `attributes:\n  externalId: "[Id]"\n  active: '"True"'\n  userName: 'Join("@", Lowr([U]), "x")'\n`
    )
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ rule: 'mapping-expression', line: 4, column: 24 })
    expect(found[0]?.message).toMatch(/^'userName': unknown function "Lowr"/)
  })

  test('reports every problem at once: unknown attribute, duplicates, wrong URN, YAML types', () => {
    const found = problems(
      [
        'schemaExtension: urn:contoso:1.0:User',
        'attributes:',
        '  externalId: "[Id]"',
        '  active: true',
        '  titel: "[Title]"',
        '  Title: "[Title]"',
        '  title: "[Title]"',
        '  urn:fabrikam:1.0:User:HireDate: "[Hire]"',
        'extras: 1',
        ''
      ].join('\n')
    )
    expect(found.map((p) => [p.rule, p.line, p.column, p.message])).toEqual([
      [
        'mapping-structure',
        9,
        1,
        "unknown key 'extras'; the mapping file has schemaExtension and attributes"
      ],
      [
        'mapping-expression',
        4,
        11,
        `'active': the expression must be a string, e.g. '"[Column]"' or a constant in quotes like '"\\"True\\""'`
      ],
      ['mapping-attribute', 5, 3, "unknown attribute 'titel' (did you mean 'title'?)"],
      ['mapping-attribute', 7, 3, "'title' is mapped twice (first at line 6)"],
      [
        'mapping-attribute',
        8,
        3,
        "'urn:fabrikam:1.0:User:HireDate' uses the URN 'urn:fabrikam:1.0:User', not the declared schemaExtension 'urn:contoso:1.0:User'"
      ]
    ])
  })

  test('requires externalId and active', () => {
    expect(problems(`attributes:\n  userName: "[U]"\n`).map((p) => p.message)).toEqual([
      "'externalId' must be mapped: Entra matches users on it",
      `'active' must be mapped: Entra disables the account of a record that omits it (map a constant '"True"' if every row is active)`
    ])
  })

  test('YAML syntax errors have a line and column', () => {
    const found = problems(`attributes:\n  externalId: "[Id]\n  active: x\n`)
    expect(found[0]).toMatchObject({ rule: 'mapping-syntax' })
    expect(found[0]?.line).toBeGreaterThan(1)
  })

  test('warns on multi-valued types Entra ignores', () => {
    const mapping = loadMapping(
      minimal + `  phoneNumbers[type eq "mobile"].value: "[Mobile]"\n`,
      'mapping.yml'
    )
    expect(mapping.warnings.map((w) => [w.rule, w.line, w.severity])).toEqual([
      ['multivalue-type', 4, 'warning']
    ])
  })
})

describe('checkColumns', () => {
  const source = (headers: string[]): SourceFile => memorySource(headers, [])

  test('finds columns case-insensitively and reports missing ones at the reference, with a hint', () => {
    const mapping = loadMapping(
      `attributes:\n  externalId: "[id]"\n  active: 'IIF([Status]="A", "True", "False")'\n`,
      'm.yml'
    )
    expect(checkColumns(mapping, source(['ID', 'Status']))).toEqual([])
    const found = checkColumns(mapping, source(['ID', 'State']))
    expect(found).toEqual([
      {
        severity: 'error',
        rule: 'mapping-unknown-column',
        file: 'm.yml',
        line: 3,
        column: 16,
        message: "'active': column [Status] is not in the header of hr/people.csv (did you mean [State]?)"
      }
    ])
  })
})

describe('functions the action cannot evaluate', () => {
  test('DefaultDomain() is refused at its place in the mapping file, with the fix', () => {
    const found = problems(
      `attributes:\n  externalId: "[Id]"\n  active: '"True"'\n  userName: 'Join("@", [U], DefaultDomain())'\n`
    )
    expect(found).toEqual([
      {
        rule: 'mapping-expression',
        line: 4,
        column: 29,
        message: `'userName': DefaultDomain() is not available in the action, which does not know the tenant's domains; write the domain as a constant ("contoso.com")`
      }
    ])
  })
})
