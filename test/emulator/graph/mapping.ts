import type { EmulatorConfig, MappingRule, ScopingRule } from '../config.ts'
import { isObject } from '../jwt.ts'
import type { UserValue } from './directory.ts'

/**
 * The job schema ↔ mapping engine. The schema (GET/PUT …/schema) is the single source of truth: its
 * synchronization rule holds the attribute mappings and the scoping filter, and its API directory lists
 * the source attributes. A payload attribute is applied only when it is both in that list and mapped.
 */
const API_DIRECTORY = 'API'
const SOURCE_OBJECT = 'User'

export function buildSchema(config: EmulatorConfig, jobId: string, version: string): Record<string, unknown> {
  const attr = (name: string): Record<string, unknown> => ({
    anchor: name === 'externalId',
    caseExact: false,
    flowNullValues: false,
    multivalued: false,
    mutability: 'ReadWrite',
    name,
    required: name === 'externalId',
    type: name.endsWith(':manager') ? 'Reference' : name === 'active' ? 'Boolean' : 'String',
    apiExpressions: [],
    metadata: [],
    referencedObjects: []
  })
  return {
    id: jobId,
    version,
    synchronizationRules: [
      {
        id: config.templateId,
        name: config.templateId,
        editable: true,
        sourceDirectoryName: API_DIRECTORY,
        targetDirectoryName: 'Azure Active Directory',
        objectMappings: [
          {
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            name: 'Provision API User',
            sourceObjectName: SOURCE_OBJECT,
            targetObjectName: 'User',
            scope: config.processing.scoping.length
              ? {
                  categoryFilterGroups: [],
                  inputFilterGroups: [],
                  groups: [
                    {
                      clauses: config.processing.scoping.map((s) => ({
                        operatorName: 'EQUALS',
                        sourceOperandName: s.source,
                        targetOperand: { values: [s.equals] }
                      }))
                    }
                  ]
                }
              : null,
            attributeMappings: config.processing.mapping.map((m) => ({
              defaultValue: null,
              exportMissingReferences: false,
              flowBehavior: 'FlowWhenChanged',
              flowType: m.flowType ?? 'Always',
              matchingPriority: m.matchingPriority ?? 0,
              source: { expression: `[${m.source}]`, name: m.source, type: 'Attribute', parameters: [] },
              targetAttributeName: m.target
            }))
          }
        ]
      }
    ],
    directories: [
      {
        id: 'api',
        name: API_DIRECTORY,
        objects: [{ name: SOURCE_OBJECT, attributes: config.processing.sourceAttributes.map(attr) }]
      },
      { id: 'aad', name: 'Azure Active Directory', objects: [{ name: 'User', attributes: [] }] }
    ]
  }
}

export interface SchemaRules {
  mappings: MappingRule[]
  sourceAttributes: Set<string>
  scoping: ScopingRule[]
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {})

/** Reads mappings, scoping and source attributes back from a (possibly client-written) schema. */
export function readSchemaRules(schema: Record<string, unknown>): SchemaRules {
  const api =
    arr(schema.directories)
      .map(obj)
      .find((d) => d.name === API_DIRECTORY) ?? obj(arr(schema.directories)[0])
  const sourceAttributes = new Set(
    arr(api.objects)
      .flatMap((o) => arr(obj(o).attributes))
      .map((a) => String(obj(a).name ?? ''))
  )
  const objectMapping = obj(arr(obj(arr(schema.synchronizationRules)[0]).objectMappings)[0])
  const mappings = arr(objectMapping.attributeMappings).flatMap((raw): MappingRule[] => {
    const m = obj(raw)
    const source = obj(m.source).name
    if (typeof source !== 'string' || typeof m.targetAttributeName !== 'string') return []
    return [
      {
        source,
        target: m.targetAttributeName,
        flowType: m.flowType === 'ObjectAddOnly' ? 'ObjectAddOnly' : 'Always',
        matchingPriority: typeof m.matchingPriority === 'number' ? m.matchingPriority : 0
      }
    ]
  })
  const scoping = arr(obj(objectMapping.scope).groups)
    .flatMap((g) => arr(obj(g).clauses))
    .map((c) => ({
      source: String(obj(c).sourceOperandName ?? ''),
      equals: String(arr(obj(obj(c).targetOperand).values)[0] ?? '')
    }))
  return { mappings, sourceAttributes, scoping }
}

const FILTERED = /^(\w+)\[type eq "([^"]+)"\]\.(\w+)$/

/** The value at a source attribute path of a SCIM user (see MappingRule.source for the forms). */
export function sourceValue(data: Record<string, unknown>, path: string): unknown {
  if (path.startsWith('urn:')) {
    const i = path.lastIndexOf(':')
    return obj(data[path.slice(0, i)])[path.slice(i + 1)]
  }
  const f = FILTERED.exec(path)
  // The service processes only the `work` entry of addresses, emails and phoneNumbers; others never flow.
  if (f)
    return f[2] === 'work'
      ? obj(arr(data[f[1]!]).find((item) => obj(item).type === 'work'))[f[3]!]
      : undefined
  const dot = path.indexOf('.')
  if (dot > 0) return obj(data[path.slice(0, dot)])[path.slice(dot + 1)]
  return data[path]
}

/** Every source attribute path a payload carries, in the schema's naming (for "ignored" reporting). */
export function payloadPaths(data: Record<string, unknown>): string[] {
  const out: string[] = []
  for (const [key, value] of Object.entries(data)) {
    if (key === 'schemas') continue
    if (key.startsWith('urn:')) for (const sub of Object.keys(obj(value))) out.push(`${key}:${sub}`)
    else if (Array.isArray(value)) {
      for (const item of value.map(obj))
        for (const sub of Object.keys(item))
          if (sub !== 'type' && sub !== 'primary') out.push(`${key}[type eq "${String(item.type)}"].${sub}`)
    } else if (isObject(value)) for (const sub of Object.keys(value)) out.push(`${key}.${sub}`)
    else out.push(key)
  }
  return out
}

/** Converts a source value for a target property; undefined when it cannot flow (absent or complex). */
export function targetValue(target: string, value: unknown): UserValue | undefined {
  if (value === undefined) return undefined
  if (target === 'accountEnabled') {
    if (typeof value === 'boolean') return value
    if (value === 'true' || value === 'True') return true
    if (value === 'false' || value === 'False') return false
    return undefined
  }
  if (target === 'manager') {
    const ref = isObject(value) ? value.value : value
    return typeof ref === 'string' && ref ? ref : undefined
  }
  if (value === null) return null
  if (typeof value === 'object') return undefined
  return String(value)
}
