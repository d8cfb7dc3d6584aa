import type { EmulatorConfig, MappingRule, ScopingRule } from '../config.ts'
import { isObject } from '../jwt.ts'
import type { UserValue } from './directory.ts'

/**
 * The job schema ↔ mapping engine. The schema (GET/PUT …/schema) is the single source of truth: its
 * synchronization rule holds the attribute mappings and the scoping filter, and its API directory lists
 * the source attributes. A payload attribute is applied only when it is both in that list and mapped.
 */
// [Inf] The names of the API source directory and of the Entra directory in an API2AAD schema are not in Graph's
// reference; clients must find the source through the rule's sourceDirectoryName, as readSchemaRules does.
const API_DIRECTORY = 'API'
const TARGET_DIRECTORY = 'Azure Active Directory'
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
        metadata: [],
        priority: 1,
        sourceDirectoryName: API_DIRECTORY,
        targetDirectoryName: TARGET_DIRECTORY,
        objectMappings: [
          {
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: [],
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
      {
        id: 'aad',
        name: TARGET_DIRECTORY,
        // The Entra side lists the user properties the mappings write (the real list is longer).
        objects: [
          { name: 'User', attributes: [...new Set(config.processing.mapping.map((m) => m.target))].map(attr) }
        ]
      }
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

/**
 * Reads mappings, scoping and source attributes back from a (possibly client-written) schema: the rule's source
 * directory and the enabled object mapping of its User object. Only direct (`Attribute`) mappings are evaluated;
 * expression (`Function`) and `Constant` mappings are not, so their targets are left alone [Inf: emulator limit].
 */
export function readSchemaRules(schema: Record<string, unknown>): SchemaRules {
  const rule = obj(arr(schema.synchronizationRules)[0])
  const objectMapping = obj(
    arr(rule.objectMappings)
      .map(obj)
      .find((m) => m.sourceObjectName === SOURCE_OBJECT && m.enabled !== false)
  )
  const api = obj(
    arr(schema.directories)
      .map(obj)
      .find((d) => d.name === rule.sourceDirectoryName)
  )
  const sourceAttributes = new Set(
    arr(api.objects)
      .map(obj)
      .filter((o) => o.name === objectMapping.sourceObjectName)
      .flatMap((o) => arr(o.attributes))
      .map((a) => String(obj(a).name ?? ''))
  )
  const mappings = arr(objectMapping.attributeMappings).flatMap((raw): MappingRule[] => {
    const m = obj(raw)
    const source = obj(m.source).name
    const direct = (obj(m.source).type ?? 'Attribute') === 'Attribute'
    if (!direct || typeof source !== 'string' || typeof m.targetAttributeName !== 'string') return []
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
