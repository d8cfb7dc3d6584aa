import { describe, expect, test } from '@jest/globals'
import { BudgetExhausted, createPacer } from '../../../src/graph/pacer.ts'
import { fakeTime } from './fake-time.ts'

describe('createPacer', () => {
  test('lets at most `limit` calls into any window (plus margin), in order', async () => {
    const time = fakeTime(0)
    const pacer = createPacer({ limit: 40, windowMs: 5000, marginMs: 100, budget: undefined, ...time })
    const at: number[] = []
    for (let i = 0; i < 120; i++) {
      await pacer.acquire()
      at.push(time.now())
    }
    for (let i = 40; i < at.length; i++)
      expect((at[i] as number) - (at[i - 40] as number)).toBeGreaterThanOrEqual(5100)
    expect(at[119]).toBe(10_200) // two full windows: 40 more every 5.1 s, nothing slower
    expect(pacer.calls).toBe(120)
  })

  test('limit 0 does not pace; pause holds every caller back', async () => {
    const time = fakeTime(0)
    const pacer = createPacer({ limit: 0, windowMs: 5000, marginMs: 0, budget: undefined, ...time })
    for (let i = 0; i < 1000; i++) await pacer.acquire()
    expect(time.now()).toBe(0)
    pacer.pause(3000)
    await pacer.acquire()
    expect(time.now()).toBe(3000)
  })

  test('refuses the call that would exceed the budget', async () => {
    const time = fakeTime(0)
    const pacer = createPacer({ limit: 40, windowMs: 5000, marginMs: 0, budget: 3, ...time })
    await Promise.all([pacer.acquire(), pacer.acquire(), pacer.acquire()])
    await expect(pacer.acquire()).rejects.toBeInstanceOf(BudgetExhausted)
    expect(pacer.calls).toBe(3)
  })
})
