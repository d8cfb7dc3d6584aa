import { describe, expect, test } from '@jest/globals'
import { loadMapping } from '../../src/mapping/load.ts'
import { checkAgainstSchema, renderAttributeFlow, suggest } from '../../src/mapping/schema-check.ts'
import {
  SchemaFormatError,
  readSchemaView,
  schemaDifferences,
  schemaView
} from '../../src/mapping/schema-model.ts'
import { DiagnosticFactory } from '../../src/settings/diagnostic-factory.ts'

const CONTOSO = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

const attribute = (name: string): Record<string, unknown> => ({
  anchor: false,
  caseExact: false,
  flowNullValues: false,
  multivalued: false,
  mutability: 'ReadWrite',
  name,
  required: false,
  type: 'String',
  apiExpressions: [],
  metadata: [],
  referencedObjects: []
})
const direct = (source: string, target: string, flowType = 'Always'): Record<string, unknown> => ({
  defaultValue: null,
  exportMissingReferences: false,
  flowBehavior: 'FlowWhenChanged',
  flowType,
  matchingPriority: 0,
  source: { expression: `[${source}]`, name: source, parameters: [], type: 'Attribute' },
  targetAttributeName: target
})

/**
 * A synchronizationSchema in the shape of Graph's reference. The Entra directory comes first and the API directory
 * is not called "API", so the reader must follow the rule, not a position or a name.
 */
function schema(): Record<string, unknown> {
  return {
    id: 'API2AAD.x.y',
    version: 'Date:2026-11-30T10:00:00Z',
    directories: [
      {
        id: 'aad',
        name: 'Azure Active Directory',
        objects: [{ name: 'User', attributes: [attribute('mail')] }]
      },
      {
        id: 'src',
        name: 'Inbound API',
        objects: [
          {
            name: 'User',
            attributes: [
              'externalId',
              'userName',
              'active',
              'name.givenName',
              'name.familyName',
              `${ENTERPRISE}:department`,
              `${CONTOSO}:HireDate`,
              `${CONTOSO}:CostCode`
            ].map(attribute)
          }
        ]
      }
    ],
    synchronizationRules: [
      {
        editable: true,
        id: 'API2AAD',
        metadata: [],
        name: 'API2AAD',
        priority: 1,
        sourceDirectoryName: 'Inbound API',
        targetDirectoryName: 'Azure Active Directory',
        objectMappings: [
          {
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: [],
            name: 'Provision API User',
            scope: null,
            sourceObjectName: 'User',
            targetObjectName: 'User',
            attributeMappings: [
              direct('externalId', 'employeeId'),
              direct('userName', 'userPrincipalName'),
              direct('active', 'accountEnabled'),
              direct(`${ENTERPRISE}:department`, 'department'),
              direct(`${CONTOSO}:HireDate`, 'employeeHireDate', 'ObjectAddOnly'),
              {
                ...direct('x', 'displayName'),
                source: {
                  expression: 'Join(" ", [name.givenName], [name.familyName])',
                  name: 'Join',
                  type: 'Function',
                  parameters: [
                    { key: 'separator', value: { name: ' ', type: 'Constant', parameters: [] } },
                    { key: 'source1', value: { name: 'name.givenName', type: 'Attribute', parameters: [] } },
                    { key: 'source2', value: { name: 'name.familyName', type: 'Attribute', parameters: [] } }
                  ]
                }
              }
            ]
          }
        ]
      }
    ]
  }
}

const MAPPING = `attributes:
  externalId: '[EmployeeID]'
  userName: '[UPN]'
  active: '"True"'
  name.givenName: '[First]'
  ${ENTERPRISE}:department: '[Dept]'
  ${CONTOSO}:HireDat: '[Hired]'
  ${CONTOSO}:CostCode: '[Cost]'
`

describe('readSchemaView', () => {
  test('finds the source through the synchronization rule and reads every attribute a mapping reads', () => {
    const view = schemaView(schema())
    expect(view.sourceDirectory).toBe('Inbound API')
    expect(view.sourceObject).toBe('User')
    expect(view.attributes).toContain(`${CONTOSO}:CostCode`)
    expect(view.attributes).not.toContain('mail')
    const displayName = view.flows.find((f) => f.target === 'displayName')
    expect(displayName).toMatchObject({
      sourceType: 'Function',
      sourceAttributes: ['name.givenName', 'name.familyName']
    })
    expect(view.version).toBe('Date:2026-11-30T10:00:00Z')
  })

  test('a disabled object mapping maps nothing', () => {
    const raw = schema()
    const rule = (raw.synchronizationRules as Array<{ objectMappings: Array<{ enabled: boolean }> }>)[0]!
    rule.objectMappings[0]!.enabled = false
    expect(schemaView(raw).flows).toEqual([])
  })

  test('refuses what is not a synchronizationSchema, saying why', () => {
    expect(() => readSchemaView('{"value": []}')).toThrow(SchemaFormatError)
    expect(() => readSchemaView('{"value": []}')).toThrow(/directories.*synchronizationRules/)
    expect(() => readSchemaView('not json')).toThrow(/not JSON/)
  })
})

