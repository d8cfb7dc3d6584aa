/** The plan: what was read, what is wrong, and what would be sent. Plain data, shared by every later stage. */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { Mapping } from '../mapping/load.ts'
import type { ValueStore } from './value-store.ts'
import type { EmptyValues } from '../scim/user.ts'

export type RecordStatus = 'valid' | 'invalid' | 'ignored'

export interface PlannedRecord {
  /** Index into `Plan.files`. */
  fileIndex: number
  line: number
  externalId: string | undefined
  userName: string | undefined
  managerId: string | undefined
  status: RecordStatus
  /** Handle of the record's mapped values in the plan's ValueStore; valid records of a plan that keeps values. */
  values: number | undefined
  /** Bytes its bulk operation takes at most (src/scim/size.ts); batches are packed by it. */
  bytes?: number
}

export interface FileSummary {
  file: string
  format: string
  delimiter: string | undefined
  encoding: string
  records: number
  valid: number
  invalid: number
  ignored: number
  /** Parts the file was planned in on worker threads (1: on the main thread). */
  parts: number
  /** Index into `Plan.mappings`: the mapping of the file's source. */
  mapping: number
}

/** The mapping a record of the plan was made with. */
export function mappingOf(
  plan: Pick<Plan, 'files' | 'mappings'>,
  record: Pick<PlannedRecord, 'fileIndex'>
): Mapping {
  return plan.mappings[plan.files[record.fileIndex]?.mapping ?? 0] as Mapping
}

export interface Batch {
  /** Indexes into `Plan.records`, in upload order. */
  records: number[]
}

export interface Plan {
  files: FileSummary[]
  records: PlannedRecord[]
  /** Every diagnostic of the run, mapping warnings first, then in file and line order. */
  diagnostics: Diagnostic[]
  batches: Batch[]
  batchSize: number
  /** The mappings the values were made with, one per source (`sources` input); they render them into payloads. */
  mappings: Mapping[]
  /** The mapped values of the valid records; absent when the plan was built only to report. */
  values: ValueStore | undefined
  /** What an empty mapped value becomes in the payloads (empty-values); omitted when absent. */
  emptyValues?: EmptyValues
}
