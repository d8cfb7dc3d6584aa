/**
 * The function library: one definition per Entra function (signature for arity checks, purity for constant folding,
 * and a `bind` that turns bound arguments into a closure). Implementations resolve everything they can at bind time
 * (formats, regexes, Switch keys) so that evaluating a row does only the work that depends on the row.
 */
import { randomInt, randomUUID } from 'node:crypto'
import {
  compileFormat,
  type CompiledFormat,
  DateTimeValue,
  dateAdd,
  dateDiff,
  DEFAULT_STYLES,
  formatDate,
  fromFileTime,
  compileParser,
  type DateParser,
  parseInterval,
  parseLenientDate,
  parseStyles,
  toFileTime
} from './dates.ts'
import { normalizeDiacritics } from './diacritics.ts'
import { shorten } from '../../common/shorten.ts'
import {
  parseSubstitution,
  replaceAll,
  replaceGroup,
  type Substitution,
  translateRegex,
  LinearRegex,
  RegexTranslationError
} from './regex.ts'
import { IGNORE_ATTRIBUTE_FLOW } from './syntax-tree.ts'
import {
  type Arg,
  bool,
  type CallSite,
  type Compiled,
  date,
  integer,
  isNullOrEmpty,
  number,
  type Row,
  text,
  type Value
} from './coercion.ts'

export interface Param {
  readonly name: string
  readonly optional: boolean
  readonly rest: boolean
}

export interface FunctionDef {
  readonly name: string
  readonly params: readonly Param[]
  readonly min: number
  readonly max: number
  /** Same arguments, same result, no effects: calls with constant arguments are folded at bind time. */
  readonly pure: boolean
  /** The first argument is a condition (comparisons allowed). */
  readonly condition?: boolean
  /** Not an Entra app-provisioning function: the warning to show when it is used. */
  readonly extension?: string
  readonly bind: (args: readonly (Arg | undefined)[], site: CallSite) => Compiled
}

type Binder = FunctionDef['bind']

/** `define('Mid', 'source, start, length', …)`; `name?` is optional, `...name` repeats. */
function define(
  name: string,
  signature: string,
  bind: Binder,
  options: {
    pure?: boolean
    condition?: boolean
    min?: number
    extension?: string
    restRequired?: boolean
  } = {}
): FunctionDef {
  const params: Param[] = signature
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => ({
      name: p.replace(/^\.\.\./, '').replace(/\?$/, ''),
      optional: p.endsWith('?') || (p.startsWith('...') && !options.restRequired),
      rest: p.startsWith('...')
    }))
  const required = params.filter((p) => !p.optional && !p.rest).length
  const max = params.some((p) => p.rest) ? Infinity : params.length
  return {
    name,
    params,
    min: options.min ?? required,
    max,
    pure: options.pure ?? true,
    ...(options.condition ? { condition: true } : {}),
    ...(options.extension !== undefined ? { extension: options.extension } : {}),
    bind
  }
}

/** The argument at `i`; the parser guarantees required arguments are present. */
function req(args: readonly (Arg | undefined)[], i: number): Arg {
  const arg = args[i]
  if (arg === undefined) throw new Error(`internal: argument ${i + 1} missing`)
  return arg
}

/** A one-argument string function; null in, null out. */
function unary(f: (s: string, site: CallSite) => Value): Binder {
  return (args, site) => {
    const a = req(args, 0)
    const fn = a.fn
    return (row) => {
      const s = text(fn(row), a, site)
      return s === null ? null : f(s, site)
    }
  }
}

const pick = (site: CallSite, n: number): number => {
  const random = site.context.random
  return random ? Math.min(n - 1, Math.floor(random() * n)) : randomInt(n)
}

// ---------------------------------------------------------------------------------------------------------------

const bitAnd: Binder = (args, site) => {
  const a = req(args, 0)
  const b = req(args, 1)
  const big = (v: Value, arg: Arg): bigint | null => {
    const n = integer(v, arg, site, arg === a ? 'value1' : 'value2')
    return n === null ? null : BigInt(n)
  }
  return (row) => {
    const x = big(a.fn(row), a)
    const y = big(b.fn(row), b)
    return x === null || y === null ? null : String(x & y)
  }
}

