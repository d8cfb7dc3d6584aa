/**
 * The comparison of the HR records of this run with the Entra users in scope, matched by the matching pair
 * (externalId ↔ employeeId by default). Pure: records and users in, findings out.
 * - leaver-enabled: the HR record is inactive (`active` false), its Entra account is enabled.
 * - missing: the HR record is active and valid, no Entra user in scope has its externalId.
 * - orphan: an enabled Entra user in scope whose matching value no HR record has (valid or not).
 * - drift: a mapped attribute whose Entra value differs from the value the mapping produces, the manager included.
 *   An empty HR value is not compared: the upload leaves it out, and an omitted attribute does not clear Entra's.
 */
import type { MappedValue } from '../scim/user.ts'
import type { EntraUser, EntraValue } from '../graph/users.ts'
import { MATCHING, type Correspondence } from './correspondence.ts'
import { FINDING_CLASSES, type FindingClass } from '../settings/reconcile-settings.ts'

export interface HrAttribute {
  /** SCIM attribute path from the mapping. */
  path: string
  /** Redact(): the value is never shown. */
  secret: boolean
}

export interface HrRecord {
  externalId: string
  file: string
  line: number
  /** Invalid and ignored records are never sent: they are known to HR (no orphan) but not compared. */
  valid: boolean
  attributes: readonly HrAttribute[]
  /** One value per attribute; undefined for records that are not valid. */
  values: readonly MappedValue[] | undefined
}

export interface DriftedAttribute {
  scim: string
  entra: string
  /** What the mapping produces and what Entra holds; both undefined when the attribute is secret. */
  hr: MappedValue | null
  actual: EntraValue
  secret: boolean
}

export interface Finding {
  class: FindingClass
  externalId: string
  /** The HR line; absent for orphans (no HR record). */
  file: string | undefined
  line: number | undefined
  /** Object id of the Entra user; absent for missing records. */
  entraId: string | undefined
  /** The drifted attributes, in mapping order; empty for other classes. */
  attributes: DriftedAttribute[]
}

export interface Comparison {
  findings: Finding[]
  counts: Record<FindingClass, number>
  /** HR records compared with an Entra user (matched), and Entra users read. */
  matched: number
  entraUsers: number
  /** Entra users sharing a matching value with another (the first is compared). */
  duplicateMatches: number
}

export function compare(
  records: Iterable<HrRecord>,
  users: readonly EntraUser[],
  table: readonly Correspondence[]
): Comparison {
  const byMatch = new Map<string, EntraUser>()
  let duplicateMatches = 0
  for (const user of users) {
    const value = user.props.get(MATCHING.entra)
    if (typeof value !== 'string' || value === '') continue
    if (byMatch.has(value)) duplicateMatches++
    else byMatch.set(value, user)
  }
  const bySCIM = new Map(table.map((row) => [row.scim.toLowerCase(), row]))
  const known = new Set<string>()
  const findings: Finding[] = []
  let matched = 0
  for (const record of records) {
    known.add(record.externalId)
    if (!record.valid || record.values === undefined) continue
    const user = byMatch.get(record.externalId)
    const activeIndex = record.attributes.findIndex((a) => a.path === 'active')
    const active = activeIndex < 0 || record.values[activeIndex] !== false
    const at = { externalId: record.externalId, file: record.file, line: record.line }
    if (!user) {
      if (active) findings.push({ class: 'missing', ...at, entraId: undefined, attributes: [] })
      continue
    }
    matched++
    if (!active) {
      if (user.props.get('accountEnabled') === true)
        findings.push({ class: 'leaver-enabled', ...at, entraId: user.id, attributes: [] })
      continue
    }
    const drifted = driftOf(record, user, bySCIM)
    if (drifted.length > 0) findings.push({ class: 'drift', ...at, entraId: user.id, attributes: drifted })
  }
  for (const [value, user] of byMatch)
    if (!known.has(value) && user.props.get('accountEnabled') === true)
      findings.push({
        class: 'orphan',
        externalId: value,
        file: undefined,
        line: undefined,
        entraId: user.id,
        attributes: []
      })
  const rank = new Map(FINDING_CLASSES.map((c, i) => [c, i]))
  findings.sort((a, b) => (rank.get(a.class) ?? 0) - (rank.get(b.class) ?? 0))
  const counts = Object.fromEntries(FINDING_CLASSES.map((c) => [c, 0])) as Record<FindingClass, number>
  for (const finding of findings) counts[finding.class]++
  return { findings, counts, matched, entraUsers: users.length, duplicateMatches }
}

function driftOf(
  record: HrRecord,
  user: EntraUser,
  bySCIM: ReadonlyMap<string, Correspondence>
): DriftedAttribute[] {
  const drifted: DriftedAttribute[] = []
  record.attributes.forEach((attribute, index) => {
    const row = bySCIM.get(attribute.path.toLowerCase())
    const hr = record.values?.[index]
    if (!row || row.scim === MATCHING.scim || hr === undefined || hr === '') return
    const actual: EntraValue = row.kind === 'reference' ? user.manager : (user.props.get(row.entra) ?? null)
    if (same(hr, actual, row)) return
    drifted.push({ scim: row.scim, entra: row.entra, hr, actual, secret: attribute.secret })
  })
  return drifted
}

function same(hr: string | boolean, actual: EntraValue, row: Correspondence): boolean {
  if (row.kind === 'boolean') return actual === (hr === true || hr === 'True' || hr === 'true')
  if (typeof actual !== 'string') return false
  const expected = String(hr)
  return row.caseInsensitive ? expected.toLowerCase() === actual.toLowerCase() : expected === actual
}
