/**
 * Public types of the expression engine: problems, the syntax tree, values, sentinels and the evaluation error.
 */

export interface ExpressionProblem {
  severity: 'error' | 'warning'
  /** Actionable, never contains row data (the expression text is the admin's own). */
  message: string
  /** 0-based character offset in the expression text where the problem starts. */
  offset: number
  length?: number
}

/** Result of IgnoreFlowIfNullOrEmpty / IgnoreAttributeFlow: the attribute is not sent. */
export const IGNORE_ATTRIBUTE_FLOW: unique symbol = Symbol('IgnoreAttributeFlow')
/** Result of IgnoreObjectFlow: the whole record is skipped. */
export const IGNORE_OBJECT_FLOW: unique symbol = Symbol('IgnoreObjectFlow')

export type ExpressionValue =
  string | readonly string[] | null | typeof IGNORE_ATTRIBUTE_FLOW | typeof IGNORE_OBJECT_FLOW

export interface EvaluationContext {
  /** Injected clock (Now, default dates of FormatDateTime). */
  now(): Date
  /** Guid(); defaults to crypto.randomUUID. */
  guid?(): string
  /** Random number in [0, 1) for RandomString; defaults to crypto.randomInt. */
  random?(): number
  /** DefaultDomain(); evaluation fails when it is needed and not set. */
  defaultDomain?: string
  /**
   * SelectUniqueValue's uniqueness check. Without it, the first rule with a non-empty value wins
   * (API-driven provisioning to the cloud has no uniqueness lookup).
   */
  isUnique?(value: string): boolean
}

/** A syntax-tree node. Offsets are 0-based character offsets in the expression text. */
export type ExpressionNode = CallNode | AttributeNode | StringNode | NumberNode | KeywordNode | ComparisonNode

export interface CallNode {
  readonly kind: 'call'
  /** Canonical function name. */
  readonly name: string
  /** Arguments by position; `undefined` is an omitted (empty) slot. */
  readonly args: readonly (ExpressionNode | undefined)[]
  readonly offset: number
  /** Offset just past the closing parenthesis. */
  readonly end: number
}

export interface AttributeNode {
  readonly kind: 'attribute'
  readonly name: string
  readonly offset: number
  readonly end: number
}

export interface StringNode {
  readonly kind: 'string'
  readonly value: string
  readonly offset: number
  readonly end: number
}

export interface NumberNode {
  readonly kind: 'number'
  /** The number as an invariant string (`&HF` becomes `15`). */
  readonly value: string
  readonly offset: number
  readonly end: number
}

export type KeywordName = 'vbTextCompare' | 'vbBinaryCompare' | 'IgnoreAttributeFlow' | 'IgnoreObjectFlow'

export interface KeywordNode {
  readonly kind: 'keyword'
  readonly name: KeywordName
  readonly offset: number
  readonly end: number
}

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>='

export interface ComparisonNode {
  readonly kind: 'comparison'
  readonly operator: ComparisonOperator
  readonly left: ExpressionNode
  readonly right: ExpressionNode
  /** Offset of the operator. */
  readonly offset: number
  readonly end: number
}

export interface ParsedExpression {
  readonly source: string
  /** Distinct attribute (column) names referenced as [Name], in first-appearance order. */
  readonly attributes: readonly string[]
  /** The syntax tree. */
  readonly root: ExpressionNode
  /** Canonical names of the functions used, distinct, in first-appearance order. */
  readonly functions: readonly string[]
  /** The expression uses Redact: its value must be masked in logs and reports. */
  readonly secret: boolean
  /** The result can change between runs for the same row (Now, Guid, RandomString). */
  readonly nondeterministic: boolean
}

/**
 * Evaluation failed for one row. The message never contains the row's data (it ends up in public logs); the
 * offending value, when there is one, is in `value` for opt-in detailed reports.
 */
export class ExpressionEvaluationError extends Error {
  /** The offending input value, if any. Not for public logs. */
  readonly value?: string
  /** Offset in the expression text of the call or argument that failed. */
  readonly offset: number
  /** Canonical name of the function that failed, if a function failed. */
  readonly functionName?: string

  constructor(message: string, details: { offset?: number; value?: string; functionName?: string } = {}) {
    super(message)
    this.name = 'ExpressionEvaluationError'
    this.offset = details.offset ?? 0
    if (details.value !== undefined) this.value = details.value
    if (details.functionName !== undefined) this.functionName = details.functionName
  }
}
