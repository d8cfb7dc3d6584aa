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
  const comparison = new PlanComparison(basePlan, headPlan)
  headPlan.records.forEach((record, index) => comparison.addHeadRecord(record, index))
  // Rows gone from every file come after the head records, in base order.
  comparison.addRemovedRows()
  return comparison.result()
}

const COUNT = { joiner: 'joiners', mover: 'movers', leaver: 'leavers', rehire: 'rehires' } as const

/** A record of the base plan, with its index in the plan's records. */
interface BaseRecord {
  index: number
  record: PlannedRecord
}

/** The base plan, its values, and its valid records by externalId. */
interface BaseSide {
  plan: Plan
  values: ValueStore
  /** First valid record per externalId (duplicates are invalid, so there is at most one), in base order. */
  byId: Map<string, BaseRecord>
}

/** A valid head record that is compared: it has an externalId and stored values. */
interface HeadRecord {
  record: PlannedRecord
  /** Index into the head plan's records. */
  index: number
  externalId: string
  /** Handle of its values in the head plan's value store. */
  values: number
  file: string
}

/**
 * The tallies of one comparison, filled record by record: the head records in plan order, then the rows removed
 * since the base. Each method handles one kind of record; `result` hands the finished diff over.
 */
class PlanComparison {
  readonly #headPlan: Plan
  readonly #headValues: ValueStore
  readonly #base: BaseSide | undefined
  /** Records are compared through their mappings (one per source): an alignment per pair of sources met. */
  readonly #alignments = new Map<string, Alignment>()
  readonly #files = new Map<string, FileDiff>()
  readonly #perPath = new Map<string, number>()
  /** Every externalId in the head files, valid or not: such a record is not a removed row. */
  readonly #present = new Set<string>()
  readonly #entries: DiffEntry[] = []
  readonly #invalid: InvalidEntry[] = []
  readonly #counts: DiffCounts

