/**
 * .NET regular expressions (the flavour of Entra's Replace) translated to JavaScript, and .NET replacement
 * substitutions. The translation keeps .NET meaning where JavaScript differs (`\d` and `\w` are Unicode-aware, `.`
 * excludes only `\n`, `$` also matches before a final newline, `\A` `\z` `\Z`), and rejects what JavaScript cannot
 * do (atomic groups, conditionals, balancing groups, `\G`, class subtraction, inline options other than i/m/s).
 */

export interface TranslatedRegex {
  readonly source: string
  readonly flags: string
  /** Named groups of the pattern, in order. */
  readonly groupNames: readonly string[]
  /** Number of capturing groups. */
  readonly groupCount: number
  /** Capturing groups in JavaScript order: null for an unnamed group, else its name. */
  readonly groupOrder: readonly (string | null)[]
}

export class RegexTranslationError extends Error {
  /** Offset in the pattern. */
  readonly position: number
  constructor(message: string, position: number) {
    super(message)
    this.position = position
  }
}

const WORD = String.raw`\p{L}\p{Mn}\p{Nd}\p{Pc}`
/** Characters JavaScript accepts escaped in a `u` pattern outside a class. */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/'])
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Translates a .NET pattern; throws RegexTranslationError with an actionable message. */
export function translateRegex(pattern: string): TranslatedRegex {
  const flagSet = new Set(['u'])
  let out = ''
  let i = 0
  const groupNames: string[] = []
  const groupOrder: (string | null)[] = []
  let groupCount = 0

  // Leading inline options (?imsnx) apply to the whole pattern.
  const leading = /^\(\?([imsnx]+)\)/.exec(pattern)
  if (leading) {
    for (const f of leading[1] as string) {
      if (f === 'n' || f === 'x') {
        throw new RegexTranslationError(`the inline option "${f}" is not supported (only i, m and s)`, 2)
      }
      flagSet.add(f)
    }
    i = leading[0].length
  }
  const multiline = flagSet.has('m')
  const dotAll = flagSet.has('s')

  const escape = (inClass: boolean): string => {
    const start = i
    const c = pattern[i + 1]
    if (c === undefined) throw new RegexTranslationError('the pattern ends with "\\"', start)
    i += 2
    switch (c) {
      case 'd':
        return String.raw`\p{Nd}`
      case 'D':
        return String.raw`\P{Nd}`
      case 'w':
        return inClass ? WORD : `[${WORD}]`
      case 'W':
        if (inClass) throw new RegexTranslationError('"\\W" inside a character class is not supported', start)
        return `[^${WORD}]`
      case 's':
      case 'S':
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
        return '\\' + c
      case 'b':
        return inClass ? String.raw`\x08` : String.raw`\b`
      case 'B':
        if (inClass) throw new RegexTranslationError('"\\B" is not valid inside a character class', start)
        return String.raw`\B`
      case 'A':
      case 'z':
      case 'Z':
        if (inClass) throw new RegexTranslationError(`"\\${c}" is not valid inside a character class`, start)
        return c === 'A'
          ? String.raw`(?<![\s\S])`
          : c === 'z'
            ? String.raw`(?![\s\S])`
            : String.raw`(?=\n?(?![\s\S]))`
      case 'G':
        throw new RegexTranslationError('"\\G" (contiguous matches) is not supported', start)
      case 'e':
        return String.raw`\x1B`
      case 'a':
        return String.raw`\x07`
      case 'x': {
        const hex = pattern.slice(i, i + 2)
        if (!/^[0-9A-Fa-f]{2}$/.test(hex))
          throw new RegexTranslationError('"\\x" needs two hex digits', start)
        i += 2
        return '\\x' + hex
      }
      case 'u': {
        const hex = pattern.slice(i, i + 4)
        if (!/^[0-9A-Fa-f]{4}$/.test(hex))
          throw new RegexTranslationError('"\\u" needs four hex digits', start)
        i += 4
        return '\\u' + hex
      }
      case 'c': {
        const letter = pattern[i]
        if (letter === undefined || !/[A-Za-z]/.test(letter)) {
          throw new RegexTranslationError('"\\c" needs a letter', start)
        }
        i++
        return '\\c' + letter
      }
      case 'p':
      case 'P': {
        const m = /^\{([A-Za-z]+)\}/.exec(pattern.slice(i))
        if (!m)
          throw new RegexTranslationError(`"\\${c}" needs a category name in braces, e.g. \\p{L}`, start)
        const name = m[1] as string
        if (name.startsWith('Is')) {
          throw new RegexTranslationError(
            `the Unicode block "\\${c}{${name}}" is not supported; use a range`,
            start
          )
        }
        i += m[0].length
        return `\\${c}{${name}}`
      }
      case 'k': {
        const m = /^(?:<([^>]*)>|'([^']*)')/.exec(pattern.slice(i))
        if (!m) throw new RegexTranslationError('"\\k" needs a group name: \\k<name>', start)
        i += m[0].length
        const name = (m[1] ?? m[2]) as string
        if (/^\d+$/.test(name)) return '\\' + name
        return `\\k<${name}>`
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(pattern.slice(i)) as RegExpExecArray
        i += m[0].length
        return (
          '\\x' +
          parseInt('0' + m[0], 8)
            .toString(16)
            .padStart(2, '0')
        )
      }
      default:
        if (c >= '1' && c <= '9') {
          if (inClass)
            throw new RegexTranslationError('a back-reference is not valid in a character class', start)
          let digits = c
          while (pattern[i] !== undefined && /\d/.test(pattern[i] as string)) digits += pattern[i++]
          return '\\' + digits
        }
        if (/[A-Za-z]/.test(c)) throw new RegexTranslationError(`unrecognized escape "\\${c}"`, start)
        if (inClass) return c === ']' || c === '[' || c === '\\' || c === '^' || c === '-' ? '\\' + c : c
        return SYNTAX.has(c) ? '\\' + c : c
    }
  }

  const characterClass = (): string => {
    const start = i
    let s = '['
    i++
    if (pattern[i] === '^') {
      s += '^'
      i++
    }
    if (pattern[i] === ']') {
      s += '\\]'
      i++
    }
    while (i < pattern.length && pattern[i] !== ']') {
      const ch = pattern[i] as string
      if (ch === '\\') {
        s += escape(true)
      } else if (ch === '[') {
        if (pattern[i - 1] === '-') {
          throw new RegexTranslationError('character class subtraction "-[...]" is not supported', i - 1)
        }
        s += '\\['
        i++
      } else {
        s += ch
        i++
      }
    }
    if (i >= pattern.length) throw new RegexTranslationError('unterminated character class "["', start)
    i++
    return s + ']'
  }

  while (i < pattern.length) {
    const ch = pattern[i] as string
    if (ch === '\\') {
      out += escape(false)
    } else if (ch === '[') {
      out += characterClass()
    } else if (ch === '(') {
      const start = i
      if (pattern[i + 1] !== '?') {
        groupCount++
        groupOrder.push(null)
        out += '('
        i++
        continue
      }
      const rest = pattern.slice(i + 2)
      let m: RegExpExecArray | null
      if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!')) {
        out += pattern.slice(i, i + 3)
        i += 3
      } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
        out += pattern.slice(i, i + 4)
        i += 4
      } else if ((m = /^(?:<([^>]*)>|'([^']*)')/.exec(rest))) {
        const name = (m[1] ?? m[2]) as string
        if (name.includes('-')) throw new RegexTranslationError('balancing groups are not supported', start)
        if (!GROUP_NAME.test(name)) {
          throw new RegexTranslationError(`invalid group name "${name}" (use letters, digits and _)`, start)
        }
        if (groupNames.includes(name))
          throw new RegexTranslationError(`the group name "${name}" is used twice`, start)
        groupNames.push(name)
        groupOrder.push(name)
        groupCount++
        out += `(?<${name}>`
        i += 2 + m[0].length
      } else if (rest.startsWith('>')) {
        throw new RegexTranslationError('atomic groups "(?>...)" are not supported', start)
      } else if (rest.startsWith('(')) {
        throw new RegexTranslationError('conditional groups "(?(...)...)" are not supported', start)
      } else if (rest.startsWith('#')) {
        const close = pattern.indexOf(')', i)
        if (close < 0) throw new RegexTranslationError('unterminated comment "(?#"', start)
        i = close + 1
      } else if ((m = /^([imsnx]*)(?:-([imsnx]*))?([:)])/.exec(rest))) {
        const flags = (m[1] ?? '') + (m[2] ?? '')
        if (/[msnx]/.test(flags)) {
          throw new RegexTranslationError(
            'only the inline option i is supported inside a pattern, e.g. "(?i:...)"; m and s are supported at its start',
            start
          )
        }
        if (m[3] === ')') {
          throw new RegexTranslationError(
            'inline options "(?i)" are only supported at the start of the pattern; use "(?i:...)" for a part',
            start
          )
        }
        out += pattern.slice(i, i + 2 + m[0].length)
        i += 2 + m[0].length
      } else {
        throw new RegexTranslationError('unrecognized group construct "(?"', start)
      }
    } else if (ch === '{') {
      const m = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i))
      if (m) {
        out += m[0]
        i += m[0].length
      } else {
        out += '\\{'
        i++
      }
    } else if (ch === '}' || ch === ']') {
      out += '\\' + ch
      i++
    } else if (ch === '.') {
      out += dotAll ? '.' : '[^\\n]'
      i++
    } else if (ch === '$') {
      out += multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))'
      i++
    } else if (ch === '^') {
      out += multiline ? '(?<=^|\\n)' : '^'
      i++
    } else {
      out += ch
      i++
    }
  }
  const flags = [...flagSet].filter((f) => f !== 'm').join('')
  try {
    new RegExp(out, flags)
  } catch (error) {
    throw new RegexTranslationError(
      `invalid regular expression: ${(error as Error).message.replace(/^.*: /, '')}`,
      0
    )
  }
  return { source: out, flags, groupNames, groupCount, groupOrder }
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
 * .NET numbers the unnamed groups first, then the named ones; JavaScript numbers all groups in order. Returns the
 * JavaScript group number, or the name, of .NET group `n`.
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

