/**
 * Reads the mapping file (YAML or JSON): SCIM attribute → Entra expression. Every problem is reported at the mapping
 * file's line and column, all at once, before any HR row is read.
 */
import {
  LineCounter,
  isMap,
  isScalar,
  parseDocument,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap
} from 'yaml'
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
  return new MappingReader(text, file).read()
}

/** Reads one mapping file, collecting every problem (error) and warning at its line and column. */
class MappingReader {
  private readonly text: string
  private readonly file: string
  private readonly lineCounter = new LineCounter()
  private readonly problems: Diagnostic[] = []
  private readonly warnings: Diagnostic[] = []
  /** Offset of each mapped attribute's key, by lower-case canonical path (to report a second mapping). */
  private readonly seen = new Map<string, number>()

  constructor(text: string, file: string) {
    this.text = text
    this.file = file
  }

  /** The mapping, or an InputError with every problem found. */
  read(): Mapping {
    const document = parseDocument(this.text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true
    })
    for (const yamlError of document.errors) {
      this.error(
        'mapping-syntax',
        yamlError.pos[0],
        `${shorten(yamlError.message.split('\n')[0] ?? '', 200)} (fix the YAML syntax)`
      )
    }
    if (this.problems.length > 0) throw new InputError(this.problems)

    const root = document.contents
    if (!isMap(root)) {
      this.error('mapping-structure', 0, `the mapping file must be a map with an 'attributes' key`)
      throw new InputError(this.problems)
    }
    const { schemaExtension, attributesNode } = this.topLevel(root)
    if (!isMap(attributesNode)) {
      this.error(
        'mapping-structure',
        nodeOffset(attributesNode) ?? 0,
        `'attributes' must be a map of SCIM attribute to expression`
      )
      throw new InputError(this.problems)
    }

