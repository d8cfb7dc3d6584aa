/**
 * The change between two plans of the same HR data: the base (the files at a base commit) and the head (the files
 * in the workspace). Records are matched by externalId across all files and compared through the mapping, one
 * mapped value per attribute path: what is compared is what would be sent, never the text of a line. Reordered
 * rows, re-quoted cells or a multi-line cell that moves lines are no change; a row moved to another file is the
 * same person. Pure apart from reading the plans' value stores.
 */
import type { MappedAttribute, Mapping } from '../mapping/load.ts'
import { mappingOf, type Plan, type PlannedRecord } from '../plan/model.ts'
import type { ValueStore } from '../plan/value-store.ts'
import { clearable, type MappedValue } from '../scim/user.ts'

export type ChangeClass = 'joiner' | 'mover' | 'leaver' | 'rehire'

/** Why a record is a leaver: its row was removed, `active` turned false, or a leave date was set or changed. */
export type LeaverReason = 'removed' | 'deactivated' | 'leave-date'

export interface AttributeChange {
  /** Canonical attribute path from the mapping, e.g. `name.givenName`. */
  path: string
  before: MappedValue
  after: MappedValue
  /** The expression uses Redact(): the value is never shown, not even with `summary-detail: full`. */
  secret: boolean
  /** The value was emptied: sent as null so Entra clears it, or left out so Entra keeps it (empty-values). */
  emptied?: 'cleared' | 'not-sent'
}

export interface FileLine {
  file: string
  line: number
}

export interface DiffEntry {
  class: ChangeClass
  externalId: string
  /** Where the record is in the head files; for a removed row, where it was in the base files. */
  file: string
  line: number
  /** Where the record was at the base, when it was there. */
  base: FileLine | undefined
  /** For leavers only. */
  reason: LeaverReason | undefined
  /** The attributes whose mapped value differs, in mapping order; empty for joiners and removed rows. */
  changes: AttributeChange[]
  /** Index into the head plan's records; undefined for a removed row. */
  headRecord: number | undefined
  /** Index into the base plan's records; undefined for a joiner that was never valid at the base. */
  baseRecord: number | undefined
  /** `active` was not false at the base: disabling the record changes the directory. */
  wasActive: boolean
}

export interface InvalidEntry extends FileLine {
  externalId: string | undefined
  /** The record was valid at the base: the change broke it, and it is no longer sent. */
  wasValid: boolean
}

export interface FileDiff {
  file: string
  /** Records in the file at the base; undefined when the file did not exist there. */
  baseRecords: number | undefined
  /** Records in the file now; undefined when the file was deleted. */
  headRecords: number | undefined
  joiners: number
  movers: number
  leavers: number
  rehires: number
  unchanged: number
  invalid: number
}

export interface DiffCounts {
  joiners: number
  movers: number
  leavers: number
  rehires: number
  unchanged: number
  /** Head records with an error: never sent, not compared. */
  invalid: number
  /** Head records the mapping leaves out (IgnoreObjectFlow): not sent, not compared. */
  ignored: number
  /** Valid records at the base: the population the percentages of the safety gates refer to. */
  population: number
  /** Valid records now: what a full upload would send. */
  headValid: number
}

export interface ReviewDiff {
  /** Every change: head records in file and line order, then removed rows in base order. Unchanged ones are counted only. */
  entries: DiffEntry[]
  counts: DiffCounts
  files: FileDiff[]
  invalid: InvalidEntry[]
  /** How many records changed per attribute path (movers, leavers and rehires), in mapping order. */
  attributes: Array<{ path: string; changed: number }>
}

/** Attribute names that hold a leave date (ending in LeaveDate, LeaveDateTime or TerminationDate). */
export const LEAVE_DATE = /(LeaveDate|LeaveDateTime|TerminationDate)$/i

/**
 * Compares the head plan with the base plan. Without a base plan (nothing to compare with), every valid record is a
 * joiner. The two plans may come from different mappings (the mapping file changed too): values are matched by
 * attribute path, and an attribute only one of them maps counts as changed where it has a value.
 */
