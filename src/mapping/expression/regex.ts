/**
 * .NET regular expressions (the flavour of Entra's Replace) run on RE2 (the `re2js` engine), which matches in time
 * linear in the input for every pattern, so a pattern from the mapping or from an HR column cannot hang the run.
 * The translation keeps .NET meaning where RE2 differs (`\d`, `\w`, `\s` and `\b` are Unicode-aware, `.` excludes
 * only `\n`, `$` also matches before a final newline, `\A` `\z` `\Z`), and rejects what RE2 cannot do in linear time
 * (lookahead, back-references, atomic groups, conditionals, balancing groups, `\G`, class subtraction), each at its
 * position in the pattern. docs/functions.md lists the remaining differences.
 */
import { RE2JS } from 're2js'

export interface TranslatedRegex {
  /** The pattern in RE2 syntax. */
  readonly source: string
  /** Named groups of the pattern, in order. */
  readonly groupNames: readonly string[]
  /** Number of capturing groups of the .NET pattern. */
  readonly groupCount: number
  /**
   * Capturing groups in RE2 order: null for an unnamed group, its name, or TAIL for a group the translation adds to
   * consume the one character a `$` or `\b` at the end of the pattern looks at (the match ends where it starts).
   */
  readonly groupOrder: readonly (string | null | typeof TAIL)[]
  /** The RE2 pattern holds a lookbehind (written, or from `\b`): compiled with re2js's slower lookbehind support. */
  readonly lookbehind: boolean
}

export const TAIL = Symbol('tail')

export class RegexTranslationError extends Error {
  /** Offset in the pattern. */
  readonly position: number
  constructor(message: string, position: number) {
    super(message)
    this.position = position
  }
}

/** .NET `\w`: letters, non-spacing marks, decimal digits, connector punctuation. */
const WORD = String.raw`\pL\p{Mn}\p{Nd}\p{Pc}`
/** .NET `\s`: Unicode white space. */
const SPACE = String.raw`\t\n\v\f\r\x{85}\p{Z}`
/** After one consumed character: true when a Unicode word boundary lies just before it. */
const BOUNDARY_BEFORE_LAST = `(?<=\\A[${WORD}]|[${WORD}][^${WORD}]|[^${WORD}][${WORD}])`
const NO_BOUNDARY_BEFORE_LAST = `(?<=\\A[^${WORD}]|[${WORD}][${WORD}]|[^${WORD}][^${WORD}])`
/**
 * Longest pattern accepted. Real patterns are tens of characters; compiling costs ~5 ms per 1,000 characters, so a
 * column holding a different megabyte-long pattern on every row would otherwise take seconds per record.
 */
export const MAX_PATTERN_LENGTH = 1000
/** RE2 refuses larger repetition counts. */
const MAX_REPEAT = 1000
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/

interface Quantifier {
  readonly min: number
  readonly max: number | undefined
  readonly lazy: boolean
  readonly text: string
}

interface Frame {
  readonly start: number
  readonly lookbehind: boolean
  /** A `\b`/`\B` just before this group, applied to the first character of each alternative. */
  readonly boundary?: Boundary
}

interface Boundary {
  readonly negated: boolean
  readonly at: number
}

/** A group opening in RE2 syntax, and how many characters the .NET opening has. */
interface GroupOpening {
  readonly text: string
  readonly length: number
  readonly lookbehind: boolean
}

/** Translates a .NET pattern to RE2; throws RegexTranslationError with an actionable message. */
export function translateRegex(pattern: string): TranslatedRegex {
  return new Translator(pattern).run()
}

class Translator {
  private i = 0
  private out = ''
  private readonly groupNames: string[] = []
  private readonly groupOrder: (string | null | typeof TAIL)[] = []
  private readonly frames: Frame[] = []
  private pending: Boundary | undefined
  private multiline = false
  private dotAll = false

  private readonly pattern: string

  constructor(pattern: string) {
    this.pattern = pattern
  }