const coalesce: Binder = (args) => {
  const present = args.filter((a): a is Arg => a !== undefined).map((a) => a.fn)
  return (row) => {
    let result: Value = null
    for (let i = 0; i < present.length; i++) {
      const v = (present[i] as Compiled)(row)
      if (result === null && v !== null && !(Array.isArray(v) && v.length === 0)) result = v
    }
    return result
  }
}

const count: Binder = (args) => {
  const fn = req(args, 0).fn
  return (row) => {
    const v = fn(row)
    return v === null ? '0' : Array.isArray(v) ? String(v.length) : '1'
  }
}

function intervalOf(arg: Arg, site: CallSite, value: Value): ReturnType<typeof parseInterval> {
  const s = text(value, arg, site)
  const interval = s === null ? undefined : parseInterval(s)
  if (interval === undefined) {
    return site.fail(`${arg.label} is not an interval (yyyy, q, m, y, d, w, ww, h, n, s)`, value)
  }
  return interval
}

const dateAddBinder: Binder = (args, site) => {
  const [i, n, d] = [req(args, 0), req(args, 1), req(args, 2)]
  const fixed = i.constant ? intervalOf(i, site, i.value) : undefined
  return (row) => {
    const interval = fixed ?? intervalOf(i, site, i.fn(row))
    const amount = number(n.fn(row), n, site, 'value')
    const when = date(d.fn(row), d, site)
    if (amount === null || when === null || interval === undefined) return null
    const result = dateAdd(interval, Math.trunc(amount), when)
    if (result === undefined) return site.fail('the result is outside the supported date range')
    return result
  }
}

const dateDiffBinder: Binder = (args, site) => {
  const [i, a, b] = [req(args, 0), req(args, 1), req(args, 2)]
  const fixed = i.constant ? intervalOf(i, site, i.value) : undefined
  return (row) => {
    const interval = fixed ?? intervalOf(i, site, i.fn(row))
    const d1 = date(a.fn(row), a, site)
    const d2 = date(b.fn(row), b, site)
    if (d1 === null || d2 === null || interval === undefined) return null
    return String(dateDiff(interval, d1, d2))
  }
}

const dateFromNum: Binder = (args, site) => {
  const a = req(args, 0)
  return (row) => {
    const v = a.fn(row)
    const s = text(v, a, site)
    if (s === null || s === '') return null
    if (!/^\s*\d+\s*$/.test(s)) return site.fail(`${a.label} is not a FILETIME number`, v)
    const result = fromFileTime(BigInt(s.trim()))
    if (result === undefined) return site.fail(`${a.label} is outside the supported date range`, v)
    return result
  }
}

