import { describe, expect, test } from '@jest/globals'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ValueStore } from '../../src/plan/value-store.ts'

describe('ValueStore', () => {
  test('returns every payload byte for byte, across block flushes, in any order', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'payloads')
    const store = new ValueStore(file)
    const payloads = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({ externalId: `E${i}`, name: 'Zoë '.repeat(i % 50) })
    )
    const handles = payloads.map((payload) => store.addText(payload))
    expect(handles).toEqual(payloads.map((_, i) => i))
    for (const i of [29_999, 0, 12_345, 1, 29_998]) expect(store.getText(i)).toBe(payloads[i])
    expect(payloads.every((payload, i) => store.getText(i) === payload)).toBe(true)
    expect(store.size).toBe(30_000)
    store.dispose()
    expect(existsSync(file)).toBe(false)
  })

  test('round-trips mapped values, absent ones included', () => {
    const store = new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'values'))
    const values = ['E1', undefined, true, false, 'Zoë "Q"', undefined]
    const handle = store.add(values)
    expect(store.get(handle)).toEqual(values)
    store.dispose()
  })

  test('takes a payload larger than its block', () => {
    const store = new ValueStore(path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'payloads'))
    const big = 'x'.repeat(5 * 1024 * 1024)
    store.addText('{"a":1}')
    const handle = store.addText(big)
    expect(store.getText(handle)).toBe(big)
    expect(store.getText(0)).toBe('{"a":1}')
    store.dispose()
  })
})
