/**
 * Lexer and recursive-descent parser for Entra attribute-mapping expressions (grammar: docs/expression-facts.md, "Grammar"), with the
 * static checks: arity, unknown and inapplicable functions, comparisons outside conditions, flow keywords outside
 * result positions, constant formats/regexes/intervals, and the portability lints of docs/expression-facts.md ("Portability lints").
 */
import { closest } from '../../common/did-you-mean.ts'
import { compileFormat, parseInterval, parseStyles } from './dates.ts'
import {
  CLOUD_SYNC_ONLY,
  describeArity,
  FUNCTIONS,
  FUNCTIONS_BY_LOWER_NAME,
  type FunctionDef,
  NOT_APPLICABLE,
  type Param,
  replaceMode
} from './functions.ts'
import { translateRegex, RegexTranslationError } from './regex.ts'
import { shorten, shortenList } from '../../common/shorten.ts'
import type {
  CallNode,
  ComparisonOperator,
  ExpressionNode,
  ExpressionProblem,
  KeywordName,
  NumberNode,
  ParsedExpression,
  StringNode
} from './syntax-tree.ts'

export const MAX_EXPRESSION_LENGTH = 10000

const KEYWORDS: readonly KeywordName[] = [
  'vbTextCompare',
  'vbBinaryCompare',
  'IgnoreAttributeFlow',
  'IgnoreObjectFlow'
]
const FLOW_KEYWORDS = new Set<string>(['IgnoreAttributeFlow', 'IgnoreObjectFlow'])
const NONDETERMINISTIC = new Set(['Now', 'Guid', 'RandomString'])

/** Parameters that must be whole numbers, by function: checked when the argument is a constant. */
const INTEGER_PARAMS: Readonly<Record<string, readonly number[]>> = {
  BitAnd: [0, 1],
  DateAdd: [1],
  InStr: [2],
  Item: [1],
  Left: [1],
  Mid: [1, 2],
  RandomString: [0, 1, 2, 3, 4],
  Word: [1]
}

class SyntaxProblem extends Error {
  readonly offset: number
  readonly length: number
  constructor(message: string, offset: number, length = 1) {
    super(message)
    this.offset = offset
    this.length = length
  }
}

/**
 * Deepest nesting of function calls accepted. Real mappings nest a handful of levels; each level costs stack in
 * the parser, the checks and the evaluator, so ~1,500 levels would overflow it.
 */
export const MAX_CALL_DEPTH = 100

export function parseExpression(source: string): {
  expression?: ParsedExpression
  problems: ExpressionProblem[]
} {
  const parser = new Parser(source)
  return parser.run()
}

class Parser {
  private readonly src: string
  private pos = 0
  private readonly problems: ExpressionProblem[] = []
  private readonly attributes: string[] = []
  private readonly functions: string[] = []
  /** Calls being parsed, outermost first: bounded, so a hostile mapping cannot exhaust the stack. */
  private callDepth = 0

  constructor(source: string) {
    this.src = source
  }

  run(): { expression?: ParsedExpression; problems: ExpressionProblem[] } {
    const src = this.src
    if (src.length > MAX_EXPRESSION_LENGTH) {
      this.error(
        `the expression is ${src.length} characters long; Entra allows at most ${MAX_EXPRESSION_LENGTH}`,
        MAX_EXPRESSION_LENGTH,
        src.length - MAX_EXPRESSION_LENGTH
      )
    }
    let root: ExpressionNode | undefined
    try {
      this.skipWs()
      if (this.pos >= src.length) throw new SyntaxProblem('the expression is empty', 0, 0)
      root = this.parseArgument(false, undefined)
      this.skipWs()
      if (this.pos < src.length) {
        const ch = src[this.pos] as string
        if (ch === ')')
          throw new SyntaxProblem('unbalanced parentheses: this ")" has no matching "("', this.pos)
        if (ch === ']') throw new SyntaxProblem('unbalanced brackets: this "]" has no matching "["', this.pos)
        throw this.unexpected(
          'after the end of the expression (several values must be combined with a function such as Join or Append)'
        )
      }
    } catch (error) {
      if (!(error instanceof SyntaxProblem)) throw error
      this.error(error.message, error.offset, error.length)
    }
    if (root !== undefined) this.check(root)
    const problems = this.problems.sort((a, b) => a.offset - b.offset)
    if (root === undefined || problems.some((p) => p.severity === 'error')) return { problems }
    const expression: ParsedExpression = {
      source: src,
      attributes: this.attributes,
      root,
      functions: this.functions,
      secret: this.functions.includes('Redact'),
      nondeterministic: this.functions.some((f) => NONDETERMINISTIC.has(f))
    }
    return { expression, problems }
  }

