/**
 * resume-from: a rerun of an interrupted apply run (cancelled, timed out, killed, stopped by the quota) sends only
 * the records the interrupted run did not get staged, and reads the outcomes of those it did. What was staged comes
 * from the interrupted run's manifest journal (JSON Lines, written as each answer arrived, so it survives a kill) or
 * its report file.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { confinePath } from '../common/confine.ts'
import { stagedInJournal } from '../apply/journal.ts'
import type { Plan } from '../plan/model.ts'
import type { SentRecord } from './outcome.ts'
import { readPreviousReport } from './outcomes-json.ts'
import { batchesFor } from './resend.ts'

export interface ResumePoint {
  file: string
  /** externalId → when its request was staged (ms since the epoch). */
  staged: Map<string, number>
}

/**
 * Reads a manifest journal (`.jsonl`), a report file, or a folder holding journals (the manifests of every earlier
 * attempt, as downloaded from their artifacts): what any of them staged counts as staged. A path that does not exist
 * is an empty resume point (a first attempt has nothing to resume from); errors name the input and the file.
 */
export async function readResumePoint(
  file: string,
  roots: readonly string[]
): Promise<ResumePoint & { files: string[] }> {
  const real = await confinePath(file, { roots, what: "Input 'resume-from'" })
  const info = await stat(real).catch(() => undefined)
  if (info === undefined) return { file, files: [], staged: new Map() }
  // Journals found in a folder are regular files (a link is not followed); each is confined again all the same.
  const files = info.isDirectory() ? await journalsIn(real) : [real]
  const staged = new Map<string, number>()
  for (const one of files) for (const [id, at] of await readOne(one, roots)) staged.set(id, at)
  return { file, files, staged }
}

async function journalsIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.manifest.jsonl'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
}

async function readOne(file: string, roots: readonly string[]): Promise<Map<string, number>> {
  if (!/\.jsonl$/i.test(file)) {
    const report = await readPreviousReport(file, 'resume-from', roots)
    return new Map(report.sent.map((s) => [s.externalId, s.sentAt]))
  }
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new Error(
      `Input 'resume-from': cannot read '${file}'. Pass the manifest (or report file) of the interrupted run, for example downloaded with actions/download-artifact.`
    )
  }
  try {
    return stagedInJournal(text, file)
  } catch (error) {
    throw new Error(`Input 'resume-from': ${(error as Error).message}`)
  }
}

export interface ResumedPlan<P> {
  /** The plan with only the records still to send in its batches (the others stay, counted but not sent). */
  plan: P
  /** This run's records that the interrupted run staged: their outcomes are read, they are not sent again. */
  staged: SentRecord[]
  /** Staged ids that are not among this run's valid records (removed or changed into invalid since). */
  missing: string[]
}

export function resumePlan<P extends Pick<Plan, 'records' | 'batches' | 'batchSize' | 'files'>>(
  plan: P,
  point: ResumePoint
): ResumedPlan<P> {
  const toSend = new Set<string>()
  const staged: SentRecord[] = []
  const found = new Set<string>()
  for (const batch of plan.batches)
    for (const index of batch.records) {
      const record = plan.records[index]
      if (record?.externalId === undefined) continue
      const sentAt = point.staged.get(record.externalId)
      if (sentAt === undefined) {
        toSend.add(record.externalId)
        continue
      }
      found.add(record.externalId)
      staged.push({
        file: plan.files[record.fileIndex]?.file ?? '',
        line: record.line,
        externalId: record.externalId,
        sentAt
      })
    }
  const missing = [...point.staged.keys()].filter((id) => !found.has(id))
  return { plan: { ...plan, batches: batchesFor(plan, toSend, plan.batchSize) }, staged, missing }
}

/** Reads the resume point and narrows the plan to what is still to send, saying what it found. */
export async function resumeFrom<P extends Pick<Plan, 'records' | 'batches' | 'batchSize' | 'files'>>(
  plan: P,
  file: string,
  roots: readonly string[],
  log: { info(message: string): void; warn(message: string): void }
): Promise<ResumedPlan<P>> {
  const point = await readResumePoint(file, roots)
  if (point.files.length === 0) {
    log.info(`resume-from: nothing to resume from at ${file} (a first attempt): every record is sent.`)
    return { plan, staged: [], missing: [] }
  }
  const resumed = resumePlan(plan, point)
  const left = resumed.plan.batches.reduce((sum, batch) => sum + batch.records.length, 0)
  log.info(
    `resume-from (${point.files.length} manifest${point.files.length === 1 ? '' : 's'}): ${resumed.staged.length} records were staged by the interrupted run and are not sent again (their outcomes are read); ${left} are sent now.`
  )
  if (resumed.missing.length > 0)
    log.warn(
      `resume-from: ${resumed.missing.length} staged records are not among this run's valid records (removed or now invalid): ${resumed.missing.slice(0, 10).join(', ')}${resumed.missing.length > 10 ? ', …' : ''}.`
    )
  return resumed
}
