/**
 * The Entra attribute-mapping expression engine: parse once (with problems at exact offsets), bind once per file
 * header, evaluate per row. Pure: no I/O, no eval. Reference: docs/functions.md.
 */
export {
  type ExpressionProblem,
  type ParsedExpression,
  type ExpressionNode,
  type CallNode,
  type AttributeNode,
  type StringNode,
  type NumberNode,
  type KeywordNode,
  type KeywordName,
  type ComparisonNode,
  type ComparisonOperator,
  type ExpressionValue,
  type EvaluationContext,
  IGNORE_ATTRIBUTE_FLOW,
  IGNORE_OBJECT_FLOW,
  ExpressionEvaluationError
} from './syntax-tree.ts'
export { parseExpression, MAX_EXPRESSION_LENGTH } from './parser.ts'
export { bindExpression, evaluateExpression, type BindOptions, type AttributeValues } from './evaluate.ts'
export { FUNCTIONS as FUNCTION_DEFINITIONS, type FunctionDef } from './functions.ts'
