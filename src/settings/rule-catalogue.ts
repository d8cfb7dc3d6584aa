/**
 * The catalogue of record rules with their default severity. Severity decides whether a record is sent:
 * a record with any error is never sent. The `rules` input overrides severities: this
 * catalogue is the vocabulary it accepts, so it lives with the settings (diagnostic-factory.ts applies it).
 */
import type { Severity } from '../common/diagnostics.ts'

export interface RuleInfo {
  severity: Severity
  description: string
}

export const RULES = {
  'csv-field-count': {
    severity: 'error',
    description: 'A CSV row has more or fewer fields than the header.'
  },
  'csv-quote': { severity: 'error', description: 'A quoted CSV field is not closed.' },
  'json-record': { severity: 'error', description: 'A JSON/JSONL record is not a flat object.' },
  'expression-error': {
    severity: 'error',
    description: 'A mapping expression failed for this row (for example a date in the wrong format).'
  },
  'value-multiple': {
    severity: 'error',
    description: 'An expression produced several values for a single-valued attribute.'
  },
  'externalId-missing': {
    severity: 'error',
    description: 'The record has no externalId, the key Entra matches users on.'
  },
  'externalId-duplicate': {
    severity: 'error',
    description: 'Several records of the run have the same externalId; none of them is sent.'
  },
  'userName-missing': { severity: 'warning', description: 'The record has no userName (UPN).' },
  'userName-format': { severity: 'error', description: 'userName is not a UPN of the form local@domain.' },
  'userName-duplicate': {
    severity: 'error',
    description: 'Several records of the run have the same userName (UPNs are unique in Entra).'
  },
  'email-format': {
    severity: 'warning',
    description: 'An e-mail address (emails[…].value) is not of the form local@domain.tld.'
  },
  'active-missing': {
    severity: 'error',
    description: 'The record has no active value; Entra disables accounts whose record omits it.'
  },
  'active-not-boolean': { severity: 'error', description: 'active is not True or False.' },
  'date-format': {
    severity: 'error',
    description: 'A date attribute (a name ending in Date or DateTime) is not ISO 8601 with a time.'
  },
  'value-too-long': {
    severity: 'error',
    description:
      'A value is longer than Entra allows for the user property it feeds (docs/limits.md); Entra would refuse the record.'
  },
  'record-too-large': {
    severity: 'error',
    description:
      'The record alone would make a bulk request larger than the byte limit of a request; it would make Graph refuse the whole request.'
  },
  'manager-unknown': {
    severity: 'warning',
    description:
      'The manager reference names no record of this run; Entra sets it only if the manager was processed earlier.'
  },
  'manager-self': { severity: 'warning', description: 'A record names itself as its manager.' },
  'manager-cycle': { severity: 'warning', description: 'Manager references form a cycle.' },
  'object-ignored': {
    severity: 'notice',
    description: 'The mapping returned IgnoreObjectFlow for this record, so it is not sent.'
  },
  'schema-unknown-attribute': {
    severity: 'error',
    description:
      "The mapping sends an attribute that is not in the provisioning app's API attribute list (schema-file or apply mode); in apply mode nothing is sent."
  },
  'schema-unmapped-attribute': {
    severity: 'warning',
    description:
      'The mapping sends an attribute that no attribute mapping of the provisioning app uses: Entra ignores it.'
  }
} as const satisfies Record<string, RuleInfo>

export type RuleName = keyof typeof RULES

export function isRuleName(name: string): name is RuleName {
  return Object.hasOwn(RULES, name)
}
