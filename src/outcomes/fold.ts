/**
 * Folding a record's provisioning-log entries into one outcome. The service writes several entries per record: a
 * `create` (or `update`), then, when a reference such as the manager could only be resolved later in the cycle, an
 * `update` of the same change whose only step is the export. Retries and re-sends add further changes. Entries carry
 * whole-second times that often tie, so they are put in order by what they mean, never by the order they were read
 * (docs/outcomes.md, "Folding").
 */
import type { LogEntry, SkippedValue } from '../graph/logs.ts'

export interface Folded {
  /** The entry that names the outcome: the failure after the last success, or the first entry of the last change. */
  decisive: LogEntry
  /** Values skipped (e.g. a manager not resolved) that no later entry set, in the order they were skipped. */
  unhealed: SkippedValue[]
  /** From the last entry that names the target user. */
  targetId: string | undefined
  userPrincipalName: string | undefined
  /** From the last entry whose export wrote `mail`. */
  mail: string | undefined
}

/** The record's entries in the order the service wrote them (see `changeOrder` and `entryOrder`). */
export function orderEntries(entries: readonly LogEntry[]): LogEntry[] {
  const changes = new Map<string, LogEntry[]>()
  for (const entry of entries) {
    const key = changeKey(entry)
    const list = changes.get(key)
    if (list) list.push(entry)
    else changes.set(key, [entry])
  }
  const blocks = [...changes.entries()].map(([key, list]) => ({ key, list: list.sort(entryOrder) }))
  blocks.sort((a, b) => changeOrder(a.key, a.list, b.key, b.list))
  return blocks.flatMap((b) => b.list)
}

/** Entries without a changeId are a change of their own. */
function changeKey(entry: LogEntry): string {
  return entry.changeId ? `c:${entry.changeId}` : `e:${entry.id}`
}

/**
 * Within one change: the entry that imported the record comes before the follow-ups (a reference set once the
 * manager exists), then by time; at equal time a create before anything else; the id only keeps the order total.
 */
function entryOrder(a: LogEntry, b: LogEntry): number {
  return (
    Number(a.followUp) - Number(b.followUp) ||
    a.time - b.time ||
    Number(b.action === 'create') - Number(a.action === 'create') ||
    compare(a.id, b.id)
  )
}

/**
 * Between changes: by the time of their first entry; at equal time a change that creates the user first (nothing
 * can update a user before it exists), then a change without failure before one with a failure (when two changes
 * tie to the second, the failure counts as the later: a needless re-send costs one call, a hidden failure a wrong
 * directory); the changeId only keeps the order total.
 */
function changeOrder(aKey: string, a: LogEntry[], bKey: string, b: LogEntry[]): number {
  const start = (list: LogEntry[]): number => Math.min(...list.map((e) => e.time))
  const creates = (list: LogEntry[]): number => Number(list.some((e) => e.action === 'create'))
  const fails = (list: LogEntry[]): number => Number(list.some((e) => e.status === 'failure'))
  return start(a) - start(b) || creates(b) - creates(a) || fails(a) - fails(b) || compare(aKey, bKey)
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Folds the entries of one record since it was sent; undefined when there are none. */
export function foldEntries(entries: readonly LogEntry[]): Folded | undefined {
  const ordered = orderEntries(entries)
  const last = ordered.at(-1)
  if (!last) return undefined
  let decisive: LogEntry
  if (last.status === 'failure') decisive = last
  else {
    // The last change's first entry that did not fail: its action is what happened (a create stays a create).
    const key = changeKey(last)
    decisive = ordered.find((e) => changeKey(e) === key && e.status !== 'failure') ?? last
  }
  let targetId: string | undefined
  let userPrincipalName: string | undefined
  let mail: string | undefined
  for (const entry of ordered) {
    if (entry.mail !== undefined) mail = entry.mail
    if (entry.targetId !== undefined) targetId = entry.targetId
    if (entry.userPrincipalName !== undefined) userPrincipalName = entry.userPrincipalName
  }
  return { decisive, unhealed: unhealedSkips(ordered), targetId, userPrincipalName, mail }
}

interface Pending extends SkippedValue {
  change: string
}

/**
 * Skipped values still not set at the end. A skip is healed by a later entry that sets the property (the
 * manager-setting update), or by a later change that the service applied without skipping the same value again.
 * Entries the service did not apply (failures, out of scope) skip nothing and heal nothing.
 */
function unhealedSkips(ordered: readonly LogEntry[]): SkippedValue[] {
  const pending = new Map<string, Pending>()
  let previousChange: string | undefined
  for (const entry of ordered) {
    const change = changeKey(entry)
    const applied = entry.status === 'success' || entry.skipReason === 'RedundantExport'
    if (!applied) {
      previousChange = change
      continue
    }
    const own = new Set(entry.skips.map(skipKey))
    if (change !== previousChange)
      for (const [key, skip] of pending) if (skip.change !== change && !own.has(key)) pending.delete(key)
    for (const property of entry.setProperties) pending.delete(property.toLowerCase())
    for (const skip of entry.skips)
      if (!entry.setProperties.includes((skip.property ?? '').toLowerCase()))
        pending.set(skipKey(skip), { ...skip, change })
    previousChange = change
  }
  return [...pending.values()].map(({ change: _change, ...skip }) => skip)
}

const skipKey = (skip: SkippedValue): string => (skip.property ?? skip.reason).toLowerCase()

/** How the parts of a skipped value are shown: a code, an id (the manager's externalId), or, in full, anything. */
export interface SkipShow {
  code(value: string): string
  id(value: string): string
  full: boolean
}

/**
 * What a skipped value means, naming the property and, for a reference, the value (an externalId, an ID). Any other
 * skipped value is data, named only with summary-detail: full.
 */
export function describeSkip(skip: SkippedValue, show: SkipShow): string {
  if (skip.reason === 'UnableToResolveReferenceAttributeValue')
    return `${show.code(skip.property ?? 'reference')}${skip.value ? ` ${show.id(skip.value)}` : ''} not set: not provisioned or out of scope`
  const what = show.code(skip.property ?? 'a value')
  return `${what}${show.full && skip.value ? ` '${skip.value}'` : ''} not set (${show.code(skip.reason)})`
}

/** Everything shown: the note the outcome carries (summary-detail: full, the JSON report's own copy). */
export const SHOW_ALL: SkipShow = { code: (v) => v, id: (v) => v, full: true }