describe('checkAgainstSchema', () => {
  const mapping = loadMapping(MAPPING, 'hr/mapping.yml')
  const check = checkAgainstSchema([mapping], schemaView(schema()), new DiagnosticFactory(new Map()))

  test('an attribute outside the attribute list is an error at its key, with a did-you-mean and how to add it', () => {
    const errors = check.diagnostics.filter((d) => d.severity === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      rule: 'schema-unknown-attribute',
      file: 'hr/mapping.yml',
      line: 7,
      column: 3
    })
    expect(errors[0]?.message).toContain(`did you mean '${CONTOSO}:HireDate'?`)
    expect(errors[0]?.message).toContain('Edit attribute list for API')
  })

  test('an attribute in the list that no mapping reads is a warning: sent, but ignored', () => {
    const warnings = check.diagnostics.filter((d) => d.severity === 'warning')
    expect(warnings.map((d) => [d.rule, d.line, d.column])).toEqual([['schema-unmapped-attribute', 8, 3]])
    expect(warnings[0]?.message).toContain('is sent, but Entra ignores it')
  })

  test('attributes read by an expression mapping count as mapped', () => {
    expect(check.rows.find((r) => r.scim === 'name.givenName')).toMatchObject({ status: 'mapped' })
  })

  test('the rules input sets the severities', () => {
    const relaxed = checkAgainstSchema(
      [mapping],
      schemaView(schema()),
      new DiagnosticFactory(
        new Map([
          ['schema-unknown-attribute', 'warning'],
          ['schema-unmapped-attribute', 'off']
        ])
      )
    )
    expect(relaxed.diagnostics.map((d) => [d.rule, d.severity])).toEqual([
      ['schema-unknown-attribute', 'warning']
    ])
  })

  test('the table gives HR columns, SCIM attribute, Entra attribute, flow type and creation-only', () => {
    const markdown = renderAttributeFlow(check.rows, 'schema-file hr/schema.json')
    expect(markdown).toContain(
      '| HR column(s) | SCIM attribute | Entra attribute | Flow | On creation only |'
    )
    expect(markdown).toContain('| \\[EmployeeID\\] | externalId | employeeId | Always | no |')
    expect(markdown).toContain(
      `| \\[Hired\\] | ${CONTOSO}:HireDat | ❌ not in the attribute list: ignored |  |  |`
    )
    expect(markdown).toContain(`| \\[Cost\\] | ${CONTOSO}:CostCode | ⚠️ not mapped: ignored |  |  |`)
    expect(markdown).toContain('| \\[First\\] | name.givenName | displayName (expression: Join(&quot; &quot;')
    expect(markdown).toContain('5 mapped, 1 not mapped, 1 not in the attribute list')
  })

  test('creation-only mappings say so', () => {
    const fixed = loadMapping(MAPPING.replace('HireDat:', 'HireDate:'), 'hr/mapping.yml')
    const rows = checkAgainstSchema([fixed], schemaView(schema()), new DiagnosticFactory(new Map())).rows
    expect(renderAttributeFlow(rows, 'x')).toContain(
      `| \\[Hired\\] | ${CONTOSO}:HireDate | employeeHireDate | ObjectAddOnly | yes |`
    )
  })
})

describe('suggest', () => {
  const listed = schemaView(schema()).attributes
  test.each([
    [`${CONTOSO}:HireDat`, `${CONTOSO}:HireDate`],
    [`urn:ietf:params:scim:schemas:extension:contoso:2.0:User:HireDate`, `${CONTOSO}:HireDate`],
    [`${CONTOSO}:Division`, undefined],
    ['name.givenNme', 'name.givenName'],
    ['usrName', 'userName']
  ])('%s → %s', (name, hint) => {
    expect(suggest(name, listed)).toBe(hint)
  })
})

describe('schemaDifferences', () => {
  test('names attributes added and removed and mappings changed', () => {
    const before = schemaView(schema())
    const raw = schema()
    const directory = (raw.directories as Array<{ objects: Array<{ attributes: unknown[] }> }>)[1]!
    directory.objects[0]!.attributes.push(attribute(`${CONTOSO}:JobCode`))
    const rule = (
      raw.synchronizationRules as Array<{ objectMappings: Array<{ attributeMappings: unknown[] }> }>
    )[0]!
    rule.objectMappings[0]!.attributeMappings.push(
      direct(`${CONTOSO}:CostCode`, 'employeeOrgData/costCenter')
    )
    expect(schemaDifferences(before, schemaView(raw))).toEqual([
      `source attributes added in the tenant: ${CONTOSO}:JobCode`,
      'attribute mappings changed for: employeeOrgData/costCenter'
    ])
    expect(schemaDifferences(before, schemaView(schema()))).toEqual([])
  })
})