export function diffPlans(basePlan: Plan | undefined, headPlan: Plan): ReviewDiff {
  const headValues = storeOf(headPlan)
  const baseValues = basePlan === undefined ? undefined : storeOf(basePlan)
  // Records are compared through their mappings (one per source); an alignment per pair of mappings met.
  const alignments = new Map<string, Alignment>()
  const alignmentOf = (baseRecord: PlannedRecord | undefined, headRecord: PlannedRecord): Alignment => {
    const head = headPlan.files[headRecord.fileIndex]?.mapping ?? 0
    const base =
      baseRecord === undefined || !basePlan ? -1 : (basePlan.files[baseRecord.fileIndex]?.mapping ?? 0)
    const key = `${base}:${head}`
    let aligned = alignments.get(key)
    if (!aligned) {
      aligned = alignAttributes(base < 0 ? undefined : basePlan!.mappings[base], headPlan.mappings[head]!)
      alignments.set(key, aligned)
    }
    return aligned
  }
  const baseActive = (record: PlannedRecord): number | undefined =>
    indexOf(mappingOf(basePlan!, record).attributes, 'active')
  const perPath = new Map<string, number>()
  const files = new Map<string, FileDiff>()
  const fileOf = (name: string): FileDiff => {
    let entry = files.get(name)
    if (!entry) {
      entry = {
        file: name,
        baseRecords: undefined,
        headRecords: undefined,
        joiners: 0,
        movers: 0,
        leavers: 0,
        rehires: 0,
        unchanged: 0,
        invalid: 0
      }
      files.set(name, entry)
    }
    return entry
  }
  for (const summary of headPlan.files) fileOf(summary.file).headRecords = summary.records
  for (const summary of basePlan?.files ?? []) fileOf(summary.file).baseRecords = summary.records

  // First valid record per externalId at the base (duplicates are invalid, so there is at most one).
  const baseIndex = new Map<string, number>()
  basePlan?.records.forEach((record, index) => {
    if (record.status === 'valid' && record.externalId !== undefined && !baseIndex.has(record.externalId))
      baseIndex.set(record.externalId, index)
  })

  const counts: DiffCounts = {
    joiners: 0,
    movers: 0,
    leavers: 0,
    rehires: 0,
    unchanged: 0,
    invalid: 0,
    ignored: 0,
    population: baseIndex.size,
    headValid: 0
  }
  const entries: DiffEntry[] = []
  const invalid: InvalidEntry[] = []
  const present = new Set<string>()
  const headFile = (record: PlannedRecord): string => headPlan.files[record.fileIndex]?.file ?? ''
  const baseLocation = (index: number): FileLine => {
    const record = basePlan!.records[index]!
    return { file: basePlan!.files[record.fileIndex]?.file ?? '', line: record.line }
  }

  headPlan.records.forEach((record, index) => {
    const file = headFile(record)
    if (record.externalId !== undefined) present.add(record.externalId)
    if (record.status === 'invalid') {
      counts.invalid++
      fileOf(file).invalid++
      const wasValid = record.externalId !== undefined && baseIndex.has(record.externalId)
      invalid.push({ file, line: record.line, externalId: record.externalId, wasValid })
      return
    }
    if (record.status !== 'valid' || record.externalId === undefined || record.values === undefined) {
      counts.ignored++
      return
    }
    counts.headValid++
    const externalId = record.externalId
    const baseRecord = baseIndex.get(externalId)
    if (baseRecord === undefined) {
      counts.joiners++
      fileOf(file).joiners++
      entries.push({
        class: 'joiner',
        externalId,
        file,
        line: record.line,
        base: undefined,
        reason: undefined,
        changes: [],
        headRecord: index,
        baseRecord: undefined,
        wasActive: false
      })
      return
    }
    const aligned = alignmentOf(basePlan!.records[baseRecord], record)
    const { paths, activeHead, activeBase, leaveDates } = aligned
    const baseHandle = basePlan!.records[baseRecord]!.values as number
    if (aligned.sameShape && baseValues!.getText(baseHandle) === headValues.getText(record.values)) {
      counts.unchanged++
      fileOf(file).unchanged++
      return
    }
    const before = baseValues!.get(baseHandle)
    const after = headValues.get(record.values)
    const changes: AttributeChange[] = []
    for (const attribute of paths) {
      if (!attribute.compared) continue
      const old = attribute.base === undefined ? undefined : before[attribute.base]
      const now = attribute.head === undefined ? undefined : after[attribute.head]
      if (old === now) continue
      const change: AttributeChange = {
        path: attribute.path,
        before: old,
        after: now,
        secret: attribute.secret
      }
      if (now === undefined) change.emptied = emptiedAs(headPlan, record, attribute.head)
      changes.push(change)
      perPath.set(attribute.path, (perPath.get(attribute.path) ?? 0) + 1)
    }
    if (changes.length === 0) {
      counts.unchanged++
      fileOf(file).unchanged++
      return
    }
    const wasActive = activeBase === undefined || before[activeBase] !== false
    const isActive = activeHead === undefined || after[activeHead] !== false
    let kind: ChangeClass = 'mover'
    let reason: LeaverReason | undefined
    if (wasActive && !isActive) {
      kind = 'leaver'
      reason = 'deactivated'
    } else if (!wasActive && isActive) {
      kind = 'rehire'
    } else if (
      isActive &&
      leaveDates.some((i) => isDate(after[i]) && changes.some((c) => c.path === paths[i]?.path))
    ) {
      kind = 'leaver'
      reason = 'leave-date'
    }
    counts[COUNT[kind]]++
    fileOf(file)[COUNT[kind]]++
    entries.push({
      class: kind,
      externalId,
      file,
      line: record.line,
      base: baseLocation(baseRecord),
      reason,
      changes,
      headRecord: index,
      baseRecord,
      wasActive
    })
  })

  // Rows gone from every file. A record still present but invalid or ignored is not a leaver: it is not sent.
  if (basePlan) {
    for (const [externalId, baseRecord] of baseIndex) {
      if (present.has(externalId)) continue
      const where = baseLocation(baseRecord)
      const record = basePlan.records[baseRecord]!
      const values = baseValues!.get(record.values as number)
      const activeBase = baseActive(record)
      const wasActive = activeBase === undefined || values[activeBase] !== false
      counts.leavers++
      fileOf(where.file).leavers++
      entries.push({
        class: 'leaver',
        externalId,
        file: where.file,
        line: where.line,
        base: where,
        reason: 'removed',
        changes: [],
        headRecord: undefined,
        baseRecord,
        wasActive
      })
    }
  }

  return {
    entries,
    counts,
    files: [...files.values()],
    invalid,
    attributes: inMappingOrder(
      [...perPath.keys()],
      [...headPlan.mappings, ...(basePlan?.mappings ?? [])]
    ).map((path) => ({ path, changed: perPath.get(path)! }))
  }
}