const formatDateTime: Binder = (args, site) => {
  const legacy = args.length === 3
  const source = req(args, 0)
  const stylesArg = legacy ? undefined : args[1]
  const inArg = req(args, legacy ? 1 : 2)
  const outArg = req(args, legacy ? 2 : 3)
  const parsers = new Map<string, DateParser>()
  const parserOf = (format: CompiledFormat, styles: number): DateParser => {
    const key = `${styles}:${format.source}`
    let parser = parsers.get(key)
    if (parser === undefined) {
      if (parsers.size > 100) parsers.clear()
      parser = compileParser(format, styles)
      parsers.set(key, parser)
    }
    return parser
  }
  const formatOf = (arg: Arg, value: Value, which: string): CompiledFormat => {
    const s = text(value, arg, site)
    if (s === null) return site.fail(`the ${which} format is empty`)
    try {
      return compileFormat(s)
    } catch (error) {
      return site.fail(`invalid ${which} format in ${arg.label}: ${(error as Error).message}`)
    }
  }
  const stylesOf = (value: Value): number => {
    if (stylesArg === undefined) return DEFAULT_STYLES
    const s = text(value, stylesArg, site)
    const styles = parseStyles(s ?? '')
    if (styles === undefined) return site.fail(`${stylesArg.label} is not a DateTimeStyles value`)
    return styles
  }
  const fixedIn = inArg.constant ? formatOf(inArg, inArg.value, 'input') : undefined
  const fixedOut = outArg.constant ? formatOf(outArg, outArg.value, 'output') : undefined
  const fixedStyles =
    stylesArg === undefined || stylesArg.constant ? stylesOf(stylesArg?.value ?? null) : undefined
  const now = (): Date => site.context.now()
  const fixedParser = fixedIn && fixedStyles !== undefined ? compileParser(fixedIn, fixedStyles) : undefined
  return (row) => {
    const v = source.fn(row)
    const inFormat = fixedIn ?? formatOf(inArg, inArg.fn(row), 'input')
    const outFormat = fixedOut ?? formatOf(outArg, outArg.fn(row), 'output')
    const styles = fixedStyles ?? stylesOf(stylesArg ? stylesArg.fn(row) : null)
    if (v instanceof DateTimeValue) return formatDate(v, outFormat)
    const s = text(v, source, site)
    if (s === null || s === '') return null
    const parser = fixedParser ?? parserOf(inFormat, styles)
    const parsed = parser.parse(s, now)
    if (parsed === undefined) {
      const format = inArg.constant ? `"${shorten(inFormat.source)}"` : `in ${inArg.label}`
      if (parser.hasForm(s))
        return site.fail(`${source.label} has the form of ${format} but is not a real date or time`, v)
      return site.fail(`${source.label} does not match the input format ${format}`, v)
    }
    return formatDate(parsed, outFormat)
  }
}

const iif: Binder = (args) => {
  const cond = req(args, 0)
  const yes = req(args, 1)
  const no = req(args, 2)
  const test = cond.test as (row: Row) => boolean
  // Only the branch taken is evaluated: guides guard a FormatDateTime of an empty date with IIF or Switch.
  const [y, n] = [yes.fn, no.fn]
  return (row) => (test(row) ? y(row) : n(row))
}

function compareMode(arg: Arg | undefined, value: Value, site: CallSite): boolean {
  // true = text (case-insensitive) comparison
  if (arg === undefined || value === null) return false
  const s = (text(value, arg, site) ?? '').trim().toLowerCase()
  if (s === '0' || s === 'vbbinarycompare') return false
  if (s === '1' || s === 'vbtextcompare') return true
  return site.fail(`${arg.label} is not a compare type (vbBinaryCompare or vbTextCompare)`)
}

const inStr: Binder = (args, site) => {
  const [a, b, st, cmp] = [req(args, 0), req(args, 1), args[2], args[3]]
  const fixedMode = cmp === undefined || cmp.constant ? compareMode(cmp, cmp?.value ?? null, site) : undefined
  return (row) => {
    const s1 = text(a.fn(row), a, site)
    const s2 = text(b.fn(row), b, site) ?? ''
    const start = st ? (integer(st.fn(row), st, site, 'start') ?? 1) : 1
    const textMode = fixedMode ?? compareMode(cmp, cmp ? cmp.fn(row) : null, site)
    if (s1 === null) return null
    if (start < 1) return site.fail('start must be 1 or more')
    if (start > s1.length + 1) return '0'
    if (s2 === '') return String(start)
    if (!textMode) return String(s1.indexOf(s2, start - 1) + 1)
    const hay = s1.toLowerCase()
    const needle = s2.toLowerCase()
    if (hay.length === s1.length && needle.length === s2.length)
      return String(hay.indexOf(needle, start - 1) + 1)
    for (let i = start - 1; i + s2.length <= s1.length; i++) {
      if (s1.slice(i, i + s2.length).toLowerCase() === needle) return String(i + 1)
    }
    return '0'
  }
}

const item: Binder = (args, site) => {
  const [a, n] = [req(args, 0), req(args, 1)]
  return (row) => {
    const v = a.fn(row)
    const index = integer(n.fn(row), n, site, 'index')
    if (v === null || index === null) return null
    const list = Array.isArray(v) ? v : [text(v, a, site) as string]
    if (index < 1 || index > list.length) {
      return site.fail(
        `index ${index} is out of range: ${a.label} has ${list.length} value(s); the first is 1`
      )
    }
    return list[index - 1] as string
  }
}

