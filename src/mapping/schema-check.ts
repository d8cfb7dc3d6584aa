/**
 * Checks the SCIM attributes a mapping file produces against the provisioning job's synchronization schema: an
 * attribute missing from the API source's attribute list is ignored by Entra (error); one in the list that no
 * attribute mapping reads reaches the service and goes nowhere (warning). Also gives, per attribute, the HR columns
 * it is made of and the Entra properties it flows into, for the job summary. Pure: data in, findings out.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import { closest } from '../common/did-you-mean.ts'
import { cell, table } from '../common/markdown.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import type { Mapping } from './load.ts'
import type { SchemaMappingFlow, SchemaView } from './schema-model.ts'

export type AttributeStatus = 'mapped' | 'unmapped' | 'unknown'

export interface AttributeFlowRow {
  mappingFile: string
  /** HR columns the expression reads. */
  columns: readonly string[]
  /** The SCIM attribute, canonical spelling of the mapping file. */
  scim: string
  status: AttributeStatus
  /** The schema's attribute mappings that read it. */
  flows: readonly SchemaMappingFlow[]
}

export interface SchemaCheck {
  diagnostics: Diagnostic[]
  rows: AttributeFlowRow[]
}

const HOW_TO_ADD =
  'add it in the Entra admin centre (the provisioning app → Provisioning → Mappings → the user mapping → Show advanced options → Edit attribute list for API), map it to an Entra attribute, then export the schema again if you keep a schema-file'

export function checkAgainstSchema(
  mappings: readonly Mapping[],
  view: SchemaView,
  factory: DiagnosticFactory
): SchemaCheck {
  const known = new Map(view.attributes.map((name) => [name.toLowerCase(), name]))
  const readers = new Map<string, SchemaMappingFlow[]>()
  for (const flow of view.flows)
    for (const attribute of flow.sourceAttributes) {
      const key = attribute.toLowerCase()
      readers.set(key, [...(readers.get(key) ?? []), flow])
    }

  const diagnostics: Diagnostic[] = []
  const rows: AttributeFlowRow[] = []
  for (const mapping of uniqueByFile(mappings)) {
    for (const attribute of mapping.attributes) {
      const key = attribute.path.toLowerCase()
      const flows = readers.get(key) ?? []
      const status: AttributeStatus = !known.has(key) ? 'unknown' : flows.length ? 'mapped' : 'unmapped'
      rows.push({
        mappingFile: mapping.file,
        columns: attribute.expression.attributes,
        scim: attribute.path,
        status,
        flows
      })
      const at = { file: mapping.file, ...attribute.keyPosition }
      if (status === 'unknown') {
        const hint = suggest(attribute.path, view.attributes)
        const finding = factory.create('schema-unknown-attribute', {
          ...at,
          message:
            `'${attribute.path}' is not in the provisioning app's attribute list (${view.sourceDirectory} ${view.sourceObject}), so Entra ignores it` +
            `${hint ? ` (did you mean '${hint}'?)` : ''}; fix the name, or ${HOW_TO_ADD}.`
        })
        if (finding) diagnostics.push(finding)
      } else if (status === 'unmapped') {
        const finding = factory.create('schema-unmapped-attribute', {
          ...at,
          message:
            `'${attribute.path}' is sent, but Entra ignores it: no attribute mapping of the provisioning app reads it. ` +
            `Map it (Provisioning → Mappings → the user mapping → Add New Mapping) or remove it from the mapping file.`
        })
        if (finding) diagnostics.push(finding)
      }
    }
  }
  return { diagnostics, rows }
}

/**
 * The listed name the attribute was probably meant to be. Extension attributes are compared by their name under the
 * same URN (a long shared URN would make any two names look close), then by the same name under another URN (a
 * mistyped URN); other attributes against the names without a URN.
 */
export function suggest(name: string, listed: readonly string[]): string | undefined {
  const cut = name.lastIndexOf(':')
  if (!/^urn:/i.test(name) || cut < 0)
    return closest(
      name,
      listed.filter((n) => !/^urn:/i.test(n))
    )
  const urn = name.slice(0, cut + 1).toLowerCase()
  const sameUrn = listed.filter((n) => n.toLowerCase().startsWith(urn) && !n.includes(':', urn.length))
  const key = closest(
    name.slice(cut + 1),
    sameUrn.map((n) => n.slice(urn.length))
  )
  if (key !== undefined) return sameUrn.find((n) => n.slice(urn.length) === key)
  const attribute = name.slice(cut).toLowerCase()
  return listed.find((n) => n.toLowerCase().endsWith(attribute))
}

/** Several sources may share a mapping file: check it once. */
function uniqueByFile(mappings: readonly Mapping[]): Mapping[] {
  const seen = new Set<string>()
  return mappings.filter((mapping) => !seen.has(mapping.file) && Boolean(seen.add(mapping.file)))
}

/** The job-summary section: HR column(s) → SCIM attribute → Entra attribute, flow type, on creation only. */
export function renderAttributeFlow(rows: readonly AttributeFlowRow[], origin: string): string {
  const files = new Set(rows.map((row) => row.mappingFile))
  const several = files.size > 1
  const header = [
    ...(several ? ['Mapping'] : []),
    'HR column(s)',
    'SCIM attribute',
    'Entra attribute',
    'Flow',
    'On creation only'
  ]
  const lines = rows.flatMap((row) => {
    const columns = row.columns.length ? row.columns.map((c) => cell(`[${c}]`)).join(', ') : '(constant)'
    const lead = [...(several ? [cell(row.mappingFile)] : []), columns, cell(row.scim)]
    if (row.status === 'unknown') return [[...lead, '❌ not in the attribute list: ignored', '', '']]
    if (row.status === 'unmapped') return [[...lead, '⚠️ not mapped: ignored', '', '']]
    return row.flows.map((flow) => [
      ...lead,
      cell(flow.target) + (flow.sourceType === 'Function' ? ` (expression: ${cell(flow.expression)})` : ''),
      cell(flow.flowType),
      flow.flowType === 'ObjectAddOnly' ? 'yes' : 'no'
    ])
  })
  const counts = (status: AttributeStatus): number => rows.filter((row) => row.status === status).length
  return [
    '### Attributes into Entra',
    '',
    `Checked against ${cell(origin)}: ${counts('mapped')} mapped, ${counts('unmapped')} not mapped, ${counts('unknown')} not in the attribute list.`,
    '',
    table(header, lines),
    ''
  ].join('\n')
}