  constructor(basePlan: Plan | undefined, headPlan: Plan) {
    this.#headPlan = headPlan
    this.#headValues = storeOf(headPlan)
    this.#base =
      basePlan === undefined
        ? undefined
        : { plan: basePlan, values: storeOf(basePlan), byId: validRecordsById(basePlan) }
    // Files are listed head files first, then files only the base has.
    for (const summary of headPlan.files) this.#fileDiff(summary.file).headRecords = summary.records
    for (const summary of basePlan?.files ?? []) this.#fileDiff(summary.file).baseRecords = summary.records
    this.#counts = {
      joiners: 0,
      movers: 0,
      leavers: 0,
      rehires: 0,
      unchanged: 0,
      invalid: 0,
      ignored: 0,
      population: this.#base?.byId.size ?? 0,
      headValid: 0
    }
  }

  /** Counts one head record: invalid, ignored, joiner, unchanged, or changed (an entry with its changes). */
  addHeadRecord(record: PlannedRecord, index: number): void {
    const file = fileName(this.#headPlan, record)
    if (record.externalId !== undefined) this.#present.add(record.externalId)
    if (record.status === 'invalid') {
      this.#addInvalid(record, file)
      return
    }
    if (record.status !== 'valid' || record.externalId === undefined || record.values === undefined) {
      this.#counts.ignored++
      return
    }
    this.#counts.headValid++
    const head: HeadRecord = { record, index, externalId: record.externalId, values: record.values, file }
    const base = this.#base
    const match = base?.byId.get(head.externalId)
    if (base === undefined || match === undefined) this.#add(joiner(head))
    else this.#compare(head, base, match)
  }

  /** Adds a leaver for every valid base record whose externalId is in no head file. */
  addRemovedRows(): void {
    const base = this.#base
    if (base === undefined) return
    // A record still present but invalid or ignored is not a leaver: it is not sent.
    for (const [externalId, match] of base.byId)
      if (!this.#present.has(externalId)) this.#add(removedRow(base, externalId, match))
  }

  result(): ReviewDiff {
    const mappings = [...this.#headPlan.mappings, ...(this.#base?.plan.mappings ?? [])]
    const attributes = [...this.#perPath].map(([path, changed]) => ({ path, changed }))
    return {
      entries: this.#entries,
      counts: this.#counts,
      files: [...this.#files.values()],
      invalid: this.#invalid,
      attributes: inMappingOrder(attributes, mappings)
    }
  }

  #addInvalid(record: PlannedRecord, file: string): void {
    this.#counts.invalid++
    this.#fileDiff(file).invalid++
    const wasValid = record.externalId !== undefined && this.#base?.byId.has(record.externalId) === true
    this.#invalid.push({ file, line: record.line, externalId: record.externalId, wasValid })
  }

  /** A head record also valid at the base: unchanged, or an entry with the attributes that changed. */
  #compare(head: HeadRecord, base: BaseSide, match: BaseRecord): void {
    const aligned = this.#alignment(base.plan, match.record, head.record)
    const baseValues = valuesHandle(match.record)
    // Fast path: the same attributes in the same order, and the same stored text.
    if (aligned.sameShape && base.values.getText(baseValues) === this.#headValues.getText(head.values)) {
      this.#countUnchanged(head.file)
      return
    }
    const before = base.values.get(baseValues)
    const after = this.#headValues.get(head.values)
    const changes = attributeChanges(aligned.paths, before, after, this.#headPlan, head.record)
    if (changes.length === 0) {
      this.#countUnchanged(head.file)
      return
    }
    const { kind, reason, wasActive } = classify(aligned, before, after, changes)
    this.#add({
      class: kind,
      externalId: head.externalId,
      file: head.file,
      line: head.record.line,
      base: baseLocation(base.plan, match.record),
      reason,
      changes,
      headRecord: head.index,
      baseRecord: match.index,
      wasActive
    })
  }

  /** The alignment of the base record's mapping with the head record's, made once per pair of sources. */
  #alignment(basePlan: Plan, baseRecord: PlannedRecord, headRecord: PlannedRecord): Alignment {
    const key = `${sourceOf(basePlan, baseRecord)}:${sourceOf(this.#headPlan, headRecord)}`
    let aligned = this.#alignments.get(key)
    if (!aligned) {
      aligned = alignAttributes(mappingOf(basePlan, baseRecord), mappingOf(this.#headPlan, headRecord))
      this.#alignments.set(key, aligned)
    }
    return aligned
  }

  /** Records an entry: counted by class, in total and for its file, and its changes per attribute path. */
  #add(entry: DiffEntry): void {
    this.#counts[COUNT[entry.class]]++
    this.#fileDiff(entry.file)[COUNT[entry.class]]++
    for (const change of entry.changes)
      this.#perPath.set(change.path, (this.#perPath.get(change.path) ?? 0) + 1)
    this.#entries.push(entry)
  }

  #countUnchanged(file: string): void {
    this.#counts.unchanged++
    this.#fileDiff(file).unchanged++
  }

  /** The tallies of a file, made on first use. */
  #fileDiff(name: string): FileDiff {
    let entry = this.#files.get(name)
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
      this.#files.set(name, entry)
    }
    return entry
  }
}

/** First valid record per externalId (duplicates are invalid, so there is at most one). */
function validRecordsById(plan: Plan): Map<string, BaseRecord> {
  const byId = new Map<string, BaseRecord>()
  plan.records.forEach((record, index) => {
    if (record.status === 'valid' && record.externalId !== undefined && !byId.has(record.externalId))
      byId.set(record.externalId, { index, record })
  })
  return byId
}

/** A valid head record with no valid record at the base (or no base at all). */
function joiner(head: HeadRecord): DiffEntry {
  return {
    class: 'joiner',
    externalId: head.externalId,
    file: head.file,
    line: head.record.line,
    base: undefined,
    reason: undefined,
    changes: [],
    headRecord: head.index,
    baseRecord: undefined,
    wasActive: false
  }
}