const join: Binder = (args, site) => {
  const sep = req(args, 0)
  const sources = args.slice(1).filter((a): a is Arg => a !== undefined)
  const fns = sources.map((s) => s.fn)
  return (row) => {
    const separator = text(sep.fn(row), sep, site) ?? ''
    let out = ''
    let first = true
    for (let i = 0; i < fns.length; i++) {
      const v = (fns[i] as Compiled)(row)
      if (v === null || v === '') continue
      if (typeof v === 'string') {
        out = first ? v : out + separator + v
        first = false
      } else if (Array.isArray(v)) {
        for (const entry of v as readonly string[]) {
          if (entry === '') continue
          out = first ? entry : out + separator + entry
          first = false
        }
      } else {
        const s = text(v, sources[i] as Arg, site) as string
        out = first ? s : out + separator + s
        first = false
      }
    }
    return out
  }
}

const left: Binder = (args, site) => {
  const [a, n] = [req(args, 0), req(args, 1)]
  return (row) => {
    const s = text(a.fn(row), a, site)
    const count = integer(n.fn(row), n, site, 'numChars')
    if (s === null) return ''
    if (count === null || count < 0) return s
    return s.slice(0, count)
  }
}

const mid: Binder = (args, site) => {
  const [a, st, ln] = [req(args, 0), req(args, 1), req(args, 2)]
  return (row) => {
    const s = text(a.fn(row), a, site)
    const start = integer(st.fn(row), st, site, 'start')
    const length = integer(ln.fn(row), ln, site, 'length')
    if (s === null || start === null || length === null) return null
    if (start < 1) return site.fail('start must be 1 or more (the first character is 1)')
    if (length < 0) return site.fail('length must not be negative')
    return s.substr(start - 1, length)
  }
}

// PCase: .NET TextInfo.ToTitleCase word rules, after lower-casing (Entra's output shows all-caps words converted).
const LETTER = /\p{L}/u
const WORD_SEPARATOR =
  /[\p{Z}\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]/u

function upperFirst(ch: string): string {
  const upper = ch.toUpperCase()
  return upper.length === ch.length ? upper : ch
}

export function properCase(source: string, separators?: string): string {
  const lower = source.toLowerCase()
  let out = ''
  let inWord = false
  for (const ch of lower) {
    if (separators !== undefined) {
      if (separators.includes(ch)) {
        out += ch
        inWord = false
      } else if (!inWord) {
        out += upperFirst(ch)
        inWord = true
      } else out += ch
    } else if (!inWord) {
      if (LETTER.test(ch)) {
        out += upperFirst(ch)
        inWord = true
      } else out += ch
    } else {
      if (ch !== "'" && !LETTER.test(ch) && WORD_SEPARATOR.test(ch)) inWord = false
      out += ch
    }
  }
  return out
}

const pCase: Binder = (args, site) => {
  const [a, seps] = [req(args, 0), args[1]]
  return (row) => {
    const s = text(a.fn(row), a, site)
    const separators = seps ? (text(seps.fn(row), seps, site) ?? undefined) : undefined
    return s === null ? null : properCase(s, separators)
  }
}

const DIGITS = '0123456789'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const LOWER = 'abcdefghijklmnopqrstuvwxyz'
/** Special characters of the Windows password-complexity rules. */
const SPECIAL = '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/'

