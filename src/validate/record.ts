/**
 * Rules that look at one mapped record alone: the key, the UPN, e-mail addresses, `active` and date formats.
 */
import type { Diagnostic } from '../diagnostics.ts'
import type { Mapping } from '../mapping/load.ts'
import type { MappedValue } from '../scim/user.ts'
import type { DiagnosticFactory, RuleName } from './rules.ts'

/** The values other stages need from a record, pulled out of the mapped values once. */
export interface RecordKeys {
  externalId: string | undefined
  userName: string | undefined
  managerId: string | undefined
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
      managerId: manager >= 0 ? asString(values[manager]) : undefined
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
    return keys
  }
}

function asString(value: MappedValue): string | undefined {
  return value === undefined ? undefined : String(value)
}
