/**
 * Rules that look at one mapped record alone: the key, the UPN, e-mail addresses, `active` and date formats.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { Mapping } from '../mapping/load.ts'
import type { MappedValue } from '../scim/user.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import type { RuleName } from '../settings/rule-catalogue.ts'
import {
  ATTRIBUTE_LENGTH_LIMITS,
  MAX_REQUEST_BYTES,
  REQUEST_ENVELOPE_BYTES,
  UPN_DOMAIN_MAX,
  UPN_LOCAL_MAX
} from '../common/service-limits.ts'
import { createSizeEstimator } from '../scim/size.ts'

/** The values other stages need from a record, pulled out of the mapped values once. */
export interface RecordKeys {
  externalId: string | undefined
  userName: string | undefined
  managerId: string | undefined
  /** Bytes the record's bulk operation takes at most. */
  bytes: number
}

export type RecordValidator = (
  values: readonly MappedValue[],
  where: { file: string; line: number },
  diagnostics: Diagnostic[]
) => RecordKeys

/** local@domain.tld, no spaces, one @, as Entra requires of a userPrincipalName (and as an e-mail address has). */
const UPN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/
/** ISO 8601 date with a time and a zone, as employeeHireDate and employeeLeaveDateTime need. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/
/** Attributes whose name says they hold a date: HireDate, employeeLeaveDateTime, … */
const DATE_NAME = /(Date|DateTime)$/i

export function createRecordValidator(mapping: Mapping, factory: DiagnosticFactory): RecordValidator {
  const indexOf = (path: string): number =>
    mapping.attributes.findIndex((attribute) => attribute.path === path)
  const externalId = indexOf('externalId')
  const userName = indexOf('userName')
  const active = indexOf('active')
  const manager = mapping.attributes.findIndex(
    (attribute) => attribute.target.kind === 'extension' && attribute.target.reference
  )
  const emails = mapping.attributes.flatMap((attribute, index) =>
    attribute.target.kind === 'multi' &&
    attribute.target.attribute === 'emails' &&
    attribute.target.key === 'value'
      ? [{ index, attribute }]
      : []
  )
  const dates = mapping.attributes.flatMap((attribute, index) =>
    attribute.target.kind === 'extension' && DATE_NAME.test(attribute.target.key)
      ? [{ index, attribute }]
      : []
  )

  const limited = mapping.attributes.flatMap((attribute, index) => {
    const limit = ATTRIBUTE_LENGTH_LIMITS[attribute.path]
    return limit ? [{ index, path: attribute.path, limit }] : []
  })
  const sizeOf = createSizeEstimator(mapping.attributes)

  return (values, where, diagnostics) => {
    const report = (rule: RuleName, message: string, detail?: string): void => {
      const diagnostic = factory.create(rule, {
        ...where,
        message,
        ...(detail !== undefined ? { detail } : {})
      })
      if (diagnostic) diagnostics.push(diagnostic)
    }
    const keys: RecordKeys = {
      externalId: asString(values[externalId]),
      userName: userName >= 0 ? asString(values[userName]) : undefined,
      managerId: manager >= 0 ? asString(values[manager]) : undefined,
      bytes: 0
    }
    if (keys.externalId === undefined)
      report('externalId-missing', 'externalId is empty; Entra cannot match this record')

    if (keys.userName === undefined) {
      report('userName-missing', 'userName is empty; Entra cannot create the account without a UPN')
    } else if (!UPN.test(keys.userName)) {
      report('userName-format', 'userName is not a UPN of the form local@domain.tld', keys.userName)
    }

    const activeValue = values[active]
    if (activeValue === undefined) {
      report(
        'active-missing',
        'active is empty; Entra would disable the account. Map it to "True" or "False"'
      )
    } else if (typeof activeValue !== 'boolean') {
      report(
        'active-not-boolean',
        'active is not True or False (use Switch to translate HR status values)',
        activeValue
      )
    }

    for (const { index, attribute } of emails) {
      const value = values[index]
      if (typeof value === 'string' && !UPN.test(value))
        report(
          'email-format',
          `${attribute.path} is not an e-mail address of the form local@domain.tld`,
          value
        )
    }

    for (const { index, attribute } of dates) {
      const value = values[index]
      if (typeof value === 'string' && !ISO_DATE_TIME.test(value)) {
        report(
          'date-format',
          `${attribute.path} is not an ISO 8601 date with time and zone, e.g. 2024-02-01T00:00:00Z (use FormatDateTime)`,
          value
        )
      }
    }
    for (const { index, path, limit } of limited) {
      const value = values[index]
      // A text never has more characters than UTF-16 units: count them only when the units pass the limit.
      const length = typeof value === 'string' && value.length > limit.max ? characters(value) : 0
      if (length > limit.max)
        report(
          'value-too-long',
          `${path} has ${length} characters; Entra's ${limit.property} takes at most ${limit.max}`
        )
    }
    if (keys.userName !== undefined && keys.userName.length > UPN_DOMAIN_MAX && UPN.test(keys.userName)) {
      const at = keys.userName.lastIndexOf('@')
      const local = characters(keys.userName.slice(0, at))
      const domain = characters(keys.userName.slice(at + 1))
      if (local > UPN_LOCAL_MAX || domain > UPN_DOMAIN_MAX)
        report(
          'value-too-long',
          `userName has ${local} characters before the @ and ${domain} after it; Entra allows at most ${UPN_LOCAL_MAX} and ${UPN_DOMAIN_MAX}`
        )
    }

    keys.bytes = sizeOf(values, keys.externalId)
    if (REQUEST_ENVELOPE_BYTES + keys.bytes > MAX_REQUEST_BYTES)
      report(
        'record-too-large',
        `the record's bulk operation takes ${keys.bytes} bytes, more than a whole request may (${MAX_REQUEST_BYTES}); shorten its longest values`
      )
    return keys
  }
}

/** Characters (code points) of a text. */
function characters(value: string): number {
  let count = 0
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    count++
  }
  return count
}

function asString(value: MappedValue): string | undefined {
  return value === undefined ? undefined : String(value)
}
