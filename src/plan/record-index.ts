/**
 * The run's records by key, built once while records stream in and shared by the duplicate checks, the manager
 * checks and the upload order. (Building a million-entry map costs about as much as parsing the file, so it is
 * built once, not once per use.)
 */
import type { PlannedRecord } from './types.ts'

export class RecordIndex {
  /** First record with each externalId. */
  readonly byExternalId = new Map<string, number>()
  /** Every record of each externalId that occurs more than once, in run order. */
  readonly duplicateExternalIds = new Map<string, number[]>()
  /** Every record of each userName (case-insensitive, as UPNs are) that occurs more than once, in run order. */
  readonly duplicateUserNames = new Map<string, number[]>()
  readonly #byUserName = new Map<string, number>()

  /** Records the mapping leaves out (IgnoreObjectFlow) are not added: they are not part of the run. */
  add(record: PlannedRecord, index: number): void {
    if (record.status === 'ignored') return
    if (record.externalId !== undefined)
      track(this.byExternalId, this.duplicateExternalIds, record.externalId, index)
    if (record.userName !== undefined) {
      track(this.#byUserName, this.duplicateUserNames, record.userName.toLowerCase(), index)
    }
  }
}

function track(
  first: Map<string, number>,
  duplicates: Map<string, number[]>,
  key: string,
  index: number
): void {
  const seen = first.get(key)
  if (seen === undefined) {
    first.set(key, index)
    return
  }
  const group = duplicates.get(key)
  if (group) group.push(index)
  else duplicates.set(key, [seen, index])
}
