/**
 * The SCIM attributes the Entra API-driven provisioning app knows as source attributes, written the way its
 * attribute list names them, and where each one goes in the SCIM user of a bulk request.
 */
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../common/service-limits.ts'
import { closest } from '../common/did-you-mean.ts'
import { shorten } from '../common/shorten.ts'

export type MultiValuedAttribute = 'emails' | 'phoneNumbers' | 'addresses'

export type AttributeTarget =
  /** A top-level core attribute: `externalId`, `userName`, `active`, `displayName`, … */
  | { kind: 'core'; key: string }
  /** A sub-attribute of the complex `name`. */
  | { kind: 'name'; key: string }
  /** `emails[type eq "work"].value` and the like: one entry per type, with this sub-attribute. */
  | { kind: 'multi'; attribute: MultiValuedAttribute; type: string; key: string }
  /** An attribute of the enterprise or a custom extension, nested under its URN. `manager` is a reference. */
  | { kind: 'extension'; urn: string; key: string; reference: boolean }

export const CORE_ATTRIBUTES: readonly string[] = [
  'externalId',
  'userName',
  'active',
  'displayName',
  'nickName',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'profileUrl'
]

export const NAME_ATTRIBUTES: readonly string[] = [
  'givenName',
  'familyName',
  'formatted',
  'middleName',
  'honorificPrefix',
  'honorificSuffix'
]

export const MULTI_VALUED: Readonly<
  Record<MultiValuedAttribute, { types: readonly string[]; keys: readonly string[] }>
> = {
  emails: { types: ['work', 'home', 'other'], keys: ['value', 'display', 'primary'] },
  phoneNumbers: {
    types: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    keys: ['value', 'display', 'primary']
  },
  addresses: {
    types: ['work', 'home', 'other'],
    keys: ['streetAddress', 'locality', 'region', 'postalCode', 'country', 'formatted', 'primary']
  }
}

/** Entra processes only the `work` entry of multi-valued attributes; others are accepted and ignored. */
export const PROCESSED_MULTI_VALUED_TYPE = 'work'

export const ENTERPRISE_ATTRIBUTES: readonly string[] = [
  'employeeNumber',
  'costCenter',
  'organization',
  'division',
  'department',
  'manager'
]

const MULTI_PATTERN = /^(emails|phoneNumbers|addresses)\[type eq "([^"]*)"\]\.(\w+)$/i

export type AttributeParse = { target: AttributeTarget } | { error: string }

/**
 * Reads an attribute path as written in the mapping file. Names are matched case-insensitively (as Entra does) and
 * the canonical spelling is returned; an unknown name gets a "did you mean" hint.
 */
export function parseAttributePath(path: string): AttributeParse {
  const core = canonical(path, CORE_ATTRIBUTES)
  if (core) return { target: { kind: 'core', key: core } }

  if (/^name\./i.test(path)) {
    const key = canonical(path.slice(5), NAME_ATTRIBUTES)
    if (key) return { target: { kind: 'name', key } }
    return {
      error: unknown(
        path,
        NAME_ATTRIBUTES.map((k) => `name.${k}`)
      )
    }
  }

  const multi = MULTI_PATTERN.exec(path)
  if (multi) {
    const attribute = canonical(multi[1] as string, Object.keys(MULTI_VALUED)) as MultiValuedAttribute
    const { types, keys } = MULTI_VALUED[attribute]
    const type = canonical(multi[2] as string, types)
    if (!type)
      return {
        error: `'${shorten(path)}': type "${shorten(multi[2] ?? '')}" is not one of ${types.join(', ')}`
      }
    const key = canonical(multi[3] as string, keys)
    if (!key)
      return {
        error: `'${shorten(path)}': sub-attribute '${shorten(multi[3] ?? '')}' is not one of ${keys.join(', ')}`
      }
    return { target: { kind: 'multi', attribute, type, key } }
  }
  if (/^(emails|phoneNumbers|addresses)\b/i.test(path)) {
    return {
      error: `'${shorten(path)}': write multi-valued attributes with their type, e.g. emails[type eq "work"].value`
    }
  }

  if (/^urn:/i.test(path)) return parseExtension(path)

  return { error: unknown(path, [...CORE_ATTRIBUTES, ...NAME_ATTRIBUTES.map((k) => `name.${k}`)]) }
}

function parseExtension(path: string): AttributeParse {
  if (path.toLowerCase().startsWith(ENTERPRISE_USER_SCHEMA.toLowerCase() + ':')) {
    let name = path.slice(ENTERPRISE_USER_SCHEMA.length + 1)
    // Entra lists the manager as `…:manager`; `…:manager.value` is the SCIM path of the same thing.
    if (/^manager\.value$/i.test(name)) name = 'manager'
    const key = canonical(name, ENTERPRISE_ATTRIBUTES)
    if (!key) {
      return {
        error: unknown(
          path,
          ENTERPRISE_ATTRIBUTES.map((k) => `${ENTERPRISE_USER_SCHEMA}:${k}`)
        )
      }
    }
    return { target: { kind: 'extension', urn: ENTERPRISE_USER_SCHEMA, key, reference: key === 'manager' } }
  }
  // A custom extension: `{URN}:{Attribute}` where the URN is everything before the last colon.
  const cut = path.lastIndexOf(':')
  const urn = path.slice(0, cut)
  const key = path.slice(cut + 1)
  if (urn.toLowerCase() === CORE_USER_SCHEMA.toLowerCase()) {
    return { error: `'${shorten(path)}': write core attributes without their URN, e.g. '${key}'` }
  }
  if (!/^urn:[A-Za-z0-9][\w.:-]*[A-Za-z0-9]$/.test(urn) || urn.split(':').length < 3) {
    return {
      error: `'${shorten(path)}': a custom attribute is written '{URN}:{Attribute}', e.g. '${EXAMPLE_CUSTOM}'`
    }
  }
  if (!/^[A-Za-z][\w-]*$/.test(key)) {
    return {
      error: `'${shorten(path)}': the attribute name after the URN must be a plain name, e.g. HireDate`
    }
  }
  return { target: { kind: 'extension', urn, key, reference: false } }
}

const EXAMPLE_CUSTOM = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate'

/** The attribute path in its canonical spelling, for reports. */
export function formatAttribute(target: AttributeTarget): string {
  switch (target.kind) {
    case 'core':
      return target.key
    case 'name':
      return `name.${target.key}`
    case 'multi':
      return `${target.attribute}[type eq "${target.type}"].${target.key}`
    case 'extension':
      return `${target.urn}:${target.key}`
  }
}

function canonical(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  return known.find((candidate) => candidate.toLowerCase() === lower)
}

function unknown(path: string, known: readonly string[]): string {
  const hint = closest(path, known)
  return `unknown attribute '${shorten(path)}'${hint ? ` (did you mean '${hint}'?)` : ''}`
}
