import { describe, expect, test } from '@jest/globals'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PayloadStore } from '../../src/plan/payload-store.ts'

describe('PayloadStore', () => {
  test('returns every payload byte for byte, across block flushes, in any order', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'payloads')
    const store = new PayloadStore(file)
    const payloads = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ externalId: `E${i}`, name: 'Zoë '.repeat(i % 50) }))
    const handles = payloads.map((payload) => store.add(payload))
    expect(handles).toEqual(payloads.map((_, i) => i))
    for (const i of [29_999, 0, 12_345, 1, 29_998]) expect(store.get(i)).toBe(payloads[i])
    expect(payloads.every((payload, i) => store.get(i) === payload)).toBe(true)
    expect(store.size).toBe(30_000)
    store.dispose()
    expect(existsSync(file)).toBe(false)
  })

  test('takes a payload larger than its block', () => {
    const store = new PayloadStore(path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'payloads'))
    const big = 'x'.repeat(5 * 1024 * 1024)
    store.add('{"a":1}')
    const handle = store.add(big)
    expect(store.get(handle)).toBe(big)
    expect(store.get(0)).toBe('{"a":1}')
    store.dispose()
  })
})
