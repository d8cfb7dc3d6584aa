/**
 * What apply mode uploads once the review is known: every valid record (the default) or only those whose mapped
 * payload differs from the base (`changed-only`), plus the disabled leavers under `leavers: disable`. The result is
 * a Plan like any other, so the upload stage sends it unchanged; each record is sent complete.
 */
import type { FileSummary, Plan, PlannedRecord } from '../plan/model.ts'
import { hierarchyOrder, packBatches } from '../plan/batches.ts'
import { storeOf, timeDependent, type ReviewDiff } from './diff.ts'
import { leaverRecords, type LeaverPolicy } from './leavers.ts'

export interface UploadOptions {
  diff: ReviewDiff
  basePlan: Plan | undefined
  leavers: LeaverPolicy
  changedOnly: boolean
}

export interface UploadSelection {
  /** The head plan with the disabled leavers appended to its records (and their values to its store), batched. */
  plan: Plan
  /** Records in the batches. */
  records: number
  /** Of which disabled leavers (removed rows). */
  leavers: number
  /** Why `changed-only` uploads every record anyway (a message for a warning), or undefined. */
  fullReason: string | undefined
  /** bulkUpload calls: of a full upload (every valid record and the leavers), of this upload, and the difference. */
  calls: { full: number; planned: number; saved: number }
}

export function uploadSelection(headPlan: Plan, options: UploadOptions): UploadSelection {
  const records: PlannedRecord[] = [...headPlan.records]
  const files: FileSummary[] = [...headPlan.files]
  const baseFiles = new Map((options.basePlan?.files ?? []).map((file) => [file.file, file]))
  const selected: number[] = []
  const clock = headPlan.mappings.flatMap((mapping) =>
    mapping.attributes.filter(timeDependent).map((a) => a.path)
  )
  const fullReason =
    options.changedOnly && clock.length > 0
      ? `changed-only sends every record: the mapping reads the clock (Now()) in ${clock.join(', ')}, so a value ` +
        'can change with time alone, which a comparison with the base cannot see'
      : undefined
  if (options.changedOnly && fullReason === undefined) {
    for (const entry of options.diff.entries)
      if (entry.headRecord !== undefined) selected.push(entry.headRecord)
    selected.sort((a, b) => a - b)
  } else {
    records.forEach((record, index) => {
      if (record.status === 'valid') selected.push(index)
    })
  }

  const leavers = leaverRecords(options.diff, options.basePlan, headPlan.mappings, options.leavers)
  for (const leaver of leavers) {
    let fileIndex = files.findIndex((file) => file.file === leaver.file)
    if (fileIndex < 0) {
      // A deleted file: listed with no records, so the report can still name where the leaver was.
      const base = baseFiles.get(leaver.file)
      files.push({
        file: leaver.file,
        format: base?.format ?? 'csv',
        delimiter: base?.delimiter,
        encoding: base?.encoding ?? 'utf-8',
        records: 0,
        valid: 0,
        invalid: 0,
        ignored: 0,
        parts: 1,
        mapping: leaver.mapping
      })
      fileIndex = files.length - 1
    }
    selected.push(records.length)
    records.push({
      fileIndex,
      line: leaver.line,
      externalId: leaver.externalId,
      userName: leaver.userName,
      managerId: leaver.managerId,
      status: 'valid',
      values: storeOf(headPlan).add(leaver.values)
    })
  }

  const order = managersFirst(selected, records)
  const batches = packBatches(order, headPlan.batchSize, (i) => records[i]?.bytes ?? 0)
  const full = Math.ceil((options.diff.counts.headValid + leavers.length) / Math.max(1, headPlan.batchSize))
  return {
    plan: { ...headPlan, records, files, batches },
    records: order.length,
    leavers: leavers.length,
    fullReason,
    calls: { full, planned: batches.length, saved: Math.max(0, full - batches.length) }
  }
}

/**
 * The selected records in upload order: by depth in the manager hierarchy among them (a manager that is not sent is
 * already in Entra), selection order within a depth, as the full upload orders them. Cycles are cut where they close.
 */
function managersFirst(selected: readonly number[], records: readonly PlannedRecord[]): number[] {
  const position = new Map<string, number>()
  selected.forEach((index, k) => {
    const id = records[index]!.externalId
    if (id !== undefined && !position.has(id)) position.set(id, k)
  })
  const managerOf = (k: number): number | undefined => {
    const managerId = records[selected[k]!]!.managerId
    return managerId === undefined ? undefined : position.get(managerId)
  }
  return hierarchyOrder(selected.length, managerOf).map((k) => selected[k]!)
}