  run(): TranslatedRegex {
    if (this.pattern.length > MAX_PATTERN_LENGTH) {
      this.fail(
        `the pattern is ${this.pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`,
        MAX_PATTERN_LENGTH
      )
    }
    this.leadingOptions()
    while (this.i < this.pattern.length) this.step()
    if (this.frames.length > 0) this.fail('missing ")"', (this.frames.at(-1) as Frame).start)
    this.endOfAlternative()
    const lookbehind = this.out.includes('(?<=') || this.out.includes('(?<!')
    try {
      RE2JS.compile(this.out, lookbehind ? RE2JS.LOOKBEHINDS : 0)
    } catch (error) {
      const reason = (error as Error).message
        .replace(/^error parsing regexp: /, '')
        .replace(/: `[\s\S]*`$/, '')
      throw new RegexTranslationError(`invalid regular expression: ${reason}`, 0)
    }
    const groupCount = this.groupOrder.filter((g) => g !== TAIL).length
    return {
      source: this.out,
      groupNames: this.groupNames,
      groupCount,
      groupOrder: this.groupOrder,
      lookbehind
    }
  }

  private fail(message: string, position: number): never {
    throw new RegexTranslationError(message, position)
  }

  /** Leading inline options (?imsnx) apply to the whole pattern. */
  private leadingOptions(): void {
    const leading = /^\(\?([imsnx]+)\)/.exec(this.pattern)
    if (!leading) return
    for (const f of leading[1] as string) {
      if (f === 'n' || f === 'x') this.fail(`the inline option "${f}" is not supported (only i, m and s)`, 2)
      if (f === 'i') this.out = '(?i)'
      if (f === 'm') this.multiline = true
      if (f === 's') this.dotAll = true
    }
    this.i = leading[0].length
  }

  private step(): void {
    const ch = this.pattern[this.i] as string
    const start = this.i
    if (ch === '(') return this.openGroup()
    if (ch === ')') return this.closeGroup()
    if (ch === '|') {
      this.endOfAlternative()
      this.out += '|'
      this.i++
      const frame = this.frames.at(-1)
      if (frame?.boundary) this.pending = frame.boundary
      return
    }
    if (ch === '$' || ch === '^') return this.anchor(ch)
    if (ch === '*' || ch === '+' || ch === '?' || (ch === '{' && this.quantifierAt(start))) {
      // A quantifier after an anchor or a group: passed through (RE2 reports what is invalid).
      const q = this.quantifierAt(start) as Quantifier
      this.i += q.text.length
      this.out += q.text
      return
    }
    const atom = this.atom()
    if (atom !== undefined) this.emitAtom(atom)
  }

  /** One consuming element (a character or a class) in RE2 syntax, or undefined after a zero-width escape. */
  private atom(): string | undefined {
    const ch = this.pattern[this.i] as string
    if (ch === '\\') return this.escapeOutsideClass()
    if (ch === '[') return this.characterClass()
    this.i++
    if (ch === '.') return this.dotAll ? '(?s:.)' : '[^\\n]'
    if (ch === '{' || ch === '}' || ch === ']') return '\\' + ch
    return ch
  }

  private emitAtom(atom: string): void {
    const q = this.quantifierAt(this.i)
    if (q && (q.min > MAX_REPEAT || (q.max ?? 0) > MAX_REPEAT)) {
      this.fail(`repetition counts above ${MAX_REPEAT} are not supported`, this.i)
    }
    const boundary = this.pending
    if (boundary === undefined) {
      this.out += atom
      return
    }
    this.pending = undefined
    const check = boundary.negated ? NO_BOUNDARY_BEFORE_LAST : BOUNDARY_BEFORE_LAST
    if (q === undefined) {
      this.out += `(?:${atom}${check})`
      return
    }
    if (q.min === 0) {
      this.fail(
        `"\\${boundary.negated ? 'B' : 'b'}" before an optional element is not supported (it would need lookahead)`,
        boundary.at
      )
    }
    this.i += q.text.length
    // The first repetition carries the check; the others follow as before.
    const max = q.max === undefined ? '' : String(q.max - 1)
    const rest = q.max === 1 ? '' : `${atom}{${q.min - 1},${max}}${q.lazy ? '?' : ''}`
    this.out += `(?:${atom}${check})${rest}`
  }

