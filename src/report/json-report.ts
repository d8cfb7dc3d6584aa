/**
 * The JSON report: totals, every diagnostic, the records that will not be sent and, in apply mode, the manifest of
 * what was sent, for scripts, artifacts and the later `report` mode. Written as a stream: a big run has a million
 * records.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { once } from 'node:events'
import type { Diagnostic } from '../common/diagnostics.ts'
import type { Plan } from '../plan/model.ts'
import type { SummaryDetail } from '../settings/settings.ts'
import { planTotals } from './job-summary.ts'
import { jsonString } from '../common/json-string.ts'
import type { UploadResult } from '../apply/upload-result.ts'

export const REPORT_VERSION = 1

export interface ReportContext {
  generatedAt: Date
  detail: SummaryDetail
  /** The run's mode when it is neither plan nor apply (reconcile); otherwise taken from `upload`. */
  mode?: string
}

/**
 * With `upload` (apply mode) the report also holds the upload totals and the run manifest: for every record that was
 * to be sent, its file, line, externalId, bulkId, request, request-id, time and final HTTP outcome.
 */
export async function writePlanReport(
  file: string,
  plan: Plan,
  context: ReportContext,
  upload?: UploadResult,
  /** Further top-level members, as JSON text chunks (the outcomes of apply mode). */
  extra?: Iterable<string>
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const out = createWriteStream(file, { encoding: 'utf8' })
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }

  const header = {
    version: REPORT_VERSION,
    mode: context.mode ?? (upload ? 'apply' : 'plan'),
    generatedAt: context.generatedAt.toISOString(),
    mappings: plan.mappings.map((mapping) => mapping.file),
    batchSize: plan.batchSize,
    requests: plan.batches.length,
    totals: planTotals(plan),
    ...(upload ? { upload: uploadHeader(upload) } : {}),
    files: plan.files
  }
  await write(JSON.stringify(header, null, 2).slice(0, -2) + ',\n  "diagnostics": [')
  await writeList(plan.diagnostics, (d) => JSON.stringify(publicDiagnostic(d, context.detail)), write)
  // Records that will not be sent, with why (their diagnostics name them too). Sent records are in the manifest of
  // apply mode; listing every valid record of a million-row plan would add ~90 MB to a file that travels as an artifact.
  await write('\n  ],\n  "notSent": [')
  const fileNames = plan.files.map((summary) => jsonString(summary.file))
  await writeList(
    plan.records.filter((record) => record.status !== 'valid'),
    (record) => {
      const externalId = record.externalId === undefined ? 'null' : jsonString(record.externalId)
      return `{"file":${fileNames[record.fileIndex]},"line":${record.line},"externalId":${externalId},"status":"${record.status}"}`
    },
    write
  )
  if (upload) {
    await write('\n  ],\n  "manifest": [')
    const entries: Array<{ record: number; request: number }> = []
    plan.batches.forEach((batch, request) => {
      for (const record of batch.records) entries.push({ record, request })
    })
    const outcomes = upload.requests.map((r) => {
      const time = r.at === undefined ? 'null' : `"${new Date(r.at).toISOString()}"`
      const reason = r.reason === undefined ? '' : `,"reason":${jsonString(r.reason)}`
      return (
        `"request":${r.request},"requestId":${r.requestId === undefined ? 'null' : jsonString(r.requestId)},` +
        `"clientRequestId":${r.clientRequestId === undefined ? 'null' : jsonString(r.clientRequestId)},"time":${time},` +
        `"httpStatus":${r.status},"outcome":"${r.outcome}","attempts":${r.attempts}${reason}`
      )
    })
    await writeList(
      entries,
      ({ record, request }) => {
        const r = plan.records[record]
        const id = r?.externalId === undefined ? 'null' : jsonString(r.externalId)
        // The bulkId is the externalId (src/plan/batches.ts).
        return `{"file":${fileNames[r?.fileIndex ?? 0]},"line":${r?.line ?? 0},"externalId":${id},"bulkId":${id},${outcomes[request]}}`
      },
      write
    )
  }
  await write('\n  ]')
  if (extra) {
    await write(',\n  ')
    for (const chunk of extra) await write(chunk)
  }
  await write('\n}\n')
  out.end()
  await once(out, 'finish')
}

async function writeList<T>(
  items: readonly T[],
  render: (item: T, index: number) => string,
  write: (chunk: string) => Promise<void>
): Promise<void> {
  const CHUNK = 10_000
  for (let start = 0; start < items.length; start += CHUNK) {
    const lines: string[] = []
    for (let i = start; i < Math.min(items.length, start + CHUNK); i++) lines.push(render(items[i] as T, i))
    await write((start === 0 ? '\n    ' : ',\n    ') + lines.join(',\n    '))
  }
}

/**
 * The report of a run that stopped before reading any record (a mapping or input error): the problems, so a later
 * step (`if: always()`) can read why, as it reads a full report.
 */
export async function writeStoppedReport(
  file: string,
  diagnostics: readonly Diagnostic[],
  context: ReportContext
): Promise<void> {
  const count = (severity: Diagnostic['severity']): number =>
    diagnostics.filter((d) => d.severity === severity).length
  const report = {
    version: REPORT_VERSION,
    mode: 'stopped',
    generatedAt: context.generatedAt.toISOString(),
    totals: { errors: count('error'), warnings: count('warning'), notices: count('notice') },
    diagnostics: diagnostics.map((d) => publicDiagnostic(d, context.detail))
  }
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(report, null, 2) + '\n', 'utf8')
}

/** Values (`detail`) stay out of the report unless the user opted in: report files travel as artifacts. */
function publicDiagnostic(diagnostic: Diagnostic, detail: SummaryDetail): Diagnostic {
  if (detail === 'full' || diagnostic.detail === undefined) return diagnostic
  const { detail: _hidden, ...rest } = diagnostic
  return rest
}

function uploadHeader(upload: UploadResult): Record<string, unknown> {
  return {
    startedAt: new Date(upload.startedAt).toISOString(),
    finishedAt: new Date(upload.finishedAt).toISOString(),
    calls: upload.calls,
    dailyCallBudget: upload.budget ?? null,
    throttled: upload.throttled,
    stopped: upload.stopped
      ? {
          ...upload.stopped,
          ...(upload.stopped.retryAt === undefined
            ? {}
            : { retryAt: new Date(upload.stopped.retryAt).toISOString() })
        }
      : null,
    ...upload.totals
  }
}
