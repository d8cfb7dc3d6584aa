/**
 * Plan mode's pipeline over every HR file: map → validate each record → validate across records → order and pack.
 * Pure apart from reading the sources it is given; the result is plain data for the report and upload stages.
 */
import { InputError, type Diagnostic } from '../diagnostics.ts'
import type { EvaluationContext } from '../mapping/expression/index.ts'
import { checkColumns } from '../mapping/columns.ts'
import type { Mapping } from '../mapping/load.ts'
import { createRecordMapper } from '../scim/user.ts'
import { packBatches, uploadOrder } from '../scim/batch.ts'
import type { SourceFile } from '../sources/types.ts'
import { validateAcrossRecords } from '../validate/cross-record.ts'
import { createRecordValidator } from '../validate/record.ts'
import type { DiagnosticFactory } from '../validate/rules.ts'
import type { ValueStore } from './value-store.ts'
import { RecordIndex } from './record-index.ts'
import type { FileSummary, Plan, PlannedRecord, RecordStatus } from './types.ts'

export interface PlanOptions {
  batchSize: number
  context: EvaluationContext
  diagnostics: DiagnosticFactory
  /** Receives the mapped values of every valid record, when payloads are to be rendered (written or sent). */
  values?: ValueStore | undefined
}

export async function buildPlan(
  mapping: Mapping,
  sources: readonly SourceFile[],
  options: PlanOptions
): Promise<Plan> {
  const columnProblems = sources.flatMap((source) => checkColumns(mapping, source))
  if (columnProblems.length > 0) throw new InputError(columnProblems)

  const records: PlannedRecord[] = []
  const diagnostics: Diagnostic[] = [...mapping.warnings]
  const validate = createRecordValidator(mapping, options.diagnostics)
  const index = new RecordIndex(records)

  for (const [fileIndex, source] of sources.entries()) {
    diagnostics.push(...(source.diagnostics ?? []))
    const mapper = createRecordMapper(mapping, source, options.context, options.diagnostics)
    for await (const chunk of source.chunks) {
      for (const record of chunk) {
        const mapped = mapper.map(record)
        const found = mapped.diagnostics
        // A record the mapping leaves out is not sent, so the record rules do not apply to it.
        const keys = validate(
          mapped.values,
          { file: source.file, line: record.line },
          mapped.ignored ? [] : found
        )
        let status: RecordStatus = found.some((d) => d.severity === 'error') ? 'invalid' : 'valid'
        if (mapped.ignored) {
          status = 'ignored'
          const notice = options.diagnostics.create('object-ignored', {
            file: source.file,
            line: record.line,
            message: 'the mapping returned IgnoreObjectFlow; the record is not sent'
          })
          if (notice) found.push(notice)
        }
        for (const diagnostic of found) {
          if (keys.externalId !== undefined) diagnostic.externalId = keys.externalId
          diagnostics.push(diagnostic)
        }
        const planned: PlannedRecord = {
          fileIndex,
          line: record.line,
          externalId: detach(keys.externalId),
          userName: detach(keys.userName),
          managerId: detach(keys.managerId),
          status,
          values: status === 'valid' ? options.values?.add(mapped.values) : undefined
        }
        records.push(planned)
        index.add(planned, records.length - 1)
      }
    }
  }

  const files = sources.map((source) => source.file)
  diagnostics.push(...validateAcrossRecords(records, index, files, options.diagnostics))

  return {
    mappingFile: mapping.file,
    files: sources.map((source, index) => summarize(source, index, records)),
    records,
    diagnostics: sortDiagnostics(diagnostics, files),
    batches: packBatches(uploadOrder(records, index.byExternalId), options.batchSize),
    batchSize: options.batchSize,
    mapping,
    values: options.values
  }
}

/**
 * A copy of a value that does not keep its source alive: V8 keeps a substring of 13 characters or more as a view
 * into its parent, here the megabyte chunk of CSV text it came from, which would keep every chunk of a big file
 * in memory through the records' keys.
 */
function detach(value: string | undefined): string | undefined {
  return value === undefined || value.length < 13 ? value : (' ' + value).slice(1)
}

function summarize(source: SourceFile, fileIndex: number, records: readonly PlannedRecord[]): FileSummary {
  const summary: FileSummary = {
    file: source.file,
    format: source.format,
    delimiter: source.delimiter,
    encoding: source.encoding,
    records: 0,
    valid: 0,
    invalid: 0,
    ignored: 0
  }
  for (const record of records) {
    if (record.fileIndex !== fileIndex) continue
    summary.records++
    summary[record.status]++
  }
  return summary
}

/** Mapping-file problems first, then HR files in run order, by line; stable otherwise. */
function sortDiagnostics(diagnostics: Diagnostic[], files: readonly string[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => (d.file === undefined ? -1 : files.indexOf(d.file))
  return diagnostics
    .map((diagnostic, order) => ({ diagnostic, order }))
    .sort(
      (a, b) =>
        rank(a.diagnostic) - rank(b.diagnostic) ||
        (a.diagnostic.line ?? 0) - (b.diagnostic.line ?? 0) ||
        a.order - b.order
    )
    .map(({ diagnostic }) => diagnostic)
}
