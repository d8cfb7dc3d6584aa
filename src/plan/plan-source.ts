/**
 * Map → validate for every record of one source: the per-record half of planning, shared by the serial path and
 * the worker threads that plan parts of a big file in parallel.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { EvaluationContext } from '../mapping/expression/index.ts'
import type { Mapping } from '../mapping/load.ts'
import { createRecordMapper, type MappedValue } from '../scim/user.ts'
import type { SourceFile } from '../sources/source-file.ts'
import { createRecordValidator } from '../validate/record.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import type { PlannedRecord, RecordStatus } from './model.ts'

/**
 * Receives each record in file order, with its diagnostics and (for valid records) its mapped values. The record is
 * made once, in its final shape, and kept as it is: a million-record plan allocates no second object per record.
 */
export type RecordSink = (
  record: PlannedRecord,
  values: readonly MappedValue[] | undefined,
  diagnostics: Diagnostic[]
) => void

export async function planSource(
  mapping: Mapping,
  source: SourceFile,
  fileIndex: number,
  context: EvaluationContext,
  factory: DiagnosticFactory,
  sink: RecordSink
): Promise<void> {
  const mapper = createRecordMapper(mapping, source, context, factory)
  const validate = createRecordValidator(mapping, factory)
  for await (const chunk of source.chunks) {
    for (const record of chunk) {
      const mapped = mapper.map(record)
      // A row the reader could not split as the header says (an unclosed quote, a wrong field count) has shifted
      // values: what the mapping and the record rules would say of them follows from that one problem, so only it
      // is reported, and the row's keys are not trusted (no duplicate or manager findings from shifted values).
      const broken = record.diagnostics?.some((d) => d.severity === 'error') === true
      const found = broken ? [...(record.diagnostics as Diagnostic[])] : mapped.diagnostics
      // A record the mapping leaves out is not sent, so the record rules do not apply to it.
      const checked = validate(
        mapped.values,
        { file: source.file, line: record.line },
        mapped.ignored || broken ? [] : found
      )
      const keys = broken
        ? { ...checked, externalId: undefined, userName: undefined, managerId: undefined }
        : checked
      let status: RecordStatus = found.some((d) => d.severity === 'error') ? 'invalid' : 'valid'
      if (mapped.ignored) {
        status = 'ignored'
        const notice = factory.create('object-ignored', {
          file: source.file,
          line: record.line,
          message: 'the mapping returned IgnoreObjectFlow; the record is not sent'
        })
        if (notice) found.push(notice)
      }
      if (keys.externalId !== undefined)
        for (const diagnostic of found) diagnostic.externalId = keys.externalId
      sink(
        {
          fileIndex,
          line: record.line,
          externalId: detach(keys.externalId),
          userName: detach(keys.userName),
          managerId: detach(keys.managerId),
          status,
          values: undefined,
          bytes: keys.bytes
        },
        status === 'valid' ? mapped.values : undefined,
        found
      )
    }
  }
}

/**
 * A copy of a value that does not keep its source alive: V8 keeps a substring of 13 characters or more as a view
 * into its parent, here the chunk of CSV text it came from, which would keep every chunk of a big file in memory
 * through the records' keys.
 */
function detach(value: string | undefined): string | undefined {
  return value === undefined || value.length < 13 ? value : (' ' + value).slice(1)
}
