/**
 * The leaver policy for rows removed since the base: `ignore` sends nothing for them; `disable` sends the last known
 * record, complete (every attribute the mapping maps, as it was at the base) with `active: false` — never a partial
 * diff, because Entra treats an attribute missing from a payload as "no value" for the records it creates.
 */
import type { Mapping } from '../mapping/load.ts'
import type { Plan } from '../plan/model.ts'
import type { MappedValue } from '../scim/user.ts'
import { storeOf, type ReviewDiff } from './diff.ts'

export type LeaverPolicy = 'ignore' | 'disable'

export interface LeaverRecord {
  externalId: string
  /** Where the row was at the base commit (the file may no longer exist). */
  file: string
  line: number
  userName: string | undefined
  managerId: string | undefined
  /** The source (index into the plans' mappings) the row belonged to at the base. */
  mapping: number
  /** One value per attribute of that source's head mapping (the one the upload renders with), `active` false. */
  values: MappedValue[]
}

/**
 * The records to send for removed rows under the policy. Rows already inactive at the base are left out: their
 * account is already disabled. Values are taken from the base plan by attribute path, so a mapping that changed
 * since the base still renders a complete payload (attributes the base did not map are absent).
 */
export function leaverRecords(
  diff: ReviewDiff,
  basePlan: Plan | undefined,
  headMappings: readonly Mapping[],
  policy: LeaverPolicy
): LeaverRecord[] {
  if (policy === 'ignore' || basePlan === undefined) return []
  // Per source: where each head attribute is in the base mapping's values, and where `active` is.
  const layouts = basePlan.mappings.map((baseMapping, source) => {
    const headMapping = headMappings[source] ?? baseMapping
    const basePosition = new Map(baseMapping.attributes.map((attribute, index) => [attribute.path, index]))
    const active = headMapping.attributes.findIndex((attribute) => attribute.path === 'active')
    if (active < 0) throw new Error('the mapping does not map active')
    return { order: headMapping.attributes.map((attribute) => basePosition.get(attribute.path)), active }
  })
  const records: LeaverRecord[] = []
  for (const entry of diff.entries) {
    if (entry.reason !== 'removed' || !entry.wasActive || entry.baseRecord === undefined) continue
    const base = basePlan.records[entry.baseRecord]!
    const source = basePlan.files[base.fileIndex]?.mapping ?? 0
    const { order, active } = layouts[source]!
    const known = storeOf(basePlan).get(base.values as number)
    const values = order.map((index) => (index === undefined ? undefined : known[index]))
    values[active] = false
    records.push({
      externalId: entry.externalId,
      file: entry.file,
      line: entry.line,
      userName: base.userName,
      managerId: base.managerId,
      mapping: source,
      values
    })
  }
  return records
}
