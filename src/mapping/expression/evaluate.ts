/**
 * Binding: turns a parsed expression into a closure over positional row values. Function implementations, column
 * indexes, formats and constant regexes are resolved once here; calls whose arguments are all constants are folded.
 */
import { DateTimeValue, renderEntraDate } from './dates.ts'
import { FUNCTIONS_BY_LOWER_NAME } from './functions.ts'
import { parseExpression } from './parser.ts'
import {
  type EvaluationContext,
  type ExpressionNode,
  type ExpressionValue,
  IGNORE_ATTRIBUTE_FLOW,
  IGNORE_OBJECT_FLOW,
  type ParsedExpression,
  type ComparisonNode
} from './syntax-tree.ts'
import {
  type Arg,
  bool,
  type CallSite,
  type Compiled,
  isNumeric,
  labelOf,
  makeSite,
  type Row,
  text,
  truth,
  type Value
} from './coercion.ts'

export interface BindOptions {
  /** An empty cell ('') is an absent value (null). Default true. */
  emptyIsNull?: boolean
}

/**
 * Compile to a fast closure over positional row values. `columnIndex(name)` returns the index of a column in the row,
 * or undefined when the row has no such column (then the reference is null).
 * An empty cell ('') is treated as null (an empty CSV cell is an absent value: Coalesce skips it, IsPresent is false),
 * unless `options.emptyIsNull === false`.
 * The returned function throws ExpressionEvaluationError.
 */
export function bindExpression(
  expression: ParsedExpression,
  columnIndex: (name: string) => number | undefined,
  context: EvaluationContext,
  options?: BindOptions
): (values: readonly string[]) => ExpressionValue {
  return bindRow(expression, columnIndex, context, options) as (values: readonly string[]) => ExpressionValue
}

function bindRow(
  expression: ParsedExpression,
  columnIndex: (name: string) => number | undefined,
  context: EvaluationContext,
  options?: BindOptions
): (values: Row) => ExpressionValue {
  const binder = new Binder(columnIndex, context, options?.emptyIsNull !== false)
  const root = binder.compile(expression.root)
  if (root.constant) {
    const value = publicValue(root.value)
    return () => value
  }
  if (expression.root.kind === 'attribute') return root.fn as (values: Row) => ExpressionValue
  const fn = root.fn
  return (row) => {
    const v = fn(row)
    return v instanceof DateTimeValue ? renderEntraDate(v) : v
  }
}

function publicValue(v: Value): ExpressionValue {
  return v instanceof DateTimeValue ? renderEntraDate(v) : v
}

/** Attribute values of one record by name; lists are multi-valued attributes. */
export type AttributeValues = Readonly<Record<string, string | readonly string[] | null | undefined>>

/**
 * Evaluates an expression against one record given by name (convenient for tests, previews and documentation;
 * bind once with bindExpression for bulk work). Throws an Error listing the problems if the text does not parse.
 */
export function evaluateExpression(
  expression: ParsedExpression | string,
  values: AttributeValues,
  context: EvaluationContext,
  options?: BindOptions
): ExpressionValue {
  let parsed: ParsedExpression
  if (typeof expression === 'string') {
    const result = parseExpression(expression)
    if (!result.expression) {
      const errors = result.problems.filter((p) => p.severity === 'error')
      throw new Error(errors.map((p) => `${p.message} (at ${p.offset})`).join('; '))
    }
    parsed = result.expression
  } else {
    parsed = expression
  }
  const names = parsed.attributes
  const row = names.map((name) => values[name])
  const index = new Map(names.map((name, i) => [name, i]))
  return bindRow(parsed, (name) => (name in values ? index.get(name) : undefined), context, options)(row)
}

const KEYWORD_VALUES: Readonly<Record<string, Value>> = {
  vbBinaryCompare: '0',
  vbTextCompare: '1',
  IgnoreAttributeFlow: IGNORE_ATTRIBUTE_FLOW,
  IgnoreObjectFlow: IGNORE_OBJECT_FLOW
}

class Binder {
  private readonly columnIndex: (name: string) => number | undefined
  private readonly context: EvaluationContext
  private readonly emptyIsNull: boolean

  constructor(
    columnIndex: (name: string) => number | undefined,
    context: EvaluationContext,
    emptyIsNull: boolean
  ) {
    this.columnIndex = columnIndex
    this.context = context
    this.emptyIsNull = emptyIsNull
  }

  compile(node: ExpressionNode, parent?: CallSite): Arg {
    const label = labelOf(node)
    switch (node.kind) {
      case 'string':
      case 'number':
        return constantArg(node.value, node, label)
      case 'keyword':
        return constantArg(KEYWORD_VALUES[node.name] ?? null, node, label)
      case 'attribute': {
        const i = this.columnIndex(node.name)
        if (i === undefined) return constantArg(null, node, label)
        const fn: Compiled = this.emptyIsNull
          ? (row) => {
              const v = row[i]
              return v === '' || v === undefined ? null : v
            }
          : (row) => row[i] ?? null
        return { fn, constant: false, value: null, node, label }
      }
      case 'comparison': {
        // Only reachable through a condition argument; compiled there.
        const site = parent ?? makeSite('IIF', node.offset, this.context)
        return this.condition(node, site)
      }
      case 'call':
        return this.call(node)
    }
  }

