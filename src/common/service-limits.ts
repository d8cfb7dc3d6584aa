/** Limits of the bulkUpload API and of the Entra user properties it writes (docs/limits.md says where each comes from). */
export const MAX_OPERATIONS_PER_REQUEST = 50

/**
 * Bytes of one bulkUpload request body. Entra does not document a size limit for bulkUpload; Graph answers 413 above
 * its own. Half a mebibyte is several times the largest realistic request (50 users come to 50–150 KB) and far below
 * the limits Graph is known to apply, so a batch is closed when the next record would pass it.
 */
export const MAX_REQUEST_BYTES = 512 * 1024

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

/** The request around its operations: `{"schemas":[…],"Operations":[` … `],"failOnErrors":null}`. */
export const REQUEST_ENVELOPE_BYTES =
  `{"schemas":["${BULK_REQUEST_SCHEMA}"],"Operations":[],"failOnErrors":null}`.length

export interface LengthLimit {
  /** The Entra user property the attribute feeds under the provisioning app's default attribute mapping. */
  property: string
  /** Characters. */
  max: number
}

const ENTERPRISE = `${ENTERPRISE_USER_SCHEMA}:`
const WORK_ADDRESS = 'addresses[type eq "work"].'

/**
 * Maximum lengths Microsoft documents for the Entra user properties that the default attribute mapping of the
 * API-driven provisioning app writes, keyed by the SCIM attribute path that feeds them.
 */
export const ATTRIBUTE_LENGTH_LIMITS: Readonly<Record<string, LengthLimit>> = {
  externalId: { property: 'employeeId', max: 16 },
  userName: { property: 'userPrincipalName', max: 113 },
  displayName: { property: 'displayName', max: 256 },
  'name.givenName': { property: 'givenName', max: 64 },
  'name.familyName': { property: 'surname', max: 64 },
  title: { property: 'jobTitle', max: 128 },
  'phoneNumbers[type eq "mobile"].value': { property: 'mobilePhone', max: 64 },
  [`${WORK_ADDRESS}streetAddress`]: { property: 'streetAddress', max: 1024 },
  [`${WORK_ADDRESS}locality`]: { property: 'city', max: 128 },
  [`${WORK_ADDRESS}region`]: { property: 'state', max: 128 },
  [`${WORK_ADDRESS}postalCode`]: { property: 'postalCode', max: 40 },
  [`${WORK_ADDRESS}country`]: { property: 'country', max: 128 },
  [`${ENTERPRISE}department`]: { property: 'department', max: 64 },
  [`${ENTERPRISE}organization`]: { property: 'companyName', max: 64 }
}

/** A userPrincipalName has at most 64 characters before the @ and 48 after it (113 in all). */
export const UPN_LOCAL_MAX = 64
export const UPN_DOMAIN_MAX = 48
