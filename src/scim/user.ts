/**
 * Turns one HR record into the SCIM user of a bulk operation: evaluates every mapped expression into one value per
 * attribute (booleans converted, empty values absent), and renders those values as the user's JSON.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { Mapping, MappedAttribute } from '../mapping/load.ts'
import {
  ExpressionEvaluationError,
  IGNORE_OBJECT_FLOW,
  bindExpression,
  type EvaluationContext,
  type ExpressionValue
} from '../mapping/expression/index.ts'
import type { SourceFile, SourceRecord } from '../sources/source-file.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../common/service-limits.ts'
import { jsonString } from '../common/json-string.ts'

/** A mapped value: a string, a boolean (`active`, `primary`) or absent. */
export type MappedValue = string | boolean | undefined

export interface MappedRecord {
  /** One value per mapping attribute, in mapping order. */
  values: MappedValue[]
  /** The mapping returned IgnoreObjectFlow: the record is not sent. */
  ignored: boolean
  diagnostics: Diagnostic[]
}

export interface RecordMapper {
  map(record: SourceRecord): MappedRecord
}

const BOOLEAN_KEYS = new Set(['active', 'primary'])

export function createRecordMapper(
  mapping: Mapping,
  source: SourceFile,
  context: EvaluationContext,
  diagnostics: DiagnosticFactory
): RecordMapper {
  const columns = new Map<string, number>()
  source.headers.forEach((name, index) => {
    columns.set(name, index)
    // Entra resolves attribute names case-insensitively; an exact match still wins.
    if (!columns.has(name.toLowerCase())) columns.set(name.toLowerCase(), index)
  })
  const columnIndex = (name: string): number | undefined =>
    columns.get(name) ?? columns.get(name.toLowerCase())

  const evaluators = mapping.attributes.map((attribute) => ({
    attribute,
    evaluate: bindExpression(attribute.expression, columnIndex, context),
    isBoolean: BOOLEAN_KEYS.has(attribute.target.key)
  }))
  const file = source.file
  // Each record's values start as a copy of this: one allocation at the final length, where pushing grows the
  // array twice on the way. A copy of a packed array stays packed (JSON.stringify of a holey one is slow in V8).
  const noValues: MappedValue[] = evaluators.map(() => undefined)

  function map(record: SourceRecord): MappedRecord {
    const values = noValues.slice()
    const problems: Diagnostic[] = record.diagnostics ? [...record.diagnostics] : []
    let ignored = false
    for (let at = 0; at < evaluators.length; at++) {
      const { attribute, evaluate, isBoolean } = evaluators[at] as (typeof evaluators)[number]
      let result: ExpressionValue
      try {
        result = evaluate(record.values)
      } catch (error) {
        if (!(error instanceof ExpressionEvaluationError)) throw error
        const diagnostic = diagnostics.create('expression-error', {
          file,
          line: record.line,
          message: `${attribute.path}: ${error.message}`,
          // A Redact()ed attribute's value is never shown, not even with summary-detail: full.
          ...(error.value !== undefined && !attribute.expression.secret ? { detail: error.value } : {})
        })
        if (diagnostic) problems.push(diagnostic)
        continue
      }
      if (result === IGNORE_OBJECT_FLOW) ignored = true
      const text = single(result)
      if (typeof text === 'number') {
        const diagnostic = diagnostics.create('value-multiple', {
          file,
          line: record.line,
          message: `${attribute.path}: the expression produced ${text} values; a single value is expected`
        })
        if (diagnostic) problems.push(diagnostic)
      } else if (text !== undefined) values[at] = isBoolean ? toBoolean(text) : text
    }
    return { values, ignored, diagnostics: problems }
  }

  return { map }
}

/** The one non-empty text of a result; undefined for no value (null, empty, flow keywords); the count when several. */
function single(result: ExpressionValue): string | undefined | number {
  // Strings first: the usual result, on the hot path of every attribute of every record.
  if (typeof result === 'string') return result === '' ? undefined : result
  if (result === null || typeof result === 'symbol') return undefined
  const present = result.filter((entry) => entry !== '')
  return present.length > 1 ? present.length : present[0]
}

/** 'True'/'False' in any case become booleans; anything else stays a string for the validator to report. */
function toBoolean(text: string): boolean | string {
  const lower = text.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  return text
}

type Writer = (values: readonly MappedValue[]) => string

/** What an empty mapped value becomes in the payload: left out (Entra keeps its value) or `null` (Entra clears it). */
export type EmptyValues = 'omit' | 'clear'

/**
 * Attributes never sent as null: the keys Entra matches and creates on, `active`, displayName (Entra refuses to
 * clear it), the manager reference (clearing it by null is not documented), and expressions that ask for no flow.
 */