  /** A quantifier at `at`, if any: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy. */
  private quantifierAt(at: number): Quantifier | undefined {
    const m = /^(?:([*+?])|\{(\d+)(,(\d*))?\})(\?)?/.exec(this.pattern.slice(at, at + 30))
    if (!m) return undefined
    const lazy = m[5] !== undefined
    if (m[1] !== undefined) {
      const min = m[1] === '+' ? 1 : 0
      return { min, max: m[1] === '?' ? 1 : undefined, lazy, text: m[0] }
    }
    const min = Number(m[2])
    const max = m[3] === undefined ? min : m[4] === '' ? undefined : Number(m[4])
    return { min, max, lazy, text: m[0] }
  }

  /** `$` and `^`. A `$` that ends the pattern (or a top-level alternative) also matches before a final newline. */
  private anchor(ch: '$' | '^'): void {
    this.i++
    this.noPendingBoundary()
    if (ch === '^') {
      this.out += this.multiline ? '(?m:^)' : '^'
    } else if (this.multiline) {
      this.out += '(?m:$)'
    } else if (this.atEndOfTopLevelAlternative()) {
      this.tail('(?:\\z|(\\n)\\z)')
    } else {
      this.out += '\\z'
    }
  }

  private atEndOfTopLevelAlternative(): boolean {
    return this.frames.length === 0 && (this.i >= this.pattern.length || this.pattern[this.i] === '|')
  }

  /** Appends a construct whose single capturing group is a TAIL group. */
  private tail(construct: string): void {
    this.groupOrder.push(TAIL)
    this.out += construct
  }

  private noPendingBoundary(): void {
    if (this.pending !== undefined) {
      this.fail(
        `"\\${this.pending.negated ? 'B' : 'b'}" must be followed by a character, a character class, a group or ` +
          'the end of the pattern',
        this.pending.at
      )
    }
  }

  /** A `\b` or `\B` left pending at the end of the pattern or of a top-level alternative. */
  private endOfAlternative(): void {
    const boundary = this.pending
    if (boundary === undefined) return
    if (this.frames.length > 0) this.noPendingBoundary()
    this.pending = undefined
    this.tail(
      boundary.negated
        ? `(?:\\z(?<![${WORD}])|((?s:.))${NO_BOUNDARY_BEFORE_LAST})`
        : `(?:\\z(?<=[${WORD}])|((?s:.))${BOUNDARY_BEFORE_LAST})`
    )
  }

  /** `(`: a group pushed as a frame, or a comment skipped. A pending `\b` stays pending for the group's content. */
  private openGroup(): void {
    const start = this.i
    if (this.pattern.startsWith('(?#', start)) return this.skipComment(start)
    const boundary = this.pending
    const opening = this.groupOpening(start)
    if (boundary && opening.lookbehind) this.fail('"\\b" before a lookbehind is not supported', boundary.at)
    this.frames.push({ start, lookbehind: opening.lookbehind, boundary })
    this.out += opening.text
    this.i += opening.length
  }