const randomString: Binder = (args, site) => {
  const names = ['length', 'minimumNumbers', 'minimumSpecialCharacters', 'minimumCapital', 'minimumLowerCase']
  const nums = names.map((_, i) => req(args, i))
  const avoidArg = args[5]
  return (row) => {
    const [length, ...mins] = nums.map((a, i) => integer(a.fn(row), a, site, names[i] as string) ?? 0) as [
      number,
      number,
      number,
      number,
      number
    ]
    const avoid = avoidArg ? (text(avoidArg.fn(row), avoidArg, site) ?? '') : ''
    if (length < 1 || length > 256) return site.fail('length must be between 1 and 256')
    if (mins.some((m) => m < 0)) return site.fail('the minimums must not be negative')
    const total = mins.reduce((x, y) => x + y, 0)
    if (total > length) return site.fail(`length (${length}) is less than the sum of the minimums (${total})`)
    const classes = [DIGITS, SPECIAL, UPPER, LOWER].map((c) =>
      [...c].filter((ch) => !avoid.includes(ch)).join('')
    )
    const chars: string[] = []
    const pool: string[] = []
    for (let c = 0; c < 4; c++) {
      const set = classes[c] as string
      const min = mins[c] as number
      if (min > 0 && set === '')
        return site.fail('charactersToAvoid removes every character of a required class')
      if (min > 0) pool.push(set)
      for (let k = 0; k < min; k++) chars.push(set[pick(site, set.length)] as string)
    }
    // The rest comes from the classes asked for (letters and digits when none is).
    const rest = pool.length > 0 ? pool.join('') : (classes[0] as string) + classes[2] + classes[3]
    if (rest === '' && chars.length < length)
      return site.fail('charactersToAvoid removes every usable character')
    while (chars.length < length) chars.push(rest[pick(site, rest.length)] as string)
    for (let i = chars.length - 1; i > 0; i--) {
      const j = pick(site, i + 1)
      ;[chars[i], chars[j]] = [chars[j] as string, chars[i] as string]
    }
    return chars.join('')
  }
}

const removeDuplicates: Binder = (args) => {
  const fn = req(args, 0).fn
  return (row) => {
    const v = fn(row)
    return Array.isArray(v) ? [...new Set(v as readonly string[])] : v
  }
}

// Replace ----------------------------------------------------------------------------------------------------------

export type ReplaceMode = 1 | 2 | 3 | 4 | 5

/** The form of Replace, from which of its 7 slots are filled (oldValue … template). */
export function replaceMode(present: readonly boolean[]): ReplaceMode | undefined {
  const [, old, pattern, group, replacement, attribute, template] = present
  if (old && !pattern) return replacement ? 1 : template ? 2 : undefined
  if (pattern && !old) {
    if (group && attribute && !replacement) return 5
    if (group && replacement) return 4
    if (replacement && !group) return 3
  }
  return undefined
}

const replace: Binder = (args, site) => {
  const slot = (i: number): Arg | undefined => args[i]
  const mode = replaceMode([0, 1, 2, 3, 4, 5, 6].map((i) => slot(i) !== undefined))
  const source = req(args, 0)
  if (mode === 1 || mode === 2) {
    const old = req(args, 1)
    const other = req(args, mode === 1 ? 4 : 6)
    return (row) => {
      const s = text(source.fn(row), source, site)
      const o = text(old.fn(row), old, site) ?? ''
      const r = text(other.fn(row), other, site) ?? ''
      if (s === null) return null
      if (mode === 1) return o === '' ? s : s.split(o).join(r)
      return o === '' ? r : r.split(o).join(s)
    }
  }
  if (mode === undefined) return () => site.fail('cannot tell which form of Replace is meant')
  const patternArg = req(args, 2)
  const cache = new Map<string, LinearRegex>()
  const compile = (value: Value): LinearRegex => {
    const pattern = text(value, patternArg, site) ?? ''
    let hit = cache.get(pattern)
    if (hit === undefined) {
      try {
        hit = new LinearRegex(translateRegex(pattern))
      } catch (error) {
        const at =
          error instanceof RegexTranslationError ? ` (at position ${error.position + 1} of the pattern)` : ''
        return site.fail(
          `invalid regular expression in ${patternArg.label}: ${(error as Error).message}${at}`
        )
      }
      if (cache.size > 100) cache.clear()
      cache.set(pattern, hit)
    }
    return hit
  }
  const fixed = patternArg.constant ? compile(patternArg.value) : undefined
  const regexOf = (row: Row): LinearRegex => fixed ?? compile(patternArg.fn(row))

  if (mode === 5) {
    const group = req(args, 3)
    const fallback = req(args, 5)
    return (row) => {
      const v = source.fn(row)
      const regex = regexOf(row)
      const name = text(group.fn(row), group, site) ?? ''
      const other = fallback.fn(row)
      if (!isNullOrEmpty(v)) return v
      const s = text(other, fallback, site)
      if (s === null) return null
      return regex.first(s)?.named(name) ?? null
    }
  }
  const replacementArg = req(args, 4)
  const substitutionOf = (compiled: LinearRegex, value: Value): Substitution =>
    parseSubstitution(text(value, replacementArg, site) ?? '', compiled.translated)
  const fixedSub = fixed && replacementArg.constant ? substitutionOf(fixed, replacementArg.value) : undefined
  if (mode === 3) {
    return (row) => {
      const v = source.fn(row)
      const compiled = regexOf(row)
      const sub = fixedSub ?? substitutionOf(compiled, replacementArg.fn(row))
      const s = text(v, source, site)
      return s === null ? null : replaceAll(s, compiled, sub)
    }
  }
  const group = req(args, 3)
  return (row) => {
    const v = source.fn(row)
    const compiled = regexOf(row)
    const sub = fixedSub ?? substitutionOf(compiled, replacementArg.fn(row))
    const name = text(group.fn(row), group, site) ?? ''
    const s = text(v, source, site)
    if (s === null) return null
    if (!compiled.translated.groupNames.includes(name)) {
      return site.fail(`the regular expression has no group named by ${group.label}`)
    }
    return replaceGroup(s, compiled, name, sub)
  }
}