const NEVER_CLEARED = new Set(['externalId', 'userName', 'active', 'displayName'])
const NO_FLOW = /\bIgnore(AttributeFlow|FlowIfNullOrEmpty)\b/i

export function clearable(attribute: MappedAttribute): boolean {
  const { target, expression } = attribute
  if (target.kind === 'core' && NEVER_CLEARED.has(target.key)) return false
  if (target.kind === 'extension' && target.reference) return false
  if (target.kind === 'multi' && target.key === 'primary') return false
  return !NO_FLOW.test(expression.source)
}

/**
 * Precomputes the shape of the user (which keys nest where) once per mapping and returns a function that writes a
 * record's JSON with string concatenation. Empty values are omitted, or written as null with `clear` where the
 * attribute can be cleared; nested objects without anything to write are left out.
 */
export function createPayloadWriter(
  attributes: readonly MappedAttribute[],
  emptyValues: EmptyValues = 'omit'
): Writer {
  const clears = (index: number): boolean =>
    emptyValues === 'clear' && clearable(attributes[index] as MappedAttribute)
  const urns = new Set<string>([CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA])
  for (const { target } of attributes) if (target.kind === 'extension') urns.add(target.urn)
  const head = `{"schemas":${JSON.stringify([...urns])}`

  // Group attribute indexes by where they go, keeping mapping order within a group.
  const core: Array<[string, number]> = []
  const name: Array<[string, number]> = []
  const multi = new Map<string, Map<string, Array<[string, number]>>>()
  const extensions = new Map<string, Array<[string, number, boolean]>>()
  attributes.forEach(({ target }, index) => {
    switch (target.kind) {
      case 'core':
        // externalId first: it is the key, and it makes payloads easy to read.
        if (target.key === 'externalId') core.unshift([target.key, index])
        else core.push([target.key, index])
        break
      case 'name':
        name.push([target.key, index])
        break
      case 'multi': {
        const byType = multi.get(target.attribute) ?? new Map<string, Array<[string, number]>>()
        const keys = byType.get(target.type) ?? []
        keys.push([target.key, index])
        byType.set(target.type, keys)
        multi.set(target.attribute, byType)
        break
      }
      case 'extension': {
        const keys = extensions.get(target.urn) ?? []
        keys.push([target.key, index, target.reference])
        extensions.set(target.urn, keys)
        break
      }
    }
  })

  const parts: Writer[] = []
  for (const [key, index] of core) parts.push(member(key, index, false, clears(index)))
  if (name.length > 0)
    parts.push(
      nested(
        'name',
        name.map(([key, index]) => member(key, index, false, clears(index)))
      )
    )
  for (const [attribute, byType] of multi) {
    const entries = [...byType].map(([type, keys]) => {
      const fields = keys.map(([key, index]) => member(key, index, false, clears(index)))
      const typeMember = `"type":${JSON.stringify(type)}`
      return (values: readonly MappedValue[]): string => {
        const body = concat(fields, values)
        return body ? `{${typeMember}${body}}` : ''
      }
    })
    parts.push((values) => {
      const list = entries
        .map((entry) => entry(values))
        .filter(Boolean)
        .join(',')
      return list ? `,"${attribute}":[${list}]` : ''
    })
  }
  for (const [urn, keys] of extensions) {
    parts.push(
      nested(
        urn,
        keys.map(([key, index, reference]) => member(key, index, reference, clears(index)))
      )
    )
  }

  return (values) => head + concat(parts, values) + '}'
}

function concat(writers: readonly Writer[], values: readonly MappedValue[]): string {
  let text = ''
  for (const write of writers) text += write(values)
  return text
}

/**
 * `,"key":value` when the value is present (a reference, the manager, is written `{"value":…}`); when it is empty,
 * `,"key":null` if the attribute is cleared, else nothing.
 */
function member(key: string, index: number, reference = false, clear = false): Writer {
  const prefix = `,${JSON.stringify(key)}:`
  const empty = clear ? `${prefix}null` : ''
  return (values) => {
    const value = values[index]
    if (value === undefined) return empty
    const json = typeof value === 'string' ? jsonString(value) : String(value)
    return reference ? `${prefix}{"value":${json}}` : prefix + json
  }
}

/** `,"key":{…}` with the members present, or nothing when none is. */
function nested(key: string, members: readonly Writer[]): Writer {
  const prefix = `,${JSON.stringify(key)}:{`
  return (values) => {
    const body = concat(members, values)
    return body ? `${prefix}${body.slice(1)}}` : ''
  }
}