    const attributes: MappedAttribute[] = []
    for (const pair of attributesNode.items) {
      const attribute = this.attribute(pair, schemaExtension)
      if (attribute !== undefined) attributes.push(attribute)
    }
    this.requiredAttributes(nodeOffset(attributesNode) ?? 0)
    if (this.problems.length > 0) throw new InputError(this.problems)
    return { file: this.file, schemaExtension, attributes, warnings: this.warnings, text: this.text }
  }

  /** The top-level keys: schemaExtension (checked) and the attributes node (checked by the caller). */
  private topLevel(root: YAMLMap): {
    schemaExtension: string | undefined
    attributesNode: Node | null | undefined
  } {
    let schemaExtension: string | undefined
    let attributesNode: Node | null | undefined
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : ''
      const keyOffset = nodeOffset(pair.key)
      if (key === 'schemaExtension') {
        if (isScalar(pair.value) && typeof pair.value.value === 'string' && /^urn:/i.test(pair.value.value)) {
          schemaExtension = pair.value.value
        } else {
          this.error(
            'mapping-structure',
            nodeOffset(pair.value) ?? keyOffset ?? 0,
            `schemaExtension must be a URN`
          )
        }
      } else if (key === 'attributes') {
        attributesNode = pair.value as Node | null
      } else {
        const hint = closest(key, TOP_LEVEL_KEYS)
        this.error(
          'mapping-structure',
          keyOffset ?? 0,
          `unknown key '${shorten(key)}'${hint ? ` (did you mean '${hint}'?)` : ''}; the mapping file has ${TOP_LEVEL_KEYS.join(' and ')}`
        )
      }
    }
    return { schemaExtension, attributesNode }
  }

  /** One entry of `attributes`, or undefined when its name or its expression has an error. */
  private attribute(pair: Pair, schemaExtension: string | undefined): MappedAttribute | undefined {
    const keyOffset = nodeOffset(pair.key) ?? 0
    const named = this.target(pair.key, keyOffset, schemaExtension)
    if (named === undefined) return undefined
    const { path, target } = named
    const value = pair.value
    if (!isScalar(value) || typeof value.value !== 'string') {
      this.error(
        'mapping-expression',
        nodeOffset(value) ?? keyOffset,
        `'${shorten(path)}': the expression must be a string, e.g. '"[Column]"' or a constant in quotes like '"\\"True\\""'`
      )
      return undefined
    }
    const positionOf = expressionPositions(value, this.text, (offset) => this.at(offset))
    const expression = this.expression(value.value, path, positionOf)
    if (expression === undefined) return undefined
    return { path, target, expression, position: positionOf(0), keyPosition: this.at(keyOffset), positionOf }
  }

  /**
   * The attribute a key names, or undefined when the name is invalid, mapped twice, or in an extension other than
   * the declared one. Warns about a multi-valued entry Entra ignores.
   */
  private target(
    key: unknown,
    keyOffset: number,
    schemaExtension: string | undefined
  ): { path: string; target: AttributeTarget } | undefined {
    const parsed = parseAttributePath(isScalar(key) ? String(key.value) : '')
    if ('error' in parsed) {
      this.error('mapping-attribute', keyOffset, parsed.error)
      return undefined
    }
    const path = formatAttribute(parsed.target)
    const previous = this.seen.get(path.toLowerCase())
    if (previous !== undefined) {
      this.error(
        'mapping-attribute',
        keyOffset,
        `'${shorten(path)}' is mapped twice (first at line ${this.at(previous).line})`
      )
      return undefined
    }
    this.seen.set(path.toLowerCase(), keyOffset)

    const target = parsed.target
    if (
      target.kind === 'extension' &&
      target.urn !== ENTERPRISE_USER_SCHEMA &&
      schemaExtension !== undefined &&
      target.urn !== schemaExtension
    ) {
      this.error(
        'mapping-attribute',
        keyOffset,
        `'${shorten(path)}' uses the URN '${shorten(target.urn)}', not the declared schemaExtension '${schemaExtension}'`
      )
      return undefined
    }
    if (target.kind === 'multi' && target.type !== PROCESSED_MULTI_VALUED_TYPE) {
      this.warnings.push({
        severity: 'warning',
        rule: 'multivalue-type',
        file: this.file,
        ...this.at(keyOffset),
        message: `'${shorten(path)}': Entra processes only the "work" entry of ${target.attribute}; this value will be ignored`
      })
    }
    return { path, target }
  }

  /** The parsed expression, or undefined when it has an error; its problems are reported at their file positions. */
  private expression(
    source: string,
    path: string,
    positionOf: (offset: number) => Position
  ): ParsedExpression | undefined {
    const result = parseExpression(source)
    for (const problem of result.problems) {
      const diagnostic: Diagnostic = {
        severity: problem.severity,
        rule: problem.severity === 'error' ? 'mapping-expression' : 'mapping-lint',
        file: this.file,
        ...positionOf(problem.offset),
        message: `'${shorten(path)}': ${problem.message}`
      }
      if (problem.severity === 'error') this.problems.push(diagnostic)
      else this.warnings.push(diagnostic)
    }
    if (result.expression?.functions.includes('DefaultDomain')) {
      // Entra knows the tenant's domains; the action does not (plan mode has no connection), so it would fail per row.
      this.problems.push({
        severity: 'error',
        rule: 'mapping-expression',
        file: this.file,
        ...positionOf(Math.max(0, source.search(/DefaultDomain/i))),
        message: `'${shorten(path)}': DefaultDomain() is not available in the action, which does not know the tenant's domains; write the domain as a constant ("contoso.com")`
      })
      return undefined
    }
    return result.expression
  }

  /** externalId and active must be mapped (reported at the attributes node). */
  private requiredAttributes(offset: number): void {
    if (!this.seen.has('externalid')) {
      this.error('mapping-attribute', offset, `'externalId' must be mapped: Entra matches users on it`)
    }
    if (!this.seen.has('active')) {
      this.error(
        'mapping-attribute',
        offset,
        `'active' must be mapped: Entra disables the account of a record that omits it (map a constant '"True"' if every row is active)`
      )
    }
  }

  private at(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset)
    return { line, column: col }
  }

  private error(rule: string, offset: number, message: string): void {
    this.problems.push({ severity: 'error', rule, file: this.file, ...this.at(offset), message })
  }
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
