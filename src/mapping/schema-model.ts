/**
 * Reads a provisioning job's synchronization schema (Graph `synchronizationSchema`, as `GET …/jobs/{jobId}/schema`
 * returns it or as exported to a file) into what the mapping check needs: the source attributes of the API side,
 * and the attribute mappings that carry them into Entra.
 *
 * Resource shapes (synchronizationSchema, directoryDefinition, objectDefinition, attributeDefinition,
 * synchronizationRule, objectMapping, attributeMapping, attributeMappingSource) follow Microsoft Graph's v1.0
 * reference. Not verified there: the name of the API source directory of an API2AAD job, so the source is found
 * through the synchronization rule (`sourceDirectoryName`, `sourceObjectName`), never by a name or a position.
 */

export interface SchemaMappingFlow {
  /** targetAttributeName: the Entra user property written. */
  target: string
  /** attributeMapping.flowType: Always, ObjectAddOnly (on creation only), … */
  flowType: string
  /** attributeMappingSource.type at the top: Attribute (direct), Function (an expression) or Constant. */
  sourceType: string
  /** The source expression as Graph gives it, e.g. `[userName]` or `Join(" ", [name.givenName], …)`. */
  expression: string
  /** Every source attribute the mapping reads (its source tree's Attribute nodes). */
  sourceAttributes: readonly string[]
}

export interface SchemaView {
  /** `version` of the schema (Graph updates it on every change), when present. */
  version: string | undefined
  sourceDirectory: string
  sourceObject: string
  /** Source attribute names as the schema spells them. */
  attributes: readonly string[]
  /** Attribute mappings of the enabled object mapping of the source object (none when it is disabled). */
  flows: readonly SchemaMappingFlow[]
}

export class SchemaFormatError extends Error {}

type Json = Record<string, unknown>
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {}
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const same = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase()

/** Parses the schema's JSON text. Throws SchemaFormatError with a one-line reason a person can act on. */
export function readSchemaView(jsonText: string): SchemaView {
  let root: unknown
  try {
    root = JSON.parse(jsonText.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new SchemaFormatError(`not JSON (${(error as Error).message})`)
  }
  return schemaView(object(root))
}

export function schemaView(schema: Json): SchemaView {
  const directories = list(schema.directories).map(object)
  const rules = list(schema.synchronizationRules).map(object)
  if (directories.length === 0 || rules.length === 0)
    throw new SchemaFormatError(
      `not a synchronizationSchema: it needs 'directories' and 'synchronizationRules' (export it from …/synchronization/jobs/{jobId}/schema)`
    )
  // The rule whose source directory is in the schema and has a User object mapping (an API2AAD job has one).
  for (const rule of rules) {
    const directory = directories.find((d) => same(string(d.name), string(rule.sourceDirectoryName)))
    if (!directory) continue
    const objectMappings = list(rule.objectMappings).map(object)
    const mapping =
      objectMappings.find((m) => same(string(m.sourceObjectName), 'User')) ?? objectMappings[0] ?? {}
    const sourceObject = string(mapping.sourceObjectName) ?? 'User'
    const definition = list(directory.objects)
      .map(object)
      .find((o) => same(string(o.name), sourceObject))
    if (!definition) continue
    const attributes = list(definition.attributes)
      .map((a) => string(object(a).name))
      .filter((name): name is string => name !== undefined && name !== '')
    const enabled = mapping.enabled !== false
    return {
      version: string(schema.version),
      sourceDirectory: string(directory.name) ?? '',
      sourceObject,
      attributes,
      flows: enabled ? list(mapping.attributeMappings).map(object).flatMap(flowOf) : []
    }
  }
  throw new SchemaFormatError(
    `no synchronization rule names a source directory with a 'User' object among the schema's directories`
  )
}

function flowOf(mapping: Json): SchemaMappingFlow[] {
  const target = string(mapping.targetAttributeName)
  if (!target) return []
  const source = object(mapping.source)
  return [
    {
      target,
      flowType: string(mapping.flowType) ?? 'Always',
      sourceType: string(source.type) ?? 'Attribute',
      expression: string(source.expression) ?? '',
      sourceAttributes: [...new Set(sourceAttributesOf(source))]
    }
  ]
}

/** The Attribute nodes of an attributeMappingSource tree (a Function's parameters are sources themselves). */
function sourceAttributesOf(source: Json, depth = 0): string[] {
  if (depth > 50) return []
  const type = string(source.type) ?? 'Attribute'
  if (type === 'Attribute') {
    const name = string(source.name)
    return name ? [name] : []
  }
  if (type !== 'Function') return []
  return list(source.parameters).flatMap((p) => sourceAttributesOf(object(object(p).value), depth + 1))
}

const flowKey = (flow: SchemaMappingFlow): string =>
  [flow.target, flow.flowType, flow.expression || flow.sourceAttributes.join('+')]
    .join('\u0000')
    .toLowerCase()

/** How two schemas differ for the check: source attributes added or removed, mappings changed. Empty when equal. */
export function schemaDifferences(committed: SchemaView, tenant: SchemaView): string[] {
  const differences: string[] = []
  const names = (view: SchemaView): Set<string> => new Set(view.attributes.map((a) => a.toLowerCase()))
  const before = names(committed)
  const after = names(tenant)
  const added = tenant.attributes.filter((a) => !before.has(a.toLowerCase()))
  const removed = committed.attributes.filter((a) => !after.has(a.toLowerCase()))
  if (added.length) differences.push(`source attributes added in the tenant: ${added.join(', ')}`)
  if (removed.length) differences.push(`source attributes removed in the tenant: ${removed.join(', ')}`)
  const committedFlows = new Set(committed.flows.map(flowKey))
  const tenantFlows = new Set(tenant.flows.map(flowKey))
  const changed = new Set([
    ...tenant.flows.filter((f) => !committedFlows.has(flowKey(f))).map((f) => f.target),
    ...committed.flows.filter((f) => !tenantFlows.has(flowKey(f))).map((f) => f.target)
  ])
  if (changed.size) differences.push(`attribute mappings changed for: ${[...changed].join(', ')}`)
  return differences
}