  private call(node: Extract<ExpressionNode, { kind: 'call' }>): Arg {
    const def = FUNCTIONS_BY_LOWER_NAME.get(node.name.toLowerCase())
    if (def === undefined) throw new Error(`internal: unknown function ${node.name}`)
    const site = makeSite(def.name, node.offset, this.context)
    const args = node.args.map((a, i) => {
      if (a === undefined) return undefined
      return def.condition && i === 0 ? this.condition(a, site) : this.compile(a, site)
    })
    const fn = def.bind(args, site)
    const label = labelOf(node)
    if (def.pure && args.every((a) => a === undefined || a.constant)) {
      try {
        return constantArg(fn([]), node, label)
      } catch {
        // Fails for every row: leave it to evaluation, which reports it per record.
      }
    }
    const varying = args.filter((a) => a !== undefined && !a.constant)
    const only = varying[0]
    if (def.pure && varying.length === 1 && only?.node.kind === 'attribute') {
      const column = this.columnIndex(only.node.name)
      if (column !== undefined)
        return { fn: memoizeByColumn(fn, column), constant: false, value: null, node, label }
    }
    return { fn, constant: false, value: null, node, label }
  }

  /** A condition argument: a comparison, or a value that is True/False or a number. */
  private condition(node: ExpressionNode, site: CallSite): Arg {
    let test: (row: Row) => boolean
    let constant = false
    if (node.kind === 'comparison') {
      const left = this.compile(node.left, site)
      const right = this.compile(node.right, site)
      test = comparison(node, left, right, site)
      constant = left.constant && right.constant
    } else {
      const arg = this.compile(node, site)
      const fn = arg.fn
      test = (row) => truth(fn(row), arg, site)
      constant = arg.constant
    }
    if (constant) {
      try {
        const result = test([])
        test = () => result
      } catch {
        constant = false
      }
    }
    const fn: Compiled = (row) => bool(test(row))
    const label = labelOf(node)
    return constant
      ? { ...constantArg(bool(test([])), node, label), test }
      : { fn, constant, value: null, node, label, test }
  }
}

/** Distinct inputs remembered per call site; past this the memo is dropped (the column is too varied to pay off). */
const MEMO_LIMIT = 65_536

/**
 * Remembers the result of a pure call whose only varying input is one column, by that column's value. HR columns
 * such as dates, statuses and departments repeat across thousands of rows, so FormatDateTime([HireDate], …) or
 * Switch([Status], …) is computed once per distinct value. Failures are remembered too and thrown again.
 */
function memoizeByColumn(fn: Compiled, column: number): Compiled {
  let memo: Map<unknown, { value?: Value; error?: unknown }> | undefined = new Map()
  return (row) => {
    if (memo === undefined) return fn(row)
    const key = row[column]
    const known = memo.get(key)
    if (known !== undefined) {
      if ('error' in known) throw known.error
      return known.value as Value
    }
    let entry: { value?: Value; error?: unknown }
    try {
      entry = { value: fn(row) }
    } catch (error) {
      entry = { error }
    }
    if (memo.size >= MEMO_LIMIT) memo = undefined
    else memo.set(key, entry)
    if ('error' in entry) throw entry.error
    return entry.value as Value
  }
}

function constantArg(value: Value, node: ExpressionNode, label: string): Arg {
  return { fn: () => value, constant: true, value, node, label }
}

/**
 * A comparison: dates by instant; numbers numerically when both sides are numbers; otherwise ordinal,
 * case-sensitive strings. A null (absent or empty) operand makes the condition false, as Entra's condition check
 * fails on empty attributes.
 */
function comparison(node: ComparisonNode, left: Arg, right: Arg, site: CallSite): (row: Row) => boolean {
  const l = left.fn
  const r = right.fn
  const op = node.operator
  return (row) => {
    const a = l(row)
    const b = r(row)
    if (a === null || b === null) return false
    let order: number
    if (a instanceof DateTimeValue && b instanceof DateTimeValue) {
      order = a.ms - b.ms
    } else {
      const x = text(a, left, site)
      const y = text(b, right, site)
      if (x === null || y === null) return false
      if (isNumeric(x) && isNumeric(y)) order = Number(x) - Number(y)
      else order = x < y ? -1 : x > y ? 1 : 0
    }
    switch (op) {
      case '=':
        return order === 0
      case '<>':
        return order !== 0
      case '<':
        return order < 0
      case '<=':
        return order <= 0
      case '>':
        return order > 0
      case '>=':
        return order >= 0
    }
  }
}
