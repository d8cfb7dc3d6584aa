/**
 * Which Entra user property each SCIM attribute lands in, when the provisioning app keeps its default attribute
 * mappings. A pure data table on purpose: once the job's real mappings are read from its synchronization schema,
 * that schema can replace this table without touching the comparison. `verified` marks the rows whose target a
 * Microsoft page states; the others follow the app's default mapping as commonly configured (docs/reconcile.md).
 */
import { ENTERPRISE_USER_SCHEMA } from '../common/service-limits.ts'

export type PropertyKind = 'string' | 'boolean' | 'reference'

export interface Correspondence {
  /** SCIM attribute path as the mapping writes it (canonical spelling). */
  scim: string
  /** Entra user property; a nested property is written with `/` (`employeeOrgData/costCenter`). */
  entra: string
  kind: PropertyKind
  /** Case-insensitive comparison (Entra treats UPNs and mail addresses so). */
  caseInsensitive?: boolean
  verified: boolean
}

const enterprise = (name: string): string => `${ENTERPRISE_USER_SCHEMA}:${name}`

export const DEFAULT_CORRESPONDENCE: readonly Correspondence[] = [
  { scim: 'externalId', entra: 'employeeId', kind: 'string', verified: true },
  { scim: 'userName', entra: 'userPrincipalName', kind: 'string', caseInsensitive: true, verified: false },
  { scim: 'active', entra: 'accountEnabled', kind: 'boolean', verified: true },
  { scim: 'displayName', entra: 'displayName', kind: 'string', verified: false },
  { scim: 'name.givenName', entra: 'givenName', kind: 'string', verified: false },
  { scim: 'name.familyName', entra: 'surname', kind: 'string', verified: false },
  { scim: 'title', entra: 'jobTitle', kind: 'string', verified: false },
  { scim: 'userType', entra: 'employeeType', kind: 'string', verified: false },
  { scim: 'preferredLanguage', entra: 'preferredLanguage', kind: 'string', verified: false },
  {
    scim: 'emails[type eq "work"].value',
    entra: 'mail',
    kind: 'string',
    caseInsensitive: true,
    verified: false
  },
  { scim: 'phoneNumbers[type eq "mobile"].value', entra: 'mobilePhone', kind: 'string', verified: false },
  {
    scim: 'addresses[type eq "work"].streetAddress',
    entra: 'streetAddress',
    kind: 'string',
    verified: false
  },
  { scim: 'addresses[type eq "work"].locality', entra: 'city', kind: 'string', verified: false },
  { scim: 'addresses[type eq "work"].region', entra: 'state', kind: 'string', verified: false },
  { scim: 'addresses[type eq "work"].postalCode', entra: 'postalCode', kind: 'string', verified: false },
  { scim: 'addresses[type eq "work"].country', entra: 'country', kind: 'string', verified: false },
  { scim: enterprise('department'), entra: 'department', kind: 'string', verified: false },
  { scim: enterprise('organization'), entra: 'companyName', kind: 'string', verified: false },
  { scim: enterprise('costCenter'), entra: 'employeeOrgData/costCenter', kind: 'string', verified: false },
  { scim: enterprise('division'), entra: 'employeeOrgData/division', kind: 'string', verified: false },
  { scim: enterprise('manager'), entra: 'manager', kind: 'reference', verified: true }
]

/** The matching pair: the SCIM attribute and the Entra property records are matched by. */
export const MATCHING = { scim: 'externalId', entra: 'employeeId' } as const

/** The Entra properties to read for these correspondences, nested ones as `parent/child` (`manager` is expanded). */
export function comparedProperties(table: readonly Correspondence[]): string[] {
  const names = new Set<string>([MATCHING.entra, 'accountEnabled'])
  for (const row of table) if (row.kind !== 'reference') names.add(row.entra)
  return [...names]
}
