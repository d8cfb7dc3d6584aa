/**
 * The value model inside an evaluation and the coercions functions use. Error messages name the argument by where it
 * comes from (`the value of [HireDate]`), never by its content.
 */
import { DateTimeValue, parseLenientDate, renderEntraDate } from './dates.ts'
import {
  ExpressionEvaluationError,
  type EvaluationContext,
  type ExpressionNode,
  IGNORE_ATTRIBUTE_FLOW,
  IGNORE_OBJECT_FLOW
} from './syntax-tree.ts'
import { shorten } from '../../common/shorten.ts'

export type Value =
  string | readonly string[] | null | DateTimeValue | typeof IGNORE_ATTRIBUTE_FLOW | typeof IGNORE_OBJECT_FLOW

/** A row: positional cell values (strings; lists and nulls when evaluating a record object). */
export type Row = readonly (string | readonly string[] | null | undefined)[]

export type Compiled = (row: Row) => Value

/** One bound argument of a call. */
export interface Arg {
  readonly fn: Compiled
  /** The argument is a constant (literal or folded): `value` holds it and `fn` never fails. */
  readonly constant: boolean
  readonly value: Value
  readonly node: ExpressionNode
  /** Where the value comes from, for error messages: `the value of [HireDate]`. */
  readonly label: string
  /** For condition arguments (IIF, CBool): the compiled test. */
  readonly test?: (row: Row) => boolean
}

/** What a function implementation knows about its call. */
export interface CallSite {
  readonly name: string
  readonly offset: number
  readonly context: EvaluationContext
  /** Throws an ExpressionEvaluationError `Name: message`. `value` goes to the error's value field only. */
  fail(message: string, value?: Value): never
}

export function makeSite(name: string, offset: number, context: EvaluationContext): CallSite {
  return {
    name,
    offset,
    context,
    fail(message: string, value?: Value): never {
      throw new ExpressionEvaluationError(`${name}: ${message}`, {
        offset,
        functionName: name,
        ...(value !== undefined && value !== null ? { value: valueForReport(value) } : {})
      })
    }
  }
}

function valueForReport(value: Value): string {
  if (typeof value === 'string') return value
  if (value instanceof DateTimeValue) return renderEntraDate(value)
  if (Array.isArray(value)) return JSON.stringify(value)
  return String(value)
}

export function labelOf(node: ExpressionNode): string {
  switch (node.kind) {
    case 'attribute':
      return `the value of [${shorten(node.name)}]`
    case 'call':
      return `the result of ${node.name}()`
    case 'string':
      return `the constant "${shorten(node.value)}"`
    case 'number':
      return `the constant ${node.value}`
    case 'keyword':
      return node.name
    case 'comparison':
      return 'the comparison'
  }
}

export function isList(value: Value): value is readonly string[] {
  return Array.isArray(value)
}

/** A single string, or null. Dates render as Entra does. Lists of one value give that value. */
export function text(value: Value, arg: Arg, site: CallSite): string | null {
  if (typeof value === 'string' || value === null) return value
  if (value instanceof DateTimeValue) return renderEntraDate(value)
  if (Array.isArray(value)) {
    if (value.length === 0) return null
    if (value.length === 1) return value[0] as string
    return site.fail(`expects a single value, but ${arg.label} has ${value.length} values`, value)
  }
  return site.fail(`${arg.label} cannot be used as a value (IgnoreFlow results only end an expression)`)
}

/** Null or empty string (an empty list counts as null). */
export function isNullOrEmpty(value: Value): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

const INTEGER = /^\s*[+-]?\d+(?:\.0*)?\s*$/
const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/

export function isNumeric(s: string): boolean {
  return NUMBER.test(s)
}

/** An integer argument. Null when the value is null. */
export function integer(value: Value, arg: Arg, site: CallSite, param: string): number | null {
  const s = text(value, arg, site)
  if (s === null) return null
  if (!INTEGER.test(s)) return site.fail(`${param} must be a whole number, but ${arg.label} is not`, value)
  const n = Number.parseInt(s, 10)
  if (!Number.isSafeInteger(n)) return site.fail(`${param} is out of range in ${arg.label}`, value)
  return n
}

/** A number argument (invariant culture). */
export function number(value: Value, arg: Arg, site: CallSite, param: string): number | null {
  const s = text(value, arg, site)
  if (s === null) return null
  if (!NUMBER.test(s)) return site.fail(`${param} must be a number, but ${arg.label} is not`, value)
  return Number(s)
}

/** A date argument: a date value, or a string parsed as CDate does. */
export function date(value: Value, arg: Arg, site: CallSite): DateTimeValue | null {
  if (value instanceof DateTimeValue || value === null) return value
  const s = text(value, arg, site)
  if (s === null || s === '') return null
  const parsed = parseLenientDate(s)
  if (parsed === undefined) return site.fail(`${arg.label} is not a date`, value)
  return parsed
}

export function bool(b: boolean): 'True' | 'False' {
  return b ? 'True' : 'False'
}

/** Condition truth: True/False (any case), or a number (non-zero is true). Null is false. */
export function truth(value: Value, arg: Arg, site: CallSite): boolean {
  if (value === null) return false
  const s = text(value, arg, site)
  if (s === null || s === '') return false
  const lower = s.trim().toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  if (NUMBER.test(s)) return Number(s) !== 0
  return site.fail(
    `${arg.label} is neither True/False nor a number, so it cannot be used as a condition`,
    value
  )
}
