import { createHash, randomUUID } from 'node:crypto'

/**
 * Identifier source. Seeded mode derives every GUID from `sha256(seed:counter)`, so two runs with the same
 * seed and the same requests produce the same request-ids, object ids, cycle ids and log ids, and tests
 * can assert on them. Unseeded mode uses random v4 GUIDs.
 */
export interface Ids {
  guid(): string
  /** A number in [0, 1) from the same sequence (used to shuffle processing order). */
  random(): number
}

export function createIds(seed: string | null): Ids {
  let counter = 0
  const next = (): Buffer => createHash('sha256').update(`${seed}:${counter++}`).digest()
  return {
    guid() {
      if (seed === null) return randomUUID()
      const b = next()
      b[6] = (b[6]! & 0x0f) | 0x40
      b[8] = (b[8]! & 0x3f) | 0x80
      const h = b.subarray(0, 16).toString('hex')
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
    },
    random() {
      if (seed === null) return Math.random()
      return next().readUInt32BE(0) / 2 ** 32
    }
  }
}

/** A GUID derived from a text (stable across runs), for ids the config does not name. */
export function stableGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