export function substitute(sub: Substitution, match: RegExpExecArray, input: string): string {
  if (sub.literal) return (sub.parts[0] as string | undefined) ?? ''
  let out = ''
  for (const part of sub.parts) {
    if (typeof part === 'string') out += part
    else if ('group' in part) {
      out += (typeof part.group === 'number' ? match[part.group] : match.groups?.[part.group]) ?? ''
    } else {
      switch (part.special) {
        case '&':
          out += match[0]
          break
        case '`':
          out += input.slice(0, match.index)
          break
        case "'":
          out += input.slice(match.index + match[0].length)
          break
        case '+': {
          let last = ''
          for (let g = match.length - 1; g >= 1; g--) {
            const value = match[g]
            if (value !== undefined) {
              last = value
              break
            }
          }
          out += last
          break
        }
        case '_':
          out += input
          break
      }
    }
  }
  return out
}

/** Advances past an empty match by one code point (the pattern has the `u` flag). */
function advance(input: string, index: number): number {
  const code = input.charCodeAt(index)
  return code >= 0xd800 && code <= 0xdbff && index + 1 < input.length ? index + 2 : index + 1
}

/** Regex.Replace: every match replaced by the substitution. `regex` must have the `g` flag. */
export function replaceAll(input: string, regex: RegExp, sub: Substitution): string {
  regex.lastIndex = 0
  let out = ''
  let last = 0
  let match: RegExpExecArray | null
  while ((match = regex.exec(input)) !== null) {
    out += input.slice(last, match.index) + substitute(sub, match, input)
    last = match.index + match[0].length
    if (match[0].length === 0) {
      if (regex.lastIndex >= input.length) break
      regex.lastIndex = advance(input, regex.lastIndex)
    }
  }
  return out + input.slice(last)
}

/**
 * Replace mode 4: in every match, only the text captured by the named group is replaced. `regex` must have the
 * `g` and `d` flags.
 */
export function replaceGroup(input: string, regex: RegExp, group: string, sub: Substitution): string {
  regex.lastIndex = 0
  let out = ''
  let last = 0
  let match: RegExpExecArray | null
  while ((match = regex.exec(input)) !== null) {
    const span = match.indices?.groups?.[group]
    if (span !== undefined) {
      out += input.slice(last, span[0]) + substitute(sub, match, input)
      last = span[1]
    }
    if (match[0].length === 0) {
      if (regex.lastIndex >= input.length) break
      regex.lastIndex = advance(input, regex.lastIndex)
    }
  }
  return out + input.slice(last)
}