/** A valid base record whose row is gone from every head file. */
function removedRow(base: BaseSide, externalId: string, match: BaseRecord): DiffEntry {
  const where = baseLocation(base.plan, match.record)
  const values = base.values.get(valuesHandle(match.record))
  const active = indexOf(mappingOf(base.plan, match.record).attributes, 'active')
  return {
    class: 'leaver',
    externalId,
    file: where.file,
    line: where.line,
    base: where,
    reason: 'removed',
    changes: [],
    headRecord: undefined,
    baseRecord: match.index,
    wasActive: isActive(values, active)
  }
}

/** The compared attributes whose mapped value differs, in alignment order (head attributes first). */
function attributeChanges(
  paths: readonly AlignedPath[],
  before: readonly MappedValue[],
  after: readonly MappedValue[],
  headPlan: Plan,
  headRecord: PlannedRecord
): AttributeChange[] {
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
    if (now === undefined) change.emptied = emptiedAs(headPlan, headRecord, attribute.head)
    changes.push(change)
  }
  return changes
}

/**
 * The class of a changed record: a leaver when `active` turned false or a leave date was set or changed while
 * active, a rehire when `active` turned true, otherwise a mover.
 */
function classify(
  aligned: Alignment,
  before: readonly MappedValue[],
  after: readonly MappedValue[],
  changes: readonly AttributeChange[]
): { kind: ChangeClass; reason: LeaverReason | undefined; wasActive: boolean } {
  const wasActive = isActive(before, aligned.activeBase)
  const nowActive = isActive(after, aligned.activeHead)
  if (wasActive && !nowActive) return { kind: 'leaver', reason: 'deactivated', wasActive }
  if (!wasActive && nowActive) return { kind: 'rehire', reason: undefined, wasActive }
  if (nowActive && leaveDateSet(aligned, after, changes))
    return { kind: 'leaver', reason: 'leave-date', wasActive }
  return { kind: 'mover', reason: undefined, wasActive }
}

/** A leave-date attribute changed and now holds a date. */
function leaveDateSet(
  aligned: Alignment,
  after: readonly MappedValue[],
  changes: readonly AttributeChange[]
): boolean {
  return aligned.leaveDates.some(
    (i) => isDate(after[i]) && changes.some((change) => change.path === aligned.paths[i]?.path)
  )
}

/** `active` is not false (a mapping without `active` leaves every record active). */
function isActive(values: readonly MappedValue[], active: number | undefined): boolean {
  return active === undefined || values[active] !== false
}

/** Index into `plan.mappings` of the record's source. */
function sourceOf(plan: Plan, record: PlannedRecord): number {
  return plan.files[record.fileIndex]?.mapping ?? 0
}

function fileName(plan: Plan, record: PlannedRecord): string {
  return plan.files[record.fileIndex]?.file ?? ''
}

function baseLocation(basePlan: Plan, record: PlannedRecord): FileLine {
  return { file: fileName(basePlan, record), line: record.line }
}

/** The handle of a valid record's values: a plan built with a ValueStore gives one to every valid record. */
function valuesHandle(record: PlannedRecord): number {
  if (record.values === undefined)
    throw new Error(`internal error: the valid record at line ${record.line} has no stored values`)
  return record.values
}

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

function alignAttributes(baseMapping: Mapping, headMapping: Mapping): Alignment {
  const head = headMapping.attributes
  const base = baseMapping.attributes
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

/** Items sorted by attribute path in the order the mappings list them (head mappings first). */
function inMappingOrder<T extends { path: string }>(items: T[], mappings: readonly Mapping[]): T[] {
  const rank = new Map<string, number>()
  for (const mapping of mappings)
    for (const attribute of mapping.attributes)
      if (!rank.has(attribute.path)) rank.set(attribute.path, rank.size)
  return items.sort((a, b) => (rank.get(a.path) ?? 0) - (rank.get(b.path) ?? 0))
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
