/**
 * Plan mode's pipeline over every HR file: map → validate each record → validate across records → order and pack.
 * Pure apart from reading the sources it is given; the result is plain data for the report and upload stages.
 */
import { InputError, type Diagnostic } from '../common/diagnostics.ts'
import type { EvaluationContext } from '../mapping/expression/index.ts'
import { checkColumns } from '../mapping/columns.ts'
import type { Mapping } from '../mapping/load.ts'
import { packBatches, uploadOrder } from './batches.ts'
import type { SourceFile } from '../sources/source-file.ts'
import type { EmptyValues } from '../scim/user.ts'
import { validateAcrossRecords } from './cross-record.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import type { ValueStore } from './value-store.ts'
import { RecordIndex } from './record-index.ts'
import type { FileSummary, Plan, PlannedRecord } from './model.ts'
import { planSource, type RecordSink } from './plan-source.ts'
import { ABANDONED, planSourceInParallel } from './parallel.ts'

export interface PlanOptions {
  batchSize: number
  context: EvaluationContext
  diagnostics: DiagnosticFactory
  /** Receives the mapped values of every valid record, when payloads are to be rendered (written or sent). */
  values?: ValueStore | undefined
  /** What an empty mapped value becomes in the payloads (empty-values; default omit). */
  emptyValues?: EmptyValues
  /** Plan big CSV files in parts on worker threads (default true; only for plans that keep no values). */
  parallel?: boolean
  /** Files smaller than this are planned on the main thread (default 16 MiB; tests lower it). */
  parallelMinBytes?: number
}

/** One data source of a run: its HR files and the mapping they are read with. */
export interface SourceGroup {
  mapping: Mapping
  sources: readonly SourceFile[]
}

/** The plan of one mapping's files (the usual case). */
export function buildPlan(
  mapping: Mapping,
  sources: readonly SourceFile[],
  options: PlanOptions
): Promise<Plan> {
  return buildPlanOfGroups([{ mapping, sources }], options)
}

/**
 * The plan of several sources, each with its mapping, as one run: records of all files are checked across each
 * other (a duplicate externalId in two sources is an error) and packed together.
 */
export async function buildPlanOfGroups(groups: readonly SourceGroup[], options: PlanOptions): Promise<Plan> {
  const columnProblems = groups.flatMap(({ mapping, sources }) =>
    sources.flatMap((s) => checkColumns(mapping, s))
  )
  if (columnProblems.length > 0) throw new InputError(columnProblems)

  const records: PlannedRecord[] = []
  const diagnostics: Diagnostic[] = groups.flatMap(({ mapping }) => mapping.warnings)
  let index = new RecordIndex(records)
  const files: FileSummary[] = []
  const sources = groups.flatMap(({ sources }) => sources)

  for (const [group, { mapping, sources: groupSources }] of groups.entries()) {
    for (const source of groupSources) {
      const fileIndex = files.length
      diagnostics.push(...(source.diagnostics ?? []))
      const add: RecordSink = (record, values, found) => {
        for (const diagnostic of found) diagnostics.push(diagnostic)
        if (values !== undefined && options.values) record.values = options.values.add(values)
        records.push(record)
        index.add(record, records.length - 1)
      }
      // Values cannot be collected from worker threads, and small files are not worth the threads.
      const parallel = options.values === undefined && options.parallel !== false
      const before = { records: records.length, diagnostics: diagnostics.length }
      const inParts = parallel
        ? await planSourceInParallel(
            mapping,
            source,
            fileIndex,
            { ...options, reserve: (n) => index.reserve(n) },
            add
          )
        : 0
      if (inParts === ABANDONED) {
        // Drop what the parallel attempt fed, and index the records kept again (an index cannot forget).
        records.length = before.records
        diagnostics.length = before.diagnostics
        index = new RecordIndex(records)
        records.forEach((record, at) => index.add(record, at))
      }
      if (inParts <= 0)
        await planSource(mapping, source, fileIndex, options.context, options.diagnostics, add)
      files.push(summarize(source, Math.max(1, inParts), group))
    }
  }
  const names = sources.map((source) => source.file)
  const managers = index.resolveManagers(records)
  diagnostics.push(...validateAcrossRecords(records, index, managers, names, options.diagnostics))
  // Counted once the checks across records have set the final statuses.
  for (const record of records) {
    const summary = files[record.fileIndex] as FileSummary
    summary.records++
    summary[record.status]++
  }

  return {
    files,
    records,
    diagnostics: sortDiagnostics(diagnostics, names),
    batches: packBatches(uploadOrder(records, managers), options.batchSize, (i) => records[i]?.bytes ?? 0),
    batchSize: options.batchSize,
    mappings: groups.map(({ mapping }) => mapping),
    values: options.values,
    emptyValues: options.emptyValues ?? 'omit'
  }
}

function summarize(source: SourceFile, parts: number, mapping: number): FileSummary {
  return {
    file: source.file,
    format: source.format,
    delimiter: source.delimiter,
    encoding: source.encoding,
    records: 0,
    valid: 0,
    invalid: 0,
    ignored: 0,
    parts,
    mapping
  }
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