const selectUniqueValue: Binder = (args, site) => {
  const rules = args.filter((a): a is Arg => a !== undefined)
  return (row) => {
    const values = rules.map((rule) => text(rule.fn(row), rule, site))
    const isUnique = site.context.isUnique
    for (const value of values) {
      if (value === null || value === '') continue
      if (!isUnique || isUnique(value)) return value
    }
    return isUnique ? site.fail('no rule produced a unique value') : null
  }
}

const split: Binder = (args, site) => {
  const [a, d] = [req(args, 0), req(args, 1)]
  return (row) => {
    const s = text(a.fn(row), a, site)
    const delimiter = text(d.fn(row), d, site) ?? ''
    if (s === null) return null
    return delimiter === '' ? [s] : s.split(delimiter)
  }
}

const switchBinder: Binder = (args, site) => {
  const source = req(args, 0)
  const fallback = args[1]
  const keys: Arg[] = []
  const values: Arg[] = []
  for (let i = 2; i + 1 < args.length; i += 2) {
    keys.push(req(args, i))
    values.push(req(args, i + 1))
  }
  const keyText = (arg: Arg, v: Value): string => text(v, arg, site) ?? ''
  // Constant keys: a map from key to the first pair that has it.
  const lookup = keys.every((k) => k.constant) ? new Map<string, number>() : undefined
  if (lookup) keys.forEach((k, i) => lookup.has(keyText(k, k.value)) || lookup.set(keyText(k, k.value), i))
  // Keys are compared in order until one matches; only the chosen value (or the default) is evaluated.
  const valueFns = values.map((v) => v.fn)
  const fallbackFn = fallback?.fn
  return (row) => {
    const s = keyText(source, source.fn(row))
    let index: number | undefined
    if (lookup) index = lookup.get(s)
    else {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as Arg
        if (keyText(k, k.fn(row)) === s) {
          index = i
          break
        }
      }
    }
    if (index !== undefined) return (valueFns[index] as Compiled)(row)
    return fallbackFn ? fallbackFn(row) : ''
  }
}

function caseBinder(upper: boolean): Binder {
  return (args, site) => {
    const [a, c] = [req(args, 0), args[1]]
    const convert = (s: string, culture: string | null): string => {
      if (culture === null || culture === '') return upper ? s.toUpperCase() : s.toLowerCase()
      try {
        return upper ? s.toLocaleUpperCase(culture) : s.toLocaleLowerCase(culture)
      } catch {
        return site.fail(`${c?.label ?? 'culture'} is not a culture name such as en-US`)
      }
    }
    return (row) => {
      const s = text(a.fn(row), a, site)
      const culture = c ? text(c.fn(row), c, site) : null
      return s === null ? null : convert(s, culture)
    }
  }
}

