/**
 * A small OData `$filter` parser and evaluator: `eq ne gt lt ge le`, `contains()`/`startswith()`,
 * `and`/`or`/`not`, parentheses; single-quoted strings (`''` escapes a quote), unquoted DateTimeOffset
 * literals, numbers, true/false/null. Property names are resolved case-insensitively by the caller's
 * schema; string comparisons are case-sensitive.
 */
export type PropertyType = 'string' | 'date' | 'number' | 'boolean'

export interface FilterSchema {
  /** Canonical property and its type for a name as written, or null when unknown. */
  resolve(name: string): { property: string; type: PropertyType } | null
  /** Optional veto: return an error message to reject an operator on a property. */
  check?(property: string, op: string): string | null
}

type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'date'; value: number }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; op: string; property: string; propertyType: PropertyType; value: Literal }

export class FilterError extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le'])
const FUNCTIONS = new Set(['contains', 'startswith'])

type Token = { kind: 'punct' | 'word' | 'literal'; text: string; literal?: Literal }

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const rest = text.slice(i)
    const c = text[i]!
    if (/\s/.test(c)) i++
    else if ('(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c })
      i++
    } else if (c === "'") {
      let value = ''
      let j = i + 1
      for (;;) {
        if (j >= text.length) throw new FilterError('Unterminated string literal.')
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'"
            j += 2
            continue
          }
          break
        }
        value += text[j++]
      }
      tokens.push({ kind: 'literal', text: text.slice(i, j + 1), literal: { kind: 'string', value } })
      i = j + 1
    } else {
      const date = DATE.exec(rest)
      if (date) {
        const value = Date.parse(date[0])
        if (Number.isNaN(value)) throw new FilterError(`Invalid DateTimeOffset literal '${date[0]}'.`)
        tokens.push({ kind: 'literal', text: date[0], literal: { kind: 'date', value } })
        i += date[0].length
        continue
      }
      const word = /^[^\s(),']+/.exec(rest)![0]
      i += word.length
      if (/^-?\d+(\.\d+)?$/.test(word))
        tokens.push({ kind: 'literal', text: word, literal: { kind: 'number', value: Number(word) } })
      else if (word === 'true' || word === 'false')
        tokens.push({ kind: 'literal', text: word, literal: { kind: 'boolean', value: word === 'true' } })
      else if (word === 'null') tokens.push({ kind: 'literal', text: word, literal: { kind: 'null' } })
      else tokens.push({ kind: 'word', text: word })
    }
  }
  return tokens
}

export function parseFilter(text: string, schema: FilterSchema): FilterNode {
  const tokens = tokenize(text)
  let pos = 0
  const peek = (): Token | undefined => tokens[pos]
  const next = (what: string): Token => {
    const t = tokens[pos++]
    if (!t) throw new FilterError(`Syntax error: ${what} expected at the end of the filter.`)
    return t
  }
  const expect = (text: string): void => {
    const t = next(`'${text}'`)
    if (t.text !== text) throw new FilterError(`Syntax error: '${text}' expected but '${t.text}' found.`)
  }
  const keyword = (word: string): boolean => peek()?.kind === 'word' && peek()!.text.toLowerCase() === word

  const property = (name: string): { property: string; type: PropertyType } => {
    const p = schema.resolve(name)
    if (!p) throw new FilterError(`Could not find a property named '${name}'.`)
    return p
  }
  const literalFor = (p: { property: string; type: PropertyType }): Literal => {
    const t = next('a literal')
    if (t.kind !== 'literal') throw new FilterError(`Syntax error: a literal expected but '${t.text}' found.`)
    const lit = t.literal!
    const fits =
      lit.kind === 'null' ||
      (p.type === 'date' && lit.kind === 'date') ||
      (p.type === 'string' && lit.kind === 'string') ||
      (p.type === 'number' && lit.kind === 'number') ||
      (p.type === 'boolean' && lit.kind === 'boolean')
    if (!fits)
      throw new FilterError(
        `A binary operator with incompatible types was detected: '${p.property}' and '${t.text}'.`
      )
    return lit
  }
  const vet = (p: string, op: string): void => {
    const err = schema.check?.(p, op)
    if (err) throw new FilterError(err)
  }

  const primary = (): FilterNode => {
    const t = next('an expression')
    if (t.text === '(') {
      const inner = or()
      expect(')')
      return inner
    }
    if (t.kind !== 'word') throw new FilterError(`Syntax error at '${t.text}'.`)
    const lower = t.text.toLowerCase()
    if (lower === 'not') return { type: 'not', operand: primary() }
    if (FUNCTIONS.has(lower) && peek()?.text === '(') {
      expect('(')
      const p = property(next('a property').text)
      expect(',')
      const value = literalFor(p)
      expect(')')
      vet(p.property, lower)
      return { type: 'compare', op: lower, property: p.property, propertyType: p.type, value }
    }
    const p = property(t.text)
    const op = next('an operator').text.toLowerCase()
    if (!COMPARISONS.has(op)) throw new FilterError(`Syntax error: unknown operator '${op}'.`)
    vet(p.property, op)
    return { type: 'compare', op, property: p.property, propertyType: p.type, value: literalFor(p) }
  }
  const and = (): FilterNode => {
    let left = primary()
    while (keyword('and')) {
      pos++
      left = { type: 'and', left, right: primary() }
    }
    return left
  }
  const or = (): FilterNode => {
    let left = and()
    while (keyword('or')) {
      pos++
      left = { type: 'or', left, right: and() }
    }
    return left
  }

  const tree = or()
  if (pos < tokens.length) throw new FilterError(`Syntax error at '${tokens[pos]!.text}'.`)
  return tree
}

export function evaluate(node: FilterNode, get: (property: string) => unknown): boolean {
  switch (node.type) {
    case 'and':
      return evaluate(node.left, get) && evaluate(node.right, get)
    case 'or':
      return evaluate(node.left, get) || evaluate(node.right, get)
    case 'not':
      return !evaluate(node.operand, get)
    case 'compare':
      return compare(node.op, get(node.property), node.value)
  }
}

function compare(op: string, actual: unknown, lit: Literal): boolean {
  if (lit.kind === 'null') return op === 'eq' ? actual == null : op === 'ne' ? actual != null : false
  if (actual === undefined || actual === null) return op === 'ne'
  const a = lit.kind === 'date' ? Date.parse(String(actual)) : lit.kind === 'number' ? Number(actual) : actual
  const b = lit.value
  switch (op) {
    case 'eq':
      return a === b
    case 'ne':
      return a !== b
    case 'contains':
      return String(a).includes(String(b))
    case 'startswith':
      return String(a).startsWith(String(b))
    case 'gt':
      return (a as number) > (b as number)
    case 'lt':
      return (a as number) < (b as number)
    case 'ge':
      return (a as number) >= (b as number)
    case 'le':
      return (a as number) <= (b as number)
  }
  return false
}