  // -- problems -----------------------------------------------------------------------------------------------

  private error(message: string, offset: number, length?: number): void {
    this.problems.push({ severity: 'error', message, offset, ...(length !== undefined ? { length } : {}) })
  }

  private warn(message: string, offset: number, length?: number): void {
    this.problems.push({ severity: 'warning', message, offset, ...(length !== undefined ? { length } : {}) })
  }

  /** A syntax problem at the current position, with a hint for the operators this language does not have. */
  private unexpected(context: string): SyntaxProblem {
    const rest = this.src.slice(this.pos)
    if (rest.startsWith('&')) {
      return new SyntaxProblem(
        '"&" is not an operator in app-provisioning expressions; use Join("", a, b) or Append(a, b)',
        this.pos
      )
    }
    const word = /^(and|or)\b/i.exec(rest)
    if (word) {
      const op = (word[1] as string).toUpperCase()
      return new SyntaxProblem(
        `there is no ${op} operator; nest IIF calls: IIF(a, IIF(b, …), …) for AND, IIF(a, …, IIF(b, …)) for OR`,
        this.pos,
        op.length
      )
    }
    return new SyntaxProblem(`unexpected ${this.describeAt(this.pos)} ${context}`, this.pos)
  }

  private describeAt(offset: number): string {
    const ch = this.src[offset]
    if (ch === undefined) return 'end of the expression'
    return ch === '"' ? `'"'` : `"${ch}"`
  }

  // -- lexing helpers -----------------------------------------------------------------------------------------

