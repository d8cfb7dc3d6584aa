/**
 * The run's records by key, built once while records stream in and shared by the duplicate checks, the manager
 * checks and the upload order.
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

  /** Makes room for about `count` more records (a hint; the index grows anyway). */
  reserve(count: number): void {
    this.#externalIds.reserve(count)
    this.#userNames.reserve(count)
  }

  /**
   * The index of each record's manager among the run's records (the first with that externalId), or -1 when it has
   * none or names nobody in the run. Resolved once, for the manager checks and the upload order.
   */
  resolveManagers(records: readonly PlannedRecord[]): Int32Array {
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
    if (externalId !== undefined)
      track(this.#externalIds, this.duplicateExternalIds, externalId, index, externalId)
    if (userName !== undefined) {
      track(this.#userNames, this.duplicateUserNames, userName, index, () => userName.toLowerCase())
    }
  }
}

/** `groupKey` names the group of duplicates; a function when it costs something, since duplicates are rare. */
function track(
  first: StringIndex,
  duplicates: Map<string, number[]>,
  key: string,
  index: number,
  groupKey: string | (() => string)
): void {
  const seen = first.addIfAbsent(key, index)
  if (seen === undefined) return
  const name = typeof groupKey === 'string' ? groupKey : groupKey()
  const group = duplicates.get(name)
  if (group) group.push(index)
  else duplicates.set(name, [seen, index])
}
