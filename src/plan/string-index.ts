/**
 * A string → record index on typed arrays (open addressing, linear probing). On a million records it is an order of
 * magnitude cheaper than a Map: no per-entry objects, no rehash of a huge backing store in the garbage-collected
 * heap. Keys are not stored: `keyOf(record)` reads them back from the records to confirm a match. A slot's record
 * and hash sit side by side in one array, so a probe touches one cache line rather than two. The slot is taken from
 * the hash's high bits, so keys whose hashes share their high bits land in one stretch of the table: adding keys
 * ordered by hash (see addHashed) stays in the cache, where adding a million keys in any order misses it nearly
 * every time.
 */
export class StringIndex {
  readonly #keyOf: (record: number) => string
  readonly #foldCase: boolean
  /** Per slot, at 2 × slot: record + 1 (0 is an empty slot); at 2 × slot + 1: the key's hash. */
  #table = new Int32Array(2 << 12)
  /** 32 − log2(slots): a hash's slot is `hash >>> #shift`. */
  #shift = 32 - 12
  #size = 0

  /** `foldCase`: keys match regardless of ASCII and Unicode case, as UPNs do. */
  constructor(keyOf: (record: number) => string, foldCase = false) {
    this.#keyOf = keyOf
    this.#foldCase = foldCase
  }

  get size(): number {
    return this.#size
  }

  /** Makes room for `count` more keys at once, sparing the rehashes of growing step by step. */
  reserve(count: number): void {
    let slots = this.#slotCount()
    while ((this.#size + count) * 2 > slots) slots *= 2
    // One new table at the final size: doubling step by step would allocate (and touch) twice the memory.
    if (slots > this.#slotCount()) this.#rehash(slots)
  }

  /** The hash this index files a key under. */
  hash(key: string): number {
    return hashOf(key, this.#foldCase)
  }

  /** The record stored for the key, or undefined. */
  get(key: string): number | undefined {
    const found = this.#find(hashOf(key, this.#foldCase), key)
    return found >= 0 ? (this.#table[2 * found] as number) - 1 : undefined
  }

  /** Stores `record` for the key unless the key is present; returns the record already stored, or undefined. */
  addIfAbsent(key: string, record: number): number | undefined {
    return this.#addIfAbsent(record, hashOf(key, this.#foldCase), key)
  }

  /**
   * addIfAbsent for `record`'s key, given its hash (from hash()): the key is read back with `keyOf` only when a
   * stored key has the same hash, so adding does not touch the record.
   */
  addHashed(record: number, hash: number): number | undefined {
    return this.#addIfAbsent(record, hash, undefined)
  }

  #addIfAbsent(record: number, hash: number, key: string | undefined): number | undefined {
    const found = this.#find(hash, key, record)
    if (found >= 0) return (this.#table[2 * found] as number) - 1
    if ((this.#size + 1) * 2 > this.#slotCount()) this.#grow()
    this.#place(record + 1, hash)
    this.#size++
    return undefined
  }

  #slotCount(): number {
    return this.#table.length >> 1
  }

  /** The slot holding the key (`key`, or else `record`'s key, read only on a matching hash), or -1. */
  #find(hash: number, key: string | undefined, record = -1): number {
    const table = this.#table
    const mask = (table.length >> 1) - 1
    for (let slot = hash >>> this.#shift; ; slot = (slot + 1) & mask) {
      const stored = table[2 * slot] as number
      if (stored === 0) return -1
      if (table[2 * slot + 1] === hash && this.#same(this.#keyOf(stored - 1), key ?? this.#keyOf(record)))
        return slot
    }
  }

  #same(a: string, b: string): boolean {
    return a === b || (this.#foldCase && a.length === b.length && a.toLowerCase() === b.toLowerCase())
  }

  #place(stored: number, hash: number): void {
    const table = this.#table
    const mask = (table.length >> 1) - 1
    let slot = hash >>> this.#shift
    while (table[2 * slot] !== 0) slot = (slot + 1) & mask
    table[2 * slot] = stored
    table[2 * slot + 1] = hash
  }

  #grow(): void {
    this.#rehash(this.#slotCount() * 2)
  }

  #rehash(slots: number): void {
    const old = this.#table
    this.#table = new Int32Array(2 * slots)
    this.#shift = 32 - Math.log2(slots)
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0) this.#place(old[i] as number, old[i + 1] as number)
    }
  }
}

/**
 * FNV-1a over UTF-16 code units. With `foldCase`, the hash is that of the lower-cased key, so keys equal under
 * toLowerCase() hash alike: ASCII is folded inline; a key with any other character is lower-cased whole first.
 */
function hashOf(key: string, foldCase: boolean): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    let code = key.charCodeAt(i)
    if (foldCase) {
      if (code > 127) return hashOf(key.toLowerCase(), false)
      if (code >= 65 && code <= 90) code += 32
    }
    hash = Math.imul(hash ^ code, 0x01000193)
  }
  return hash
}
