import { describe, expect, test } from '@jest/globals'
import { formatAttribute, parseAttributePath } from '../../src/mapping/attributes.ts'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

describe('parseAttributePath', () => {
  test.each([
    ['externalId', { kind: 'core', key: 'externalId' }],
    ['EXTERNALID', { kind: 'core', key: 'externalId' }],
    ['name.givenName', { kind: 'name', key: 'givenName' }],
    ['emails[type eq "work"].value', { kind: 'multi', attribute: 'emails', type: 'work', key: 'value' }],
    [
      'phoneNumbers[type eq "mobile"].value',
      { kind: 'multi', attribute: 'phoneNumbers', type: 'mobile', key: 'value' }
    ],
    [
      'addresses[type eq "work"].locality',
      { kind: 'multi', attribute: 'addresses', type: 'work', key: 'locality' }
    ],
    [`${ENTERPRISE}:department`, { kind: 'extension', urn: ENTERPRISE, key: 'department', reference: false }],
    [`${ENTERPRISE}:manager`, { kind: 'extension', urn: ENTERPRISE, key: 'manager', reference: true }],
    [`${ENTERPRISE}:manager.value`, { kind: 'extension', urn: ENTERPRISE, key: 'manager', reference: true }],
    [
      'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate',
      {
        kind: 'extension',
        urn: 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User',
        key: 'HireDate',
        reference: false
      }
    ]
  ])('%s', (path, target) => {
    expect(parseAttributePath(path)).toEqual({ target })
  })

  test.each([
    ['titel', "unknown attribute 'titel' (did you mean 'title'?)"],
    ['name.givenNme', "unknown attribute 'name.givenNme' (did you mean 'name.givenName'?)"],
    ['emails', `'emails': write multi-valued attributes with their type, e.g. emails[type eq "work"].value`],
    [
      'emails[type eq "office"].value',
      `'emails[type eq "office"].value': type "office" is not one of work, home, other`
    ],
    [
      'addresses[type eq "work"].city',
      `'addresses[type eq "work"].city': sub-attribute 'city' is not one of streetAddress, locality, region, postalCode, country, formatted, primary`
    ],
    [`${ENTERPRISE}:dept`, expect.stringContaining(`unknown attribute '${ENTERPRISE}:dept'`)],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:title',
      `'urn:ietf:params:scim:schemas:core:2.0:User:title': write core attributes without their URN, e.g. 'title'`
    ],
    ['urn:x', expect.stringContaining("a custom attribute is written '{URN}:{Attribute}'")]
  ])('rejects %s', (path, error) => {
    expect(parseAttributePath(path)).toEqual({ error })
  })

  test('formats the canonical spelling back', () => {
    const parsed = parseAttributePath('Emails[type eq "WORK"].Value')
    if (!('target' in parsed)) throw new Error(parsed.error)
    expect(formatAttribute(parsed.target)).toBe('emails[type eq "work"].value')
  })
})