  /** What the group opening at `start` becomes in RE2; fails on the constructs RE2 cannot run in linear time. */
  private groupOpening(start: number): GroupOpening {
    const inLookbehind = this.frames.some((f) => f.lookbehind)
    if (this.pattern[start + 1] !== '?') {
      if (inLookbehind)
        this.fail('a capturing group inside a lookbehind is not supported; use "(?:...)"', start)
      this.groupOrder.push(null)
      return { text: '(', length: 1, lookbehind: false }
    }
    const rest = this.pattern.slice(start + 2)
    if (rest.startsWith(':')) return { text: '(?:', length: 3, lookbehind: false }
    if (rest.startsWith('=') || rest.startsWith('!')) {
      this.fail('lookahead "(?=...)" and "(?!...)" are not supported (they need backtracking)', start)
    }
    if (rest.startsWith('<=') || rest.startsWith('<!')) {
      return { text: this.pattern.slice(start, start + 4), length: 4, lookbehind: true }
    }
    const named = /^(?:<([^>]*)>|'([^']*)')/.exec(rest)
    if (named)
      return this.namedGroup(start, (named[1] ?? named[2]) as string, 2 + named[0].length, inLookbehind)
    if (rest.startsWith('>')) this.fail('atomic groups "(?>...)" are not supported', start)
    if (rest.startsWith('(')) this.fail('conditional groups "(?(...)...)" are not supported', start)
    const options = /^([imsnx]*)(?:-([imsnx]*))?([:)])/.exec(rest)
    if (options) return this.inlineOptionGroup(start, options)
    return this.fail('unrecognized group construct "(?"', start)
  }

  /** `(?<name>` or `(?'name'`, `length` characters long; RE2 writes `(?P<name>`. */
  private namedGroup(start: number, name: string, length: number, inLookbehind: boolean): GroupOpening {
    if (name.includes('-')) this.fail('balancing groups are not supported', start)
    if (!GROUP_NAME.test(name)) this.fail(`invalid group name "${name}" (use letters, digits and _)`, start)
    if (this.groupNames.includes(name)) this.fail(`the group name "${name}" is used twice`, start)
    if (inLookbehind)
      this.fail('a capturing group inside a lookbehind is not supported; use "(?:...)"', start)
    this.groupNames.push(name)
    this.groupOrder.push(name)
    return { text: `(?P<${name}>`, length, lookbehind: false }
  }

  /** `(?i:...)` or `(?-i:...)`, passed through: i is the only option accepted after the start of the pattern. */
  private inlineOptionGroup(start: number, options: RegExpExecArray): GroupOpening {
    if (/[msnx]/.test((options[1] ?? '') + (options[2] ?? ''))) {
      this.fail(
        'only the inline option i is supported inside a pattern, e.g. "(?i:...)"; m and s are supported at its start',
        start
      )
    }
    if (options[3] === ')') {
      this.fail(
        'inline options "(?i)" are only supported at the start of the pattern; use "(?i:...)" for a part',
        start
      )
    }
    const length = 2 + options[0].length
    return { text: this.pattern.slice(start, start + length), length, lookbehind: false }
  }

  /** `(?#...)`: dropped; a `\b` pending before it stays pending. */
  private skipComment(start: number): void {
    const close = this.pattern.indexOf(')', start)
    if (close < 0) this.fail('unterminated comment "(?#"', start)
    this.i = close + 1
  }

  private closeGroup(): void {
    const frame = this.frames.pop()
    if (frame === undefined) this.fail('too many ")"', this.i)
    this.noPendingBoundary()
    this.out += ')'
    this.i++
    const q = this.quantifierAt(this.i)
    if (frame.boundary && q !== undefined && !(q.min === 1 && q.max === 1)) {
      this.fail('"\\b" before a repeated group is not supported', frame.boundary.at)
    }
    if (q && (q.min > MAX_REPEAT || (q.max ?? 0) > MAX_REPEAT)) {
      this.fail(`repetition counts above ${MAX_REPEAT} are not supported`, this.i)
    }
  }

  /** An escape outside a class: a consuming atom, or undefined for a zero-width one (already emitted). */
  private escapeOutsideClass(): string | undefined {
    const start = this.i
    const c = this.pattern[this.i + 1]
    switch (c) {
      case 'b':
      case 'B':
        this.noPendingBoundary()
        if (this.frames.some((f) => f.lookbehind))
          this.fail(`"\\${c}" inside a lookbehind is not supported`, start)
        this.i += 2
        this.pending = { negated: c === 'B', at: start }
        return undefined
      case 'A':
      case 'z':
        this.noPendingBoundary()
        this.i += 2
        this.out += '\\' + c
        return undefined
      case 'Z':
        this.noPendingBoundary()
        this.i += 2
        if (this.atEndOfTopLevelAlternative()) this.tail('(?:\\z|(\\n)\\z)')
        else this.out += '\\z'
        return undefined
      case 'G':
        return this.fail('"\\G" (contiguous matches) is not supported', start)
      case 'w':
        this.i += 2
        return `[${WORD}]`
      case 'W':
        this.i += 2
        return `[^${WORD}]`
      case 's':
        this.i += 2
        return `[${SPACE}]`
      case 'S':
        this.i += 2
        return `[^${SPACE}]`
      case 'k':
        return this.fail('back-references are not supported (they need backtracking)', start)
      default:
        if (c !== undefined && c >= '1' && c <= '9') {
          return this.fail('back-references are not supported (they need backtracking)', start)
        }
        return this.commonEscape()
    }
  }

  /** Escapes with the same meaning inside and outside a class. */
  private commonEscape(): string {
    const start = this.i
    const c = this.pattern[this.i + 1]
    if (c === undefined) this.fail('the pattern ends with "\\"', start)
    this.i += 2
    switch (c) {
      case 'd':
        return String.raw`\p{Nd}`
      case 'D':
        return String.raw`\P{Nd}`
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
        return '\\' + c
      case 'e':
        return String.raw`\x1B`
      case 'a':
        return String.raw`\x07`
      case 'x':
        return this.hexDigits(2, '"\\x" needs two hex digits', start)
      case 'u':
        return this.hexDigits(4, '"\\u" needs four hex digits', start)
      case 'c': {
        const letter = this.pattern[this.i]
        if (letter === undefined || !/[A-Za-z]/.test(letter)) this.fail('"\\c" needs a letter', start)
        this.i++
        return `\\x{${(letter.charCodeAt(0) % 32).toString(16)}}`
      }
      case 'p':
      case 'P':
        return this.category(c, start)
      case '0': {
        const m = /^[0-7]{0,2}/.exec(this.pattern.slice(this.i)) as RegExpExecArray
        this.i += m[0].length
        return `\\x{${parseInt('0' + m[0], 8).toString(16)}}`
      }
      default:
        if (/[A-Za-z0-9]/.test(c)) this.fail(`unrecognized escape "\\${c}"`, start)
        return ASCII_PUNCTUATION.test(c) ? '\\' + c : c
    }
  }

  /** The hex digits after `\x` or `\u`: exactly `digits` of them, else the error `what`. */
  private hexDigits(digits: number, what: string, start: number): string {
    const h = this.pattern.slice(this.i, this.i + digits)
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(h)) this.fail(what, start)
    this.i += digits
    return `\\x{${h}}`
  }

  private category(c: 'p' | 'P', start: number): string {
    const m = /^\{([A-Za-z]+)\}/.exec(this.pattern.slice(this.i))
    if (!m) this.fail(`"\\${c}" needs a category name in braces, e.g. \\p{L}`, start)
    const name = m[1] as string
    if (name.startsWith('Is'))
      this.fail(`the Unicode block "\\${c}{${name}}" is not supported; use a range`, start)
    this.i += m[0].length
    return `\\${c}{${name}}`
  }

  private characterClass(): string {
    const start = this.i
    let s = '['
    this.i++
    if (this.pattern[this.i] === '^') {
      s += '^'
      this.i++
    }
    if (this.pattern[this.i] === ']') {
      s += '\\]'
      this.i++
    }
    while (this.i < this.pattern.length && this.pattern[this.i] !== ']') {
      const ch = this.pattern[this.i] as string
      if (ch === '\\') {
        s += this.escapeInClass()
      } else if (ch === '[' && this.pattern[this.i - 1] === '-') {
        this.fail('character class subtraction "-[...]" is not supported', this.i - 1)
      } else {
        s += ch === '[' ? '\\[' : ch
        this.i++
      }
    }
    if (this.i >= this.pattern.length) this.fail('unterminated character class "["', start)
    this.i++
    return s + ']'
  }

  private escapeInClass(): string {
    const start = this.i
    const c = this.pattern[this.i + 1]
    switch (c) {
      case 'w':
        this.i += 2
        return WORD
      case 's':
        this.i += 2
        return SPACE
      case 'W':
      case 'S':
        return this.fail(`"\\${c}" inside a character class is not supported`, start)
      case 'b':
        this.i += 2
        return String.raw`\x08`
      case 'B':
      case 'A':
      case 'z':
      case 'Z':
      case 'G':
        return this.fail(`"\\${c}" is not valid inside a character class`, start)
      default:
        if (c !== undefined && c >= '1' && c <= '9') {
          this.fail('a back-reference is not valid in a character class', start)
        }
        return this.commonEscape()
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Matching.

export interface RegexMatch {
  readonly index: number
  /** Where the match ends (before any character a final `$` or `\b` looked at). */
  readonly end: number
  /** Text of the .NET-visible group in RE2 numbering (0 is the whole match); undefined when it did not take part. */
  group(n: number): string | undefined
  named(name: string): string | undefined
  /** Span of a named group, or undefined when it did not take part. */
  span(name: string): readonly [number, number] | undefined
}

/** A compiled pattern; matching takes time linear in the input. */
export class LinearRegex {
  private readonly re: RE2JS
  private readonly tails: readonly number[]
  private readonly numberOf: ReadonlyMap<string, number>

  readonly translated: TranslatedRegex

  constructor(translated: TranslatedRegex) {
    this.translated = translated
    this.re = RE2JS.compile(translated.source, translated.lookbehind ? RE2JS.LOOKBEHINDS : 0)
    const tails: number[] = []
    const numberOf = new Map<string, number>()
    translated.groupOrder.forEach((g, index) => {
      if (g === TAIL) tails.push(index + 1)
      else if (g !== null) numberOf.set(g, index + 1)
    })
    this.tails = tails
    this.numberOf = numberOf
  }

  /** Every match left to right, as .NET's Regex.Replace finds them (an empty match advances one code point). */
  *matches(input: string): Generator<RegexMatch> {
    const matcher = this.re.matcher(input)
    let from = 0
    while (from <= input.length && matcher.find(from)) {
      const index = matcher.start()
      let end = matcher.end()
      for (const t of this.tails) {
        const tailStart = matcher.start(t)
        if (tailStart >= 0) end = tailStart
      }
      const text = input.slice(index, end)
      const group = (n: number): string | undefined => {
        if (n === 0) return text
        const s = matcher.start(n)
        return s < 0 ? undefined : input.slice(s, matcher.end(n))
      }
      const numberOf = this.numberOf
      yield {
        index,
        end,
        group,
        named: (name) => {
          const n = numberOf.get(name)
          return n === undefined ? undefined : group(n)
        },
        span: (name) => {
          const n = numberOf.get(name)
          const s = n === undefined ? -1 : matcher.start(n)
          return n === undefined || s < 0 ? undefined : [s, matcher.end(n)]
        }
      }
      from = end > index ? end : advance(input, end)
    }
  }

  /** The first match, or undefined. */
  first(input: string): RegexMatch | undefined {
    for (const match of this.matches(input)) return match
    return undefined
  }
}

/** The index one code point after `index`. */
function advance(input: string, index: number): number {
  const code = input.charCodeAt(index)
  return code >= 0xd800 && code <= 0xdbff && index + 1 < input.length ? index + 2 : index + 1
}

// ---------------------------------------------------------------------------------------------------------------
// .NET substitutions in replacement strings: $number, ${name}, $$, $&, $`, $', $+, $_.

export type SubstitutionPart = string | { group: number | string } | { special: '&' | '`' | "'" | '+' | '_' }

export interface Substitution {
  readonly parts: readonly SubstitutionPart[]
  /** True when the replacement is a plain string. */
  readonly literal: boolean
}

export function parseSubstitution(replacement: string, regex: TranslatedRegex): Substitution {
  const parts: SubstitutionPart[] = []
  let text = ''
  let i = 0
  const flush = (): void => {
    if (text !== '') parts.push(text)
    text = ''
  }
  while (i < replacement.length) {
    const ch = replacement[i] as string
    if (ch !== '$' || i + 1 >= replacement.length) {
      text += ch
      i++
      continue
    }
    const next = replacement[i + 1] as string
    if (next === '$') {
      text += '$'
      i += 2
    } else if (next === '{') {
      const close = replacement.indexOf('}', i + 2)
      const name = close < 0 ? '' : replacement.slice(i + 2, close)
      if (/^\d+$/.test(name) && Number(name) <= regex.groupCount) {
        flush()
        parts.push({ group: dotNetGroup(regex, Number(name)) })
        i = close + 1
      } else if (regex.groupNames.includes(name)) {
        flush()
        parts.push({ group: name })
        i = close + 1
      } else {
        // .NET keeps an unknown ${name} literally.
        text += ch
        i++
      }
    } else if (/\d/.test(next)) {
      // The longest run of digits that names an existing group.
      let j = i + 1
      while (j < replacement.length && /\d/.test(replacement[j] as string)) j++
      let digits = replacement.slice(i + 1, j)
      while (digits.length > 0 && Number(digits) > regex.groupCount) digits = digits.slice(0, -1)
      if (digits === '') {
        text += ch
        i++
      } else {
        flush()
        parts.push({ group: dotNetGroup(regex, Number(digits)) })
        i += 1 + digits.length
      }
    } else if (next === '&' || next === '`' || next === "'" || next === '+' || next === '_') {
      flush()
      parts.push({ special: next })
      i += 2
    } else {
      text += ch
      i++
    }
  }
  flush()
  return { parts, literal: parts.every((part) => typeof part === 'string') }
}

/**
 * .NET numbers the unnamed groups first, then the named ones; RE2 numbers all groups in order. Returns the RE2
 * group number, or the name, of .NET group `n`.
 */
function dotNetGroup(regex: TranslatedRegex, n: number): number | string {
  if (n === 0) return 0
  const unnamed: number[] = []
  regex.groupOrder.forEach((name, index) => {
    if (name === null) unnamed.push(index + 1)
  })
  if (n <= unnamed.length) return unnamed[n - 1] as number
  return regex.groupNames[n - unnamed.length - 1] ?? n
}

/** The last group that took part in the match (.NET `$+`), by .NET group number. */
function lastGroup(regex: TranslatedRegex, match: RegexMatch): string {
  for (let n = regex.groupCount; n >= 1; n--) {
    const g = dotNetGroup(regex, n)
    const value = typeof g === 'number' ? match.group(g) : match.named(g)
    if (value !== undefined) return value
  }
  return ''
}

export function substitute(
  sub: Substitution,
  match: RegexMatch,
  input: string,
  regex: TranslatedRegex
): string {
  if (sub.literal) return (sub.parts[0] as string | undefined) ?? ''
  let out = ''
  for (const part of sub.parts) {
    if (typeof part === 'string') out += part
    else if ('group' in part) {
      out += (typeof part.group === 'number' ? match.group(part.group) : match.named(part.group)) ?? ''
    } else {
      switch (part.special) {
        case '&':
          out += match.group(0) as string
          break
        case '`':
          out += input.slice(0, match.index)
          break
        case "'":
          out += input.slice(match.end)
          break
        case '+':
          out += lastGroup(regex, match)
          break
        case '_':
          out += input
          break
      }
    }
  }
  return out
}

/** Regex.Replace: every match replaced by the substitution. */
export function replaceAll(input: string, regex: LinearRegex, sub: Substitution): string {
  let out = ''
  let last = 0
  for (const match of regex.matches(input)) {
    out += input.slice(last, match.index) + substitute(sub, match, input, regex.translated)
    last = match.end
  }
  return out + input.slice(last)
}

/** Replace mode 4: in every match, only the text captured by the named group is replaced. */
export function replaceGroup(input: string, regex: LinearRegex, group: string, sub: Substitution): string {
  let out = ''
  let last = 0
  for (const match of regex.matches(input)) {
    const span = match.span(group)
    if (span !== undefined) {
      out += input.slice(last, span[0]) + substitute(sub, match, input, regex.translated)
      last = span[1]
    }
  }
  return out + input.slice(last)
}
