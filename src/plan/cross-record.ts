/**
 * Rules that need every record of the run: duplicate keys across all files, and manager references
 * (unknown, self, cycles). Records with a resulting error are marked invalid, so they are never sent.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { RecordIndex } from './record-index.ts'
import type { PlannedRecord } from './model.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import type { RuleName } from '../settings/rule-catalogue.ts'

export function validateAcrossRecords(
  records: PlannedRecord[],
  index: RecordIndex,
  managers: Int32Array,
  files: readonly string[],
  factory: DiagnosticFactory
): Diagnostic[] {
  const found: Diagnostic[] = []
  const report = (rule: RuleName, at: number, message: string, related?: number[]): void => {
    const record = records[at] as PlannedRecord
    const diagnostic = factory.create(rule, {
      file: files[record.fileIndex] as string,
      line: record.line,
      message,
      ...(record.externalId !== undefined ? { externalId: record.externalId } : {}),
      ...(related
        ? { related: related.map((i) => ({ file: files[records[i]!.fileIndex]!, line: records[i]!.line })) }
        : {})
    })
    if (!diagnostic) return
    found.push(diagnostic)
    if (diagnostic.severity === 'error') invalidate(record)
  }

  for (const group of index.duplicateExternalIds.values()) {
    forEachDuplicate(group, records, files, (member, others, where) => {
      report(
        'externalId-duplicate',
        member,
        `externalId ${records[member]!.externalId} is also on ${where}`,
        others
      )
    })
  }
  for (const group of index.duplicateUserNames.values()) {
    forEachDuplicate(group, records, files, (member, others, where) => {
      report('userName-duplicate', member, `the same userName is also on ${where}`, others)
    })
  }

  checkManagers(records, managers, report)
  return found
}

function invalidate(record: PlannedRecord): void {
  if (record.status === 'valid') {
    record.status = 'invalid'
    record.values = undefined
  }
}

/** Calls back once per member of a group of records sharing a key, with the others' locations. */
function forEachDuplicate(
  group: readonly number[],
  records: readonly PlannedRecord[],
  files: readonly string[],
  onDuplicate: (member: number, others: number[], where: string) => void
): void {
  for (const member of group) {
    const others = group.filter((other) => other !== member)
    const where = others.map((i) => `${files[records[i]!.fileIndex]}:${records[i]!.line}`).join(', ')
    onDuplicate(member, others, where)
  }
}

function checkManagers(
  records: PlannedRecord[],
  managers: Int32Array,
  report: (rule: RuleName, index: number, message: string, related?: number[]) => void
): void {
  // Each record has at most one manager, so walking manager links from every record finds every cycle once.
  const state = new Uint8Array(records.length) // 0 unvisited, 1 on the current walk, 2 done
  // The records of the current walk, in one array for all walks: this runs once per record of a big run.
  const walk = new Int32Array(records.length)
  let walked = 0
  for (let start = 0; start < records.length; start++) {
    const record = records[start] as PlannedRecord
    // Invalid records are checked too, so a row shows all its problems in one run, not one per fix.
    if (record.status === 'ignored' || record.managerId === undefined) continue
    const manager = managers[start]!
    if (record.managerId === record.externalId) {
      report('manager-self', start, `record ${record.externalId} names itself as its manager`)
    } else if (manager < 0) {
      report('manager-unknown', start, `manager ${record.managerId} is not a record of this run`)
    } else if (records[manager]!.status !== 'valid') {
      report('manager-unknown', start, `manager ${record.managerId} has errors and will not be sent`)
    }
    if (state[start] !== 0) continue
    walked = 0
    let current: number | undefined = start
    while (current !== undefined && state[current] === 0) {
      state[current] = 1
      walk[walked++] = current
      const next: number = managers[current]!
      current = next < 0 || next === current ? undefined : next
    }
    if (current !== undefined && state[current] === 1) {
      const onWalk = walk.subarray(0, walked)
      const cycle = Array.from(onWalk.subarray(onWalk.indexOf(current)))
      const chain = [...cycle, current].map((i) => records[i]!.externalId).join(' → ')
      for (const index of cycle) report('manager-cycle', index, `manager references form a cycle: ${chain}`)
    }
    for (let i = 0; i < walked; i++) state[walk[i] as number] = 2
  }
}
