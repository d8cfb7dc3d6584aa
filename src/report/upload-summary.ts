/**
 * The upload section of an apply run's job summary: what was staged, retried and not sent (with why), and the calls
 * used against the budget. Requests are named by number and request-id; no record values appear.
 */
import type { NotSentKind, RequestOutcome, UploadResult } from '../apply/upload-result.ts'
import { cell, count, plural, table, text } from '../common/markdown.ts'

const MAX_REQUESTS_LISTED = 50

const KIND_LABEL: Record<NotSentKind, string> = {
  budget: 'daily-call-budget reached',
  quota: "tenant's daily quota likely exhausted",
  'bucket-full': "the job's ingestion bucket stayed full past upload-timeout",
  rejected: 'refused by Graph',
  exhausted: 'transient failures, retries used up',
  unauthorized: 'access token refused',
  stopped: 'not attempted after the upload stopped'
}

export function renderUploadSection(upload: UploadResult): string {
  const { totals } = upload
  const lines: string[] = ['### 📤 Upload', '']
  lines.push(
    table(
      ['', 'Records', 'Requests'],
      [
        [
          '✅ Sent (202: staged for the next provisioning cycle)',
          count(totals.sent),
          count(totals.requestsSent)
        ],
        [
          '🔁 … of which after a retry',
          count(totals.retried),
          count(upload.requests.filter((r) => r.outcome === 'staged' && r.attempts > 1).length)
        ],
        ['⛔ Not sent', count(totals.notSent), count(totals.requestsNotSent)]
      ],
      [1, 2]
    ),
    ''
  )
  const budget =
    upload.budget === undefined
      ? 'no daily-call-budget set'
      : `of a daily-call-budget of ${count(upload.budget)}`
  const seconds = Math.max(0, (upload.finishedAt - upload.startedAt) / 1000)
  lines.push(
    `${plural(upload.calls, 'bulkUpload call')} (${budget}), ${plural(upload.throttled, 'throttled answer')} (429), in ${seconds.toFixed(1)} s. ` +
      'Staged is not success: Entra processes the records in its next cycle and reports each in the provisioning logs.',
    ''
  )
  if (upload.stopped) lines.push(`> **The upload stopped early**: ${text(upload.stopped.message)}`, '')

  const kinds = Object.entries(totals.notSentBy) as Array<[NotSentKind, number]>
  if (kinds.length > 0) {
    lines.push(
      table(
        ['Not sent because', 'Records'],
        kinds.map(([kind, records]) => [cell(KIND_LABEL[kind]), count(records)]),
        [1]
      ),
      ''
    )
    const failed = upload.requests.filter(
      (r) => r.outcome === 'not-sent' && r.kind !== 'stopped' && r.kind !== 'budget'
    )
    if (failed.length > 0) {
      lines.push(
        '<details><summary>Requests not sent</summary>',
        '',
        table(
          ['Request', 'Records', 'Status', 'request-id', 'Reason'],
          failed.slice(0, MAX_REQUESTS_LISTED).map((r) => requestRow(r)),
          [0, 1]
        ),
        ''
      )
      if (failed.length > MAX_REQUESTS_LISTED)
        lines.push(`${plural(failed.length - MAX_REQUESTS_LISTED, 'more request')} in the JSON report.`, '')
      lines.push('</details>', '')
    }
  }
  return lines.join('\n')
}

function requestRow(r: RequestOutcome): string[] {
  return [
    String(r.request + 1),
    count(r.records),
    r.status === null ? 'no answer' : String(r.status),
    cell(r.requestId ?? ''),
    cell(r.reason ?? '')
  ]
}