const COUNT = { joiner: 'joiners', mover: 'movers', leaver: 'leavers', rehire: 'rehires' } as const

interface AlignedPath {
  path: string
  /** Index of the attribute in the head mapping / base mapping, when it maps it. */
  head: number | undefined
  base: number | undefined
  secret: boolean
  /**
   * False for an attribute made with Guid or RandomString: its value differs on every evaluation. (Now() is compared:
   * both plans are built with the run's clock, so it gives the same instant on both sides.)
   */
  compared: boolean
}

interface Alignment {
  /** Head attributes in mapping order, then attributes only the base maps. */
  paths: AlignedPath[]
  /** Same paths in the same order, all compared: equal stored text means equal values (the fast path). */
  sameShape: boolean
  /** Index of `active` in head values / base values. */
  activeHead: number | undefined
  activeBase: number | undefined
  /** Indexes into `paths` (and head values, as head attributes come first) of leave-date attributes. */
  leaveDates: number[]
}

function alignAttributes(baseMapping: Mapping | undefined, headMapping: Mapping): Alignment {
  const head = headMapping.attributes
  const base = baseMapping?.attributes ?? head
  const baseIndex = new Map(base.map((attribute, index) => [attribute.path, index]))
  const paths: AlignedPath[] = head.map((attribute, index) => {
    const before = baseIndex.get(attribute.path)
    const old = before === undefined ? undefined : base[before]
    return {
      path: attribute.path,
      head: index,
      base: before,
      secret: attribute.expression.secret || old?.expression.secret === true,
      compared: !random(attribute) && (old === undefined || !random(old))
    }
  })
  const headPaths = new Set(head.map((attribute) => attribute.path))
  base.forEach((attribute, index) => {
    if (!headPaths.has(attribute.path))
      paths.push({
        path: attribute.path,
        head: undefined,
        base: index,
        secret: attribute.expression.secret,
        compared: !random(attribute)
      })
  })
  const sameShape =
    head.length === base.length &&
    head.every((attribute, i) => attribute.path === base[i]?.path) &&
    paths.every((attribute) => attribute.compared)
  const activeHead = indexOf(head, 'active')
  const activeBase = indexOf(base, 'active')
  return {
    paths,
    sameShape,
    activeHead,
    activeBase,
    leaveDates: head.flatMap((attribute, index) => (LEAVE_DATE.test(attribute.path) ? [index] : []))
  }
}

/** Attribute paths in the order the mappings list them (head mappings first). */
function inMappingOrder(paths: string[], mappings: readonly Mapping[]): string[] {
  const rank = new Map<string, number>()
  for (const mapping of mappings)
    for (const attribute of mapping.attributes)
      if (!rank.has(attribute.path)) rank.set(attribute.path, rank.size)
  return paths.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))
}

/** What an emptied value becomes in the head plan's payload: null (cleared) or nothing (Entra keeps its value). */
function emptiedAs(plan: Plan, record: PlannedRecord, head: number | undefined): 'cleared' | 'not-sent' {
  const attribute = head === undefined ? undefined : mappingOf(plan, record).attributes[head]
  return plan.emptyValues === 'clear' && attribute !== undefined && clearable(attribute)
    ? 'cleared'
    : 'not-sent'
}

/** The plan's value store; the review compares values, so plans built without one cannot be reviewed. */
export function storeOf(plan: Plan): ValueStore {
  if (!plan.values) throw new Error('the review compares mapped values: build the plans with a ValueStore')
  return plan.values
}

/** The expression draws a new value on every evaluation. */
export function random(attribute: MappedAttribute): boolean {
  return attribute.expression.functions.some((name) => name === 'Guid' || name === 'RandomString')
}

/** The expression reads the clock: its value can change with time alone, with the same HR data. */
export function timeDependent(attribute: MappedAttribute): boolean {
  return attribute.expression.functions.includes('Now')
}

function indexOf(attributes: Mapping['attributes'], path: string): number | undefined {
  const index = attributes.findIndex((attribute) => attribute.path === path)
  return index < 0 ? undefined : index
}

function isDate(value: MappedValue): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
}
