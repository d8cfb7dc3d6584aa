import { describe, expect, test } from '@jest/globals'
import { StringIndex } from '../../src/plan/string-index.ts'

describe('StringIndex', () => {
  test('finds every key among 200,000 and tells which were already present', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `W${String(i).padStart(7, '0')}`)
    const index = new StringIndex((record) => keys[record] as string)
    keys.forEach((key, i) => expect(index.addIfAbsent(key, i)).toBeUndefined())
    expect(index.size).toBe(200_000)
    for (const i of [0, 1, 99_999, 199_999]) expect(index.get(keys[i] as string)).toBe(i)
    expect(index.get('W9999999')).toBeUndefined()
    keys.push('W0000042')
    expect(index.addIfAbsent('W0000042', keys.length - 1)).toBe(42)
    expect(index.size).toBe(200_000)
  })

  test('is exact by default', () => {
    const keys = ['Ada@Contoso.com']
    const index = new StringIndex((record) => keys[record] as string)
    index.addIfAbsent('Ada@Contoso.com', 0)
    expect(index.get('ada@contoso.com')).toBeUndefined()
  })

  test('folds case like toLowerCase when asked, non-ASCII letters included', () => {
    const keys = ['Ada@Contoso.com', 'ZOË@contoso.com', 'k@contoso.com']
    const index = new StringIndex((record) => keys[record] as string, true)
    keys.forEach((key, i) => index.addIfAbsent(key, i))
    expect(index.get('ADA@CONTOSO.COM')).toBe(0)
    expect(index.get('zoë@Contoso.com')).toBe(1)
    // KELVIN SIGN lower-cases to an ASCII k.
    expect(index.get('\u212A@contoso.com')).toBe(2)
    expect(index.get('zoe@contoso.com')).toBeUndefined()
  })
})
