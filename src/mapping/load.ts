/**
 * Reads the mapping file (YAML or JSON): SCIM attribute → Entra expression. Every problem is reported at the mapping
 * file's line and column, all at once, before any HR row is read.
 */
import { LineCounter, isMap, isScalar, parseDocument, type Node, type Scalar } from 'yaml'
import type { Diagnostic } from '../common/diagnostics.ts'
import { InputError } from '../common/diagnostics.ts'
import { parseExpression, type ParsedExpression } from './expression/index.ts'
import {
  PROCESSED_MULTI_VALUED_TYPE,
  formatAttribute,
  parseAttributePath,
  type AttributeTarget
} from './attributes.ts'
import { closest } from '../common/did-you-mean.ts'
import { ENTERPRISE_USER_SCHEMA } from '../common/service-limits.ts'
import { shorten } from '../common/shorten.ts'

export interface Position {
  line: number
  column: number
}

export interface MappedAttribute {
  /** Canonical attribute path, e.g. `name.givenName`. */
  path: string
  target: AttributeTarget
  expression: ParsedExpression
  /** Where the expression text starts in the mapping file. */
  position: Position
  /** Where the attribute name (the key) is in the mapping file. */
  keyPosition: Position
  /** Finds the mapping-file position of a character offset of the expression. */
  positionOf(offset: number): Position
}

export interface Mapping {
  /** Workspace-relative path of the mapping file, or `(default mapping)`. */
  file: string
  schemaExtension: string | undefined
  attributes: readonly MappedAttribute[]
  /** Warnings found while reading the mapping (deprecated forms, types Entra ignores…). */
  warnings: readonly Diagnostic[]
  /** The text it was read from (worker threads read it again). */
  text: string
}

const TOP_LEVEL_KEYS = ['schemaExtension', 'attributes']

