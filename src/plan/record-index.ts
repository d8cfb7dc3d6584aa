/**
 * The run's records by key, built once while records stream in and shared by the duplicate checks, the manager
 * checks and the upload order.
 *
 * Adding a record only notes its keys' hashes; the keys are filed in bulk when first needed, ordered by hash so that
 * filing stays within one stretch of each table at a time (see StringIndex). Filed one by one as records stream in,
 * a million records cost two cache misses each, on the thread that also reads the file.
 */
import { StringIndex } from './string-index.ts'
import type { PlannedRecord } from './model.ts'

export interface KeyLookup {
  /** The first record with this key, or undefined. */
  get(key: string): number | undefined
}

export class RecordIndex {
  /** First record with each externalId. */
  readonly byExternalId: KeyLookup
  readonly #duplicateExternalIds = new Map<string, number[]>()
  readonly #duplicateUserNames = new Map<string, number[]>()
  readonly #externalIds: StringIndex
  readonly #userNames: StringIndex
  readonly #pendingExternalIds = new PendingKeys()
  readonly #pendingUserNames = new PendingKeys()
  readonly #records: readonly PlannedRecord[]

  constructor(records: readonly PlannedRecord[]) {
    this.#records = records
    this.#externalIds = new StringIndex((record) => records[record]!.externalId as string)
    this.#userNames = new StringIndex((record) => records[record]!.userName as string, true)
    this.byExternalId = {
      get: (key) => {
        this.#file()
        return this.#externalIds.get(key)
      }
    }
  }

  /** Every record of each externalId that occurs more than once, in run order. */
  get duplicateExternalIds(): ReadonlyMap<string, number[]> {
    this.#file()
    return this.#duplicateExternalIds
  }

  /** Every record of each userName (case-insensitive, as UPNs are) that occurs more than once, in run order. */
  get duplicateUserNames(): ReadonlyMap<string, number[]> {
    this.#file()
    return this.#duplicateUserNames
  }

  /** Makes room for about `count` more records (a hint; the index grows anyway). */
  reserve(count: number): void {
    this.#pendingExternalIds.reserve(count)
    this.#pendingUserNames.reserve(count)
    this.#externalIds.reserve(count)
    this.#userNames.reserve(count)
  }

  /**
   * The index of each record's manager among the run's records (the first with that externalId), or -1 when it has
   * none or names nobody in the run. Resolved once, for the manager checks and the upload order.
   */
  resolveManagers(records: readonly PlannedRecord[]): Int32Array {
    this.#file()
    const managers = new Int32Array(records.length).fill(-1)
    for (let index = 0; index < records.length; index++) {
      const managerId = (records[index] as PlannedRecord).managerId
      if (managerId !== undefined) managers[index] = this.#externalIds.get(managerId) ?? -1
    }
    return managers
  }

  /**
   * Adds `records[index]` (it must already be in the array). Records the mapping leaves out (IgnoreObjectFlow) are
   * not added: they are not part of the run.
   */
  add(record: PlannedRecord, index: number): void {
    if (record.status === 'ignored') return
    const { externalId, userName } = record
    if (externalId !== undefined) this.#pendingExternalIds.add(this.#externalIds.hash(externalId), index)
    if (userName !== undefined) this.#pendingUserNames.add(this.#userNames.hash(userName), index)
  }

  /** Files the keys added since the last time. */
  #file(): void {
    const records = this.#records
    fileKeys(this.#pendingExternalIds, this.#externalIds, this.#duplicateExternalIds, (index) => {
      return records[index]!.externalId as string
    })
    fileKeys(this.#pendingUserNames, this.#userNames, this.#duplicateUserNames, (index) => {
      return (records[index]!.userName as string).toLowerCase()
    })
  }
}

/**
 * Files pending keys in `first`, grouping the records of keys already there in `duplicates` (named by `groupKey`,
 * called for duplicates only). Keys equal to each other share a hash, so ordering by hash keeps them in run order.
 */
function fileKeys(
  pending: PendingKeys,
  first: StringIndex,
  duplicates: Map<string, number[]>,
  groupKey: (index: number) => string
): void {
  if (pending.length === 0) return
  first.reserve(pending.length)
  const { hashes, records } = pending.byHash()
  pending.clear()
  let newGroups = false
  for (let i = 0; i < hashes.length; i++) {
    const index = records[i] as number
    const seen = first.addHashed(index, hashes[i] as number)
    if (seen === undefined) continue
    const name = groupKey(index)
    const group = duplicates.get(name)
    if (group) group.push(index)
    else {
      duplicates.set(name, [seen, index])
      newGroups = true
    }
  }
  if (!newGroups) return
  // Groups in the order their second record comes in the run, as when records were filed one by one.
  const groups = [...duplicates].sort(([, a], [, b]) => (a[1] as number) - (b[1] as number))
  duplicates.clear()
  for (const [name, group] of groups) duplicates.set(name, group)
}

/** Bits of the hash that order pending keys: 256 stretches of the table, each small enough to stay in the cache. */
const ORDER_BITS = 8

/** Keys' hashes and records in the order they were added, in typed arrays that grow as needed. */
class PendingKeys {
  #hashes = new Int32Array(1 << 12)
  #records = new Int32Array(1 << 12)
  length = 0

  reserve(count: number): void {
    if (this.length + count > this.#hashes.length) this.#resize(this.length + count)
  }

  add(hash: number, record: number): void {
    if (this.length === this.#hashes.length) this.#resize(this.length * 2)
    this.#hashes[this.length] = hash
    this.#records[this.length] = record
    this.length++
  }

  #resize(size: number): void {
    this.#hashes = resized(this.#hashes, this.length, size)
    this.#records = resized(this.#records, this.length, size)
  }

  clear(): void {
    this.length = 0
  }

  /** The pending keys by the hash's high bits (a counting sort), in the order they were added within each. */
  byHash(): { hashes: Int32Array; records: Int32Array } {
    const shift = 32 - ORDER_BITS
    const next = new Int32Array((1 << ORDER_BITS) + 1)
    for (let i = 0; i < this.length; i++) {
      const bucket = ((this.#hashes[i] as number) >>> shift) + 1
      next[bucket] = (next[bucket] as number) + 1
    }
    for (let b = 1; b < next.length; b++) next[b] = (next[b] as number) + (next[b - 1] as number)
    const hashes = new Int32Array(this.length)
    const records = new Int32Array(this.length)
    for (let i = 0; i < this.length; i++) {
      const hash = this.#hashes[i] as number
      const bucket = hash >>> shift
      const at = next[bucket] as number
      next[bucket] = at + 1
      hashes[at] = hash
      records[at] = this.#records[i] as number
    }
    return { hashes, records }
  }
}

function resized(array: Int32Array<ArrayBuffer>, length: number, size: number): Int32Array<ArrayBuffer> {
  const copy = new Int32Array(size)
  copy.set(array.subarray(0, length))
  return copy
}
