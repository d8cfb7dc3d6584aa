/** The plan: what was read, what is wrong, and what would be sent. Plain data, shared by every later stage. */
import type { Diagnostic } from '../diagnostics.ts'
import type { PayloadStore } from './payload-store.ts'

export type RecordStatus = 'valid' | 'invalid' | 'ignored'

export interface PlannedRecord {
  /** Index into `Plan.files`. */
  fileIndex: number
  line: number
  externalId: string | undefined
  userName: string | undefined
  managerId: string | undefined
  status: RecordStatus
  /** Handle of the SCIM user (`data` of the bulk operation) in the plan's PayloadStore; valid records only. */
  payload: number | undefined
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
}

export interface Batch {
  /** Indexes into `Plan.records`, in upload order. */
  records: number[]
}

export interface Plan {
  mappingFile: string
  files: FileSummary[]
  records: PlannedRecord[]
  /** Every diagnostic of the run, mapping warnings first, then in file and line order. */
  diagnostics: Diagnostic[]
  batches: Batch[]
  batchSize: number
  payloads: PayloadStore
}
