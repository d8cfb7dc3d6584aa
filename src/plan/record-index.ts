/**
 * The run's records by key, built once while records stream in and shared by the duplicate checks, the manager
 * checks and the upload order.
 */
import { StringIndex } from './string-index.ts'
import type { PlannedRecord } from './types.ts'

export interface KeyLookup {
  /** The first record with this key, or undefined. */
  get(key: string): number | undefined
}

export class RecordIndex {
  /** First record with each externalId. */
  readonly byExternalId: KeyLookup
  /** Every record of each externalId that occurs more than once, in run order. */
  readonly duplicateExternalIds = new Map<string, number[]>()
  /** Every record of each userName (case-insensitive, as UPNs are) that occurs more than once, in run order. */
  readonly duplicateUserNames = new Map<string, number[]>()
  readonly #externalIds: StringIndex
  readonly #userNames: StringIndex

  constructor(records: readonly PlannedRecord[]) {
    this.#externalIds = new StringIndex((record) => records[record]!.externalId as string)
    this.#userNames = new StringIndex((record) => records[record]!.userName as string, true)
    this.byExternalId = this.#externalIds
  }

  /**
   * Adds `records[index]` (it must already be in the array). Records the mapping leaves out (IgnoreObjectFlow) are
   * not added: they are not part of the run.
   */
  add(record: PlannedRecord, index: number): void {
    if (record.status === 'ignored') return
    if (record.externalId !== undefined) {
      track(this.#externalIds, this.duplicateExternalIds, record.externalId, index)
    }
    if (record.userName !== undefined) {
      track(this.#userNames, this.duplicateUserNames, record.userName.toLowerCase(), index, record.userName)
    }
  }
}

/** `groupKey` names the group of duplicates; `key` (default: the same) is what the index compares. */
function track(
  first: StringIndex,
  duplicates: Map<string, number[]>,
  groupKey: string,
  index: number,
  key = groupKey
): void {
  const seen = first.addIfAbsent(key, index)
  if (seen === undefined) return
  const group = duplicates.get(groupKey)
  if (group) group.push(index)
  else duplicates.set(groupKey, [seen, index])
}