export function loadMapping(text: string, file: string): Mapping {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const problems: Diagnostic[] = []
  const warnings: Diagnostic[] = []
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const error = (rule: string, offset: number, message: string): void => {
    problems.push({ severity: 'error', rule, file, ...at(offset), message })
  }

  for (const yamlError of document.errors) {
    error(
      'mapping-syntax',
      yamlError.pos[0],
      `${shorten(yamlError.message.split('\n')[0] ?? '', 200)} (fix the YAML syntax)`
    )
  }
  if (problems.length > 0) throw new InputError(problems)

  const root = document.contents
  if (!isMap(root)) {
    error('mapping-structure', 0, `the mapping file must be a map with an 'attributes' key`)
    throw new InputError(problems)
  }

  let schemaExtension: string | undefined
  let attributesNode: Node | null | undefined
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : ''
    const keyOffset = nodeOffset(pair.key)
    if (key === 'schemaExtension') {
      if (isScalar(pair.value) && typeof pair.value.value === 'string' && /^urn:/i.test(pair.value.value)) {
        schemaExtension = pair.value.value
      } else {
        error('mapping-structure', nodeOffset(pair.value) ?? keyOffset ?? 0, `schemaExtension must be a URN`)
      }
    } else if (key === 'attributes') {
      attributesNode = pair.value as Node | null
    } else {
      const hint = closest(key, TOP_LEVEL_KEYS)
      error(
        'mapping-structure',
        keyOffset ?? 0,
        `unknown key '${shorten(key)}'${hint ? ` (did you mean '${hint}'?)` : ''}; the mapping file has ${TOP_LEVEL_KEYS.join(' and ')}`
      )
    }
  }
  if (!isMap(attributesNode)) {
    error(
      'mapping-structure',
      nodeOffset(attributesNode) ?? 0,
      `'attributes' must be a map of SCIM attribute to expression`
    )
    throw new InputError(problems)
  }

  const attributes: MappedAttribute[] = []
  const seen = new Map<string, number>()
  for (const pair of attributesNode.items) {
    const keyOffset = nodeOffset(pair.key) ?? 0
    const name = isScalar(pair.key) ? String(pair.key.value) : ''
    const parsed = parseAttributePath(name)
    if ('error' in parsed) {
      error('mapping-attribute', keyOffset, parsed.error)
      continue
    }
    const path = formatAttribute(parsed.target)
    const previous = seen.get(path.toLowerCase())
    if (previous !== undefined) {
      error(
        'mapping-attribute',
        keyOffset,
        `'${shorten(path)}' is mapped twice (first at line ${at(previous).line})`
      )
      continue
    }
    seen.set(path.toLowerCase(), keyOffset)

    const target = parsed.target
    if (
      target.kind === 'extension' &&
      target.urn !== ENTERPRISE_USER_SCHEMA &&
      schemaExtension !== undefined &&
      target.urn !== schemaExtension
    ) {
      error(
        'mapping-attribute',
        keyOffset,
        `'${shorten(path)}' uses the URN '${shorten(target.urn)}', not the declared schemaExtension '${schemaExtension}'`
      )
      continue
    }
    if (parsed.target.kind === 'multi' && parsed.target.type !== PROCESSED_MULTI_VALUED_TYPE) {
      warnings.push({
        severity: 'warning',
        rule: 'multivalue-type',
        file,
        ...at(keyOffset),
        message: `'${shorten(path)}': Entra processes only the "work" entry of ${parsed.target.attribute}; this value will be ignored`
      })
    }

    const value = pair.value
    if (!isScalar(value) || typeof value.value !== 'string') {
      error(
        'mapping-expression',
        nodeOffset(value) ?? keyOffset,
        `'${shorten(path)}': the expression must be a string, e.g. '"[Column]"' or a constant in quotes like '"\\"True\\""'`
      )
      continue
    }
    const source = value.value
    const positionOf = expressionPositions(value, text, at)
    const result = parseExpression(source)
    for (const problem of result.problems) {
      const position = positionOf(problem.offset)
      const diagnostic: Diagnostic = {
        severity: problem.severity,
        rule: problem.severity === 'error' ? 'mapping-expression' : 'mapping-lint',
        file,
        ...position,
        message: `'${shorten(path)}': ${problem.message}`
      }
      if (problem.severity === 'error') problems.push(diagnostic)
      else warnings.push(diagnostic)
    }
    if (result.expression?.functions.includes('DefaultDomain')) {
      // Entra knows the tenant's domains; the action does not (plan mode has no connection), so it would fail per row.
      problems.push({
        severity: 'error',
        rule: 'mapping-expression',
        file,
        ...positionOf(Math.max(0, source.search(/DefaultDomain/i))),
        message: `'${shorten(path)}': DefaultDomain() is not available in the action, which does not know the tenant's domains; write the domain as a constant ("contoso.com")`
      })
      continue
    }
    if (result.expression) {
      attributes.push({
        path,
        target: parsed.target,
        expression: result.expression,
        position: positionOf(0),
        keyPosition: at(keyOffset),
        positionOf
      })
    }
  }

  if (!seen.has('externalid')) {
    error(
      'mapping-attribute',
      nodeOffset(attributesNode) ?? 0,
      `'externalId' must be mapped: Entra matches users on it`
    )
  }
  if (!seen.has('active')) {
    error(
      'mapping-attribute',
      nodeOffset(attributesNode) ?? 0,
      `'active' must be mapped: Entra disables the account of a record that omits it (map a constant '"True"' if every row is active)`
    )
  }
  if (problems.length > 0) throw new InputError(problems)
  return { file, schemaExtension, attributes, warnings, text }
}

function nodeOffset(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range
  return range?.[0]
}

/**
 * Maps an offset in the expression string to the mapping file. Exact for plain and quoted one-line scalars without
 * escapes (the usual case); otherwise falls back to the start of the value.
 */
function expressionPositions(
  node: Scalar,
  text: string,
  at: (offset: number) => Position
): (offset: number) => Position {
  const start = nodeOffset(node) ?? 0
  const end = node.range?.[1] ?? start
  const raw = text.slice(start, end)
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'
  const content = quoted ? raw.slice(1, -1) : raw
  const contentStart = quoted ? start + 1 : start
  const exact = content === node.value
  return (offset) => at(exact ? contentStart + Math.min(offset, content.length) : contentStart)
}
