import { describe, expect, it } from '@jest/globals'
import { createClock } from './clock.ts'
import { createIds } from './ids.ts'
import { X509Certificate } from 'node:crypto'
import { selfSignedCertificate } from './certs.ts'
import { evaluate, FilterError, parseFilter, type FilterSchema } from './graph/filter.ts'

const schema: FilterSchema = {
  resolve: (name) =>
    ({
      a: { property: 'a', type: 'string' as const },
      n: { property: 'n', type: 'number' as const },
      t: { property: 't', type: 'date' as const }
    })[name.toLowerCase()] ?? null
}
const run = (f: string, row: Record<string, unknown>) => evaluate(parseFilter(f, schema), (p) => row[p])

describe('the $filter parser', () => {
  it('evaluates comparisons, functions, precedence and parentheses', () => {
    const row = { a: "it's", n: 5, t: '2025-03-10T14:00:00Z' }
    expect(run("a eq 'it''s'", row)).toBe(true)
    expect(run("A eq 'IT''S'", row)).toBe(false)
    expect(run('n gt 4 and n lt 6', row)).toBe(true)
    expect(run("n eq 1 or n eq 5 and a eq 'x'", row)).toBe(false)
    expect(run("(n eq 1 or n eq 5) and a ne 'x'", row)).toBe(true)
    expect(run("not (a eq 'x')", row)).toBe(true)
    expect(run("startswith(a, 'it')", row)).toBe(true)
    expect(run('t ge 2025-03-10T15:00:00+01:00', row)).toBe(true)
    expect(run('t gt 2025-03-10T14:00:00.000Z', row)).toBe(false)
    expect(run('a eq null', row)).toBe(false)
  })

  it.each(["a eq 'x' and", "b eq 'x'", "a eq 'x'  )", 'a eq 5', "a eq 'x"])('rejects %s', (f) => {
    expect(() => parseFilter(f, schema)).toThrow(FilterError)
  })
})

describe('the clock', () => {
  it('runs due timers in time order, each at its own time, and never on its own in fake mode', () => {
    const clock = createClock('fake', 1000)
    const seen: [string, number][] = []
    clock.schedule(300, () => seen.push(['b', clock.now()]))
    clock.schedule(100, () => {
      seen.push(['a', clock.now()])
      clock.schedule(100, () => seen.push(['c', clock.now()]))
    })
    const cancelled = clock.schedule(150, () => seen.push(['x', clock.now()]))
    clock.cancel(cancelled)
    clock.advance(250)
    expect(seen).toEqual([
      ['a', 1100],
      ['c', 1200]
    ])
    expect(clock.now()).toBe(1250)
    clock.advance(50)
    expect(seen.at(-1)).toEqual(['b', 1300])
    expect(() => clock.advance(-1)).toThrow()
  })

  it('in real mode follows the wall clock plus the advanced offset', () => {
    const clock = createClock('real', 0)
    const before = Date.now()
    clock.advance(60_000)
    expect(clock.now()).toBeGreaterThanOrEqual(before + 60_000)
    clock.dispose()
  })
})

describe('ids', () => {
  it('are seeded v4 GUIDs, or random ones', () => {
    const a = createIds('seed')
    const b = createIds('seed')
    const first = a.guid()
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(b.guid()).toBe(first)
    expect(createIds(null).guid()).not.toBe(createIds(null).guid())
  })
})

describe('TLS certificate', () => {
  // The serial number is random: one start-up in about 256 built a non-minimal DER INTEGER that OpenSSL refused.
  it('every generated certificate parses (400 random serial numbers)', async () => {
    for (let i = 0; i < 400; i++) {
      const { cert } = await selfSignedCertificate()
      const parsed = new X509Certificate(cert)
      expect(parsed.subject).toBe('CN=Entra emulator 127.0.0.1')
      expect(parsed.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/)
    }
  })
})