const word: Binder = (args, site) => {
  const [a, n, d] = [req(args, 0), req(args, 1), req(args, 2)]
  return (row) => {
    const s = text(a.fn(row), a, site)
    const index = integer(n.fn(row), n, site, 'wordNumber')
    const delimiters = text(d.fn(row), d, site) ?? ''
    if (s === null || index === null || index < 1) return ''
    let current = 0
    let start = -1
    for (let i = 0; i <= s.length; i++) {
      const atDelimiter = i === s.length || delimiters.includes(s[i] as string)
      if (atDelimiter) {
        if (start >= 0) {
          current++
          if (current === index) return s.slice(start, i)
          start = -1
        }
      } else if (start < 0) start = i
    }
    return ''
  }
}

const notApplicable = (name: string): FunctionDef =>
  define(
    name,
    '...args',
    (_args, site) => () => site.fail('not applicable to API-driven inbound provisioning'),
    {
      pure: false
    }
  )

const TRIM_WARNING =
  'is an extension of this action (Entra documents it only for Cloud Sync, not for app provisioning): the ' +
  'expression will not work if copied into the Entra portal'

export const FUNCTIONS: readonly FunctionDef[] = [
  define('Append', 'source, suffix', (args, site) => {
    const [a, b] = [req(args, 0), req(args, 1)]
    return (row) => {
      const s = text(a.fn(row), a, site)
      const t = text(b.fn(row), b, site)
      return s === null ? null : t === null ? s : s + t
    }
  }),
  define('BitAnd', 'value1, value2', bitAnd),
  define(
    'CBool',
    'expression',
    (args) => {
      const test = req(args, 0).test as (row: Row) => boolean
      return (row) => bool(test(row))
    },
    { condition: true }
  ),
  define('CDate', 'expression', (args, site) => {
    const a = req(args, 0)
    return (row) => date(a.fn(row), a, site)
  }),
  define('Coalesce', 'source, ...sources', coalesce),
  define(
    'ConvertToBase64',
    'source',
    unary((s) => Buffer.from(s, 'utf16le').toString('base64'))
  ),
  define(
    'ConvertToUTF8Hex',
    'source',
    unary((s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase())
  ),
  define('Count', 'attribute', count),
  define(
    'CStr',
    'value',
    unary((s) => s)
  ),
  define('DateAdd', 'interval, value, dateTime', dateAddBinder),
  define('DateDiff', 'interval, date1, date2', dateDiffBinder),
  define('DateFromNum', 'value', dateFromNum),
  define('DefaultDomain', '', (_args, site) => {
    const domain = site.context.defaultDomain
    return () => domain || site.fail('the tenant default domain is not configured')
  }),
  define('FormatDateTime', 'source, dateTimeStyles?, inputFormat, outputFormat', formatDateTime, { min: 3 }),
  define('Guid', '', (_args, site) => () => site.context.guid?.() ?? randomUUID(), { pure: false }),
  define('IgnoreFlowIfNullOrEmpty', 'expression', (args) => {
    const fn = req(args, 0).fn
    return (row) => {
      const v = fn(row)
      return isNullOrEmpty(v) ? IGNORE_ATTRIBUTE_FLOW : v
    }
  }),
  define('IIF', 'condition, valueIfTrue, valueIfFalse', iif, { condition: true }),
  define('InStr', 'value1, value2, start?, compareType?', inStr),
  define('IsNull', 'expression', (args) => {
    const fn = req(args, 0).fn
    return (row) => {
      const v = fn(row)
      return bool(v === null || (Array.isArray(v) && v.length === 0))
    }
  }),
  define('IsNullOrEmpty', 'expression', (args) => {
    const fn = req(args, 0).fn
    return (row) => bool(isNullOrEmpty(fn(row)))
  }),
  define(
    'IsNullOrWhiteSpace',
    'expression',
    (args, site) => {
      const a = req(args, 0)
      return (row) => {
        const v = a.fn(row)
        if (isNullOrEmpty(v)) return 'True'
        return bool(Array.isArray(v) ? false : (text(v, a, site) ?? '').trim() === '')
      }
    },
    { extension: TRIM_WARNING }
  ),
  define('IsPresent', 'expression', (args) => {
    const fn = req(args, 0).fn
    return (row) => bool(!isNullOrEmpty(fn(row)))
  }),
  define('IsString', 'expression', (args) => {
    const fn = req(args, 0).fn
    return (row) => {
      const v = fn(row)
      return bool(typeof v === 'string' || v instanceof DateTimeValue)
    }
  }),
  define('Item', 'attribute, index', item),
  define('Join', 'separator, ...sources', join),
  define('Left', 'string, numChars', left),
  define('Len', 'string', (args, site) => {
    const a = req(args, 0)
    return (row) => String((text(a.fn(row), a, site) ?? '').length)
  }),
  define('Mid', 'source, start, length', mid),
  define('NormalizeDiacritics', 'source', unary(normalizeDiacritics)),
  define('Not', 'source', (args, site) => {
    const a = req(args, 0)
    return (row) => {
      const s = text(a.fn(row), a, site)
      return s !== null && s.trim().toLowerCase() === 'true' ? 'False' : 'True'
    }
  }),
  define('Now', '', (_args, site) => () => new DateTimeValue(site.context.now().getTime(), 'utc'), {
    pure: false
  }),
  define('NumFromDate', 'value', (args, site) => {
    const a = req(args, 0)
    return (row) => {
      const v = a.fn(row)
      if (v instanceof DateTimeValue) return toFileTime(v).toString()
      const s = text(v, a, site)
      if (s === null || s === '') return null
      const parsed = parseLenientDate(s)
      if (parsed === undefined) return site.fail(`${a.label} is not an ISO 8601 date`, v)
      return toFileTime(parsed).toString()
    }
  }),
  define('PCase', 'source, wordSeparators?', pCase),
  define(
    'RandomString',
    'length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid?',
    randomString,
    { pure: false }
  ),
  define('Redact', 'value', (args) => req(args, 0).fn),
  define('RemoveDuplicates', 'attribute', removeDuplicates),
  define(
    'Replace',
    'source, oldValue?, regexPattern?, regexGroupName?, replacementValue?, replacementAttributeName?, template?',
    replace
  ),
  define('SelectUniqueValue', 'rule1, rule2, ...rules', selectUniqueValue, { pure: false }),
  define('Split', 'source, delimiter', split),
  define(
    'StripSpaces',
    'source',
    unary((s) => s.replaceAll(' ', ''))
  ),
  define('Switch', 'source, defaultValue?, key, value, ...pairs', switchBinder, {
    min: 4,
    restRequired: true
  }),
  define('ToLower', 'source, culture?', caseBinder(false)),
  define('ToUpper', 'source, culture?', caseBinder(true)),
  define(
    'Trim',
    'source',
    unary((s) => s.trim()),
    { extension: TRIM_WARNING }
  ),
  define('Word', 'string, wordNumber, delimiters', word),
  notApplicable('AppRoleAssignmentsComplex'),
  notApplicable('AssertiveAppRoleAssignmentsComplex'),
  notApplicable('SingleAppRoleAssignment')
]

/** Functions that exist in Entra but can never work for API-driven inbound provisioning. */
export const NOT_APPLICABLE = new Set([
  'AppRoleAssignmentsComplex',
  'AssertiveAppRoleAssignmentsComplex',
  'SingleAppRoleAssignment'
])

/** Entra Cloud Sync functions that app provisioning does not have. */
export const CLOUD_SYNC_ONLY: Readonly<Record<string, string>> = {
  convertfrombase64: 'ConvertFromBase64',
  dncomponent: 'DNComponent',
  error: 'Error',
  stringfromsid: 'StringFromSid',
  stringfromguid: 'StringFromGuid',
  certthumbprint: 'CertThumbprint'
}

export const FUNCTIONS_BY_LOWER_NAME: ReadonlyMap<string, FunctionDef> = new Map(
  FUNCTIONS.map((f) => [f.name.toLowerCase(), f])
)

export function describeArity(def: FunctionDef): string {
  if (def.max === Infinity) return `at least ${def.min} argument${def.min === 1 ? '' : 's'}`
  if (def.min === def.max) return `${def.min} argument${def.min === 1 ? '' : 's'}`
  return `${def.min} to ${def.max} arguments`
}