  private skipWs(): void {
    const src = this.src
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos)
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++
      else break
    }
  }

  private comparisonOperator(): ComparisonOperator | undefined {
    const two = this.src.slice(this.pos, this.pos + 2)
    if (two === '<>' || two === '<=' || two === '>=') return two
    const one = this.src[this.pos]
    if (one === '=' || one === '<' || one === '>') return one
    return undefined
  }

  // -- grammar ------------------------------------------------------------------------------------------------

  /** arg = operand [compop operand]; comparisons are only legal where a condition is expected. */
  private parseArgument(isCondition: boolean, owner: string | undefined): ExpressionNode {
    const left = this.parseOperand()
    this.skipWs()
    const start = this.pos
    const two = this.src.slice(start, start + 2)
    if (two === '==' || two === '!=') {
      throw new SyntaxProblem(
        `"${two}" is not an operator here; write ${two === '==' ? '"="' : '"<>"'}`,
        start,
        2
      )
    }
    const operator = this.comparisonOperator()
    if (operator === undefined) return left
    this.pos += operator.length
    const right = this.parseOperand()
    const node: ExpressionNode = { kind: 'comparison', operator, left, right, offset: start, end: right.end }
    if (!isCondition) {
      this.error(
        `comparison "${operator}" is only allowed in a condition: the first argument of IIF or CBool` +
          (owner ? ` (here it is an argument of ${owner})` : ''),
        start,
        operator.length
      )
    }
    this.skipWs()
    if (this.comparisonOperator() !== undefined) {
      throw new SyntaxProblem(
        'only one comparison is allowed in a condition; there is no AND/OR: nest IIF calls instead',
        this.pos
      )
    }
    return node
  }

  private parseOperand(): ExpressionNode {
    this.skipWs()
    const src = this.src
    const start = this.pos
    const ch = src[start]
    if (ch === undefined)
      throw new SyntaxProblem('unexpected end of the expression: a value is missing', start, 0)
    if (ch === '"' || ch === "'") return this.parseString(ch)
    if (ch === '[') return this.parseAttribute()
    if ((ch >= '0' && ch <= '9') || ((ch === '-' || ch === '.') && /[0-9]/.test(src[start + 1] ?? ''))) {
      const m = /^-?(?:\d+(?:\.\d+)?|\.\d+)/.exec(src.slice(start)) as RegExpExecArray
      this.pos += m[0].length
      return { kind: 'number', value: m[0], offset: start, end: this.pos }
    }
    if (ch === '&') {
      const m = /^&[Hh]([0-9A-Fa-f]+)/.exec(src.slice(start))
      if (!m) {
        throw new SyntaxProblem(
          '"&" is not an operator in app-provisioning expressions; use Join("", a, b) or Append(a, b)',
          start
        )
      }
      this.pos += m[0].length
      return { kind: 'number', value: BigInt('0x' + m[1]).toString(), offset: start, end: this.pos }
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(start)) as RegExpExecArray
      const name = m[0]
      this.pos += name.length
      this.skipWs()
      if (src[this.pos] === '(') return this.parseCall(name, start)
      this.pos = start + name.length
      return this.keyword(name, start)
    }
    if (ch === ')') throw new SyntaxProblem('unexpected ")": a value is missing', start)
    if (ch === ']') throw new SyntaxProblem('unbalanced brackets: this "]" has no matching "["', start)
    if (ch === ',') throw new SyntaxProblem('unexpected ",": arguments are only allowed inside a call', start)
    throw new SyntaxProblem(`unexpected "${ch}"`, start)
  }

  private keyword(name: string, start: number): ExpressionNode {
    const end = start + name.length
    const keyword = KEYWORDS.find((k) => k.toLowerCase() === name.toLowerCase())
    if (keyword !== undefined) {
      if (keyword !== name) this.warn(`"${shorten(name)}" should be written "${keyword}"`, start, name.length)
      return { kind: 'keyword', name: keyword, offset: start, end }
    }
    const upper = name.toUpperCase()
    if (upper === 'AND' || upper === 'OR') {
      throw new SyntaxProblem(
        `there is no ${upper} operator; nest IIF calls: IIF(a, IIF(b, …), …) for AND, IIF(a, …, IIF(b, …)) for OR`,
        start,
        name.length
      )
    }
    if (upper === 'TRUE' || upper === 'FALSE' || upper === 'NULL' || upper === 'NOTHING') {
      throw new SyntaxProblem(
        `"${shorten(name)}" is not a keyword; write a string such as "${upper === 'TRUE' ? 'True' : upper === 'FALSE' ? 'False' : ''}"`,
        start,
        name.length
      )
    }
    const fn = FUNCTIONS_BY_LOWER_NAME.get(name.toLowerCase())
    throw new SyntaxProblem(
      fn
        ? `${fn.name} is a function: write ${fn.name}(…)`
        : `unknown name "${shorten(name)}": attribute references are written in brackets, e.g. [${shorten(name)}], and functions ` +
            'with parentheses',
      start,
      name.length
    )
  }

  private parseString(quote: string): ExpressionNode {
    const src = this.src
    const start = this.pos
    if (quote === "'") {
      this.warn(
        'single-quoted strings are not documented by Entra and may be rejected there; use double quotes',
        start,
        1
      )
    }
    let value = ''
    let i = start + 1
    while (i < src.length) {
      const c = src[i] as string
      if (c === quote) {
        this.pos = i + 1
        return { kind: 'string', value, offset: start, end: this.pos }
      }
      if (c === '\\') {
        const next = src[i + 1]
        if (next === quote || next === '\\') {
          value += next
          i += 2
          continue
        }
        if (next !== undefined) {
          this.warn(
            `unknown escape "\\${next}" is kept as the two characters; write "\\\\" for a backslash ` +
              `(e.g. "\\\\d" in a regular expression)`,
            i,
            2
          )
          value += '\\' + next
          i += 2
          continue
        }
      }
      value += c
      i++
    }
    throw new SyntaxProblem(`unterminated string: the closing ${quote} is missing`, start)
  }

  private parseAttribute(): ExpressionNode {
    const src = this.src
    const start = this.pos
    let depth = 0
    let i = start + 1
    for (; i < src.length; i++) {
      const c = src[i]
      if (c === '[') depth++
      else if (c === ']') {
        if (depth === 0) break
        depth--
      }
    }
    if (i >= src.length) throw new SyntaxProblem('unbalanced brackets: this "[" is never closed', start)
    const name = src.slice(start + 1, i)
    this.pos = i + 1
    if (name.trim() === '') throw new SyntaxProblem('empty attribute reference "[]"', start, 2)
    if (!this.attributes.includes(name)) this.attributes.push(name)
    return { kind: 'attribute', name, offset: start, end: this.pos }
  }

  private parseCall(name: string, start: number): ExpressionNode {
    if (this.callDepth >= MAX_CALL_DEPTH) {
      throw new SyntaxProblem(
        `function calls are nested more than ${MAX_CALL_DEPTH} levels deep here; split the logic or flatten it ` +
          '(e.g. one Switch instead of nested IIF)',
        start,
        name.length
      )
    }
    this.callDepth++
    try {
      return this.parseCallBody(name, start)
    } finally {
      this.callDepth--
    }
  }

  private parseCallBody(name: string, start: number): ExpressionNode {
    const src = this.src
    const open = this.pos
    this.pos++ // "("
    const def = this.resolve(name, start)
    const args: (ExpressionNode | undefined)[] = []
    this.skipWs()
    if (src[this.pos] === ')') {
      this.pos++
    } else {
      for (;;) {
        this.skipWs()
        const c = src[this.pos]
        if (c === ',' || c === ')') {
          args.push(undefined)
          this.emptySlotOffsets.push(this.pos)
        } else if (c === undefined) {
          throw new SyntaxProblem(`unbalanced parentheses: the "(" of ${name} is never closed`, open)
        } else {
          const isCondition = def?.condition === true && args.length === 0
          args.push(this.parseArgument(isCondition, def?.name ?? name))
          this.emptySlotOffsets.push(-1)
        }
        this.skipWs()
        const next = src[this.pos]
        if (next === ',') {
          this.pos++
          continue
        }
        if (next === ')') {
          this.pos++
          break
        }
        if (next === undefined) {
          throw new SyntaxProblem(`unbalanced parentheses: the "(" of ${name} is never closed`, open)
        }
        throw this.unexpected(`after argument ${args.length} of ${def?.name ?? name}: expected "," or ")"`)
      }
    }
    const slotOffsets = this.emptySlotOffsets.splice(this.emptySlotOffsets.length - args.length)
    const node: CallNode = { kind: 'call', name: def?.name ?? name, args, offset: start, end: this.pos }
    if (def !== undefined) {
      this.checkArity(def, node, name, slotOffsets)
    }
    return node
  }

  /** Offsets of omitted slots (or -1) for the argument lists being parsed, innermost last. */
  private readonly emptySlotOffsets: number[] = []

  private resolve(name: string, start: number): FunctionDef | undefined {
    const lower = name.toLowerCase()
    const def = FUNCTIONS_BY_LOWER_NAME.get(lower)
    if (def === undefined) {
      const cloudSync = CLOUD_SYNC_ONLY[lower]
      if (cloudSync !== undefined) {
        this.error(
          `${cloudSync} is an Entra Cloud Sync function; app-provisioning attribute mappings do not have it`,
          start,
          name.length
        )
      } else {
        const suggestion = closest(
          name,
          FUNCTIONS.map((f) => f.name)
        )
        this.error(
          `unknown function "${shorten(name)}"` + (suggestion ? ` (did you mean "${suggestion}"?)` : ''),
          start,
          name.length
        )
      }
      return undefined
    }
    if (!this.functions.includes(def.name)) this.functions.push(def.name)
    if (def.name !== name) {
      this.warn(
        `function name "${shorten(name)}" should be written "${def.name}" (Entra's canonical case)`,
        start,
        name.length
      )
    }
    if (NOT_APPLICABLE.has(def.name)) {
      this.error(
        `${def.name} is not applicable to API-driven inbound provisioning: it reads Entra app role assignments, ` +
          'which an HR source does not have',
        start,
        name.length
      )
    }
    if (def.extension !== undefined) this.warn(`${def.name} ${def.extension}`, start, name.length)
    return def
  }

  private checkArity(
    def: FunctionDef,
    node: CallNode,
    written: string,
    slotOffsets: readonly number[]
  ): void {
    const n = node.args.length
    if (NOT_APPLICABLE.has(def.name)) return
    if (n < def.min || n > def.max) {
      this.error(`${def.name} expects ${describeArity(def)}, got ${n}`, node.offset, written.length)
      return
    }
    if (def.name === 'Switch' && n % 2 !== 0) {
      this.error(
        `Switch expects an even number of arguments (source, default value, then key/value pairs), got ${n}`,
        node.offset,
        written.length
      )
      return
    }
    const params = paramsOf(def, n)
    node.args.forEach((arg, i) => {
      const param = params[Math.min(i, params.length - 1)] as Param
      if (arg === undefined && !param.optional) {
        this.error(
          `${def.name}: argument ${i + 1} (${param.name}) is required; only optional arguments may be left empty`,
          slotOffsets[i] ?? node.offset,
          0
        )
      }
    })
  }

  // -- static checks ------------------------------------------------------------------------------------------

  private check(root: ExpressionNode): void {
    const visit = (node: ExpressionNode, flow: boolean, top: boolean): void => {
      switch (node.kind) {
        case 'keyword':
          if (FLOW_KEYWORDS.has(node.name) && !flow) {
            this.error(
              `${node.name} can only be the result of the whole expression (directly, or as a branch of IIF or Switch)`,
              node.offset,
              node.name.length
            )
          }
          return
        case 'comparison':
          visit(node.left, false, false)
          visit(node.right, false, false)
          return
        case 'call':
          break
        default:
          return
      }
      const def = FUNCTIONS_BY_LOWER_NAME.get(node.name.toLowerCase())
      if (def === undefined) {
        node.args.forEach((a) => a && visit(a, false, false))
        return
      }
      if (def.name === 'IgnoreFlowIfNullOrEmpty' && !flow) {
        this.error(
          'IgnoreFlowIfNullOrEmpty must wrap the whole expression (or be a branch of IIF or Switch that is)',
          node.offset,
          def.name.length
        )
      }
      if (def.name === 'SelectUniqueValue') {
        if (!top) {
          this.error(
            'SelectUniqueValue must be the whole expression (Entra requires it at the top level)',
            node.offset
          )
        } else {
          this.warn(
            'SelectUniqueValue: Entra checks uniqueness only when provisioning to on-premises Active Directory; ' +
              'here the first rule with a value is used',
            node.offset,
            def.name.length
          )
        }
      }
      this.checkCall(def, node)
      node.args.forEach((arg, i) => {
        if (arg === undefined) return
        const childFlow =
          flow &&
          ((def.name === 'IIF' && i > 0) ||
            (def.name === 'Switch' && i % 2 === 1) ||
            def.name === 'IgnoreFlowIfNullOrEmpty' ||
            def.name === 'Redact')
        visit(arg, childFlow, false)
      })
    }
    visit(root, true, true)
  }

  /** The checks of one known function's arguments that can be made before any row is read. */
  private checkCall(def: FunctionDef, node: CallNode): void {
    this.checkWholeNumbers(def, node)
    switch (def.name) {
      case 'FormatDateTime':
        this.checkFormatDateTime(def, node)
        break
      case 'DateAdd':
      case 'DateDiff':
        this.checkInterval(def, node)
        break
      case 'InStr':
        this.checkCompareType(node)
        break
      case 'Mid':
        this.checkMidStart(node)
        break
      case 'ToLower':
      case 'ToUpper':
        this.checkCulture(def, node)
        break
      case 'Replace':
        this.checkReplace(node)
        break
      case 'IIF':
        this.checkIifCondition(node)
        break
      case 'Switch':
        this.checkSwitchSource(node)
        break
    }
  }

  private checkWholeNumbers(def: FunctionDef, node: CallNode): void {
    for (const i of INTEGER_PARAMS[def.name] ?? []) {
      const c = constantArg(node, i)
      if (c && !/^\s*[+-]?\d+(?:\.0*)?\s*$/.test(c.value)) {
        const param = def.params[i]?.name ?? `argument ${i + 1}`
        this.error(`${def.name}: ${param} must be a whole number`, ...span(c))
      }
    }
  }

  private checkFormatDateTime(def: FunctionDef, node: CallNode): void {
    const legacy = node.args.length === 3
    if (legacy) {
      this.warn(
        'FormatDateTime with 3 arguments is the legacy form; Entra documents ' +
          'FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat) with an empty second argument: ' +
          'FormatDateTime(source, , inputFormat, outputFormat)',
        node.offset,
        def.name.length
      )
    }
    const styles = legacy ? undefined : constantArg(node, 1)
    if (styles && parseStyles(styles.value) === undefined) {
      this.error(
        'FormatDateTime: dateTimeStyles must be empty, a number such as "128", or DateTimeStyles names',
        ...span(styles)
      )
    }
    for (const [i, which] of [
      [legacy ? 1 : 2, 'input'],
      [legacy ? 2 : 3, 'output']
    ] as const) {
      const c = constantArg(node, i)
      if (!c) continue
      try {
        compileFormat(c.value)
      } catch (error) {
        this.error(`FormatDateTime: invalid ${which} format: ${(error as Error).message}`, ...span(c))
      }
    }
  }

  /** DateAdd's and DateDiff's interval. */
  private checkInterval(def: FunctionDef, node: CallNode): void {
    const c = constantArg(node, 0)
    if (c && parseInterval(c.value) === undefined) {
      this.error(
        `${def.name}: unknown interval "${shorten(c.value)}"; use yyyy, q, m, y, d, w, ww, h, n or s (m is month, n is minute)`,
        ...span(c)
      )
    }
  }

  /** InStr's compareType (a constant or one of the vb…Compare keywords). */
  private checkCompareType(node: CallNode): void {
    const c = node.args[3]
    if (
      c &&
      (c.kind === 'string' || c.kind === 'number') &&
      !/^\s*[01]\s*$|^\s*vb(text|binary)compare\s*$/i.test(c.value)
    ) {
      this.error('InStr: compareType must be vbBinaryCompare or vbTextCompare', ...span(c))
    }
  }

  private checkMidStart(node: CallNode): void {
    const c = constantArg(node, 1)
    if (c && /^\s*[+-]?\d+/.test(c.value) && Number.parseInt(c.value, 10) < 1) {
      this.error('Mid: start must be 1 or more (the first character is 1)', ...span(c))
    }
  }

  /** ToLower's and ToUpper's culture name. */
  private checkCulture(def: FunctionDef, node: CallNode): void {
    const c = constantArg(node, 1)
    if (c && c.value !== '') {
      try {
        Intl.getCanonicalLocales(c.value)
        'i'.toLocaleLowerCase(c.value)
      } catch {
        this.error(
          `${def.name}: "${shorten(c.value)}" is not a culture name such as en-US or tr-TR`,
          ...span(c)
        )
      }
    }
  }

  /** An IIF condition that compares an attribute with "" never holds in Entra when the attribute is empty. */
  private checkIifCondition(node: CallNode): void {
    const cond = node.args[0]
    if (cond?.kind !== 'comparison') return
    const sides = [cond.left, cond.right]
    const attribute = sides.find((s) => s.kind === 'attribute')
    const emptyString = sides.find((s) => s.kind === 'string' && s.value === '')
    if (attribute && emptyString && attribute.kind === 'attribute') {
      this.warn(
        `Entra fails an IIF condition when an attribute in it is empty or null, so this test of ` +
          `[${shorten(attribute.name)}] against "" does not work there; use ` +
          `Switch([${shorten(attribute.name)}], [${shorten(attribute.name)}], "", "fallback") instead`,
        cond.offset,
        cond.end - cond.offset
      )
    }
  }

  private checkSwitchSource(node: CallNode): void {
    const source = node.args[0]
    if (source?.kind === 'call' && ['IsPresent', 'IsNull', 'IsNullOrEmpty'].includes(source.name)) {
      this.warn(
        `Entra advises against ${source.name} as the source of Switch (it can give unexpected results there); ` +
          'test the attribute itself, e.g. Switch([x], [x], "", "fallback")',
        source.offset,
        source.name.length
      )
    }
  }

  private checkReplace(node: CallNode): void {
    const args = node.args
    const present = [0, 1, 2, 3, 4, 5, 6].map((i) => args[i] !== undefined)
    const mode = replaceMode(present)
    if (mode === undefined) {
      this.error(
        'Replace: cannot tell which form is meant. Fill oldValue with replacementValue (or template), or ' +
          'regexPattern with replacementValue (and optionally regexGroupName), or regexPattern, regexGroupName and ' +
          'replacementAttributeName; leave the other slots empty: Replace(source, oldValue, regexPattern, ' +
          'regexGroupName, replacementValue, replacementAttributeName, template)',
        node.offset,
        'Replace'.length
      )
      return
    }
    if (mode === 1 && args[6] !== undefined) {
      this.warn('Replace: template is ignored when replacementValue is given', args[6].offset)
    }
    const pattern = args[2]
    if (mode < 3 || pattern === undefined || pattern.kind !== 'string') return
    let groupNames: readonly string[]
    try {
      groupNames = translateRegex(pattern.value).groupNames
    } catch (error) {
      if (!(error instanceof RegexTranslationError)) throw error
      this.error(
        `Replace: ${error.message} (at position ${error.position + 1} of the pattern)`,
        pattern.offset,
        pattern.end - pattern.offset
      )
      return
    }
    const group = args[3]
    if ((mode === 4 || mode === 5) && group?.kind === 'string' && !groupNames.includes(group.value)) {
      this.error(
        `Replace: the regular expression has no group named "${shorten(group.value)}"` +
          (groupNames.length > 0
            ? ` (its named groups: ${shortenList(groupNames)})`
            : ' (it has no named group)'),
        group.offset,
        group.end - group.offset
      )
    }
  }
}

/** The parameter list of a call with `n` arguments (FormatDateTime's legacy 3-argument form has no styles). */
export function paramsOf(def: FunctionDef, n: number): readonly Param[] {
  if (def.name === 'FormatDateTime' && n === 3) return def.params.filter((p) => p.name !== 'dateTimeStyles')
  return def.params
}

/** Argument `i` of a call when it is a constant (a string or a number): the only arguments checked statically. */
function constantArg(node: CallNode, i: number): StringNode | NumberNode | undefined {
  const arg = node.args[i]
  return arg !== undefined && (arg.kind === 'string' || arg.kind === 'number') ? arg : undefined
}

/** Offset and length of a node, for a problem that underlines all of it. */
function span(node: ExpressionNode): [number, number] {
  return [node.offset, node.end - node.offset]
}
