/**
 * Dates: the internal date value, Entra's rendering (`M/d/yyyy h:mm:ss tt`, UTC), CDate's lenient parser, .NET custom
 * (and the common standard) date and time format strings for parsing (ParseExact) and formatting, DateTimeStyles,
 * and DateAdd/DateDiff with VB semantics. The provisioning service runs on UTC, so "local" time is UTC here.
 */
import { shorten } from '../../common/shorten.ts'

export type DateKind = 'utc' | 'local' | 'unspecified'

/** A date inside an evaluation. Renders as Entra does when a string is needed. */
export class DateTimeValue {
  /** Wall-clock time in milliseconds since 1970-01-01, read with the UTC getters of Date. */
  readonly ms: number
  /** Extra 100-ns ticks below the millisecond (0–9999), kept for f…fffffff and FILETIME. */
  readonly subTicks: number
  readonly kind: DateKind

  constructor(ms: number, kind: DateKind, subTicks = 0) {
    this.ms = ms
    this.kind = kind
    this.subTicks = subTicks
  }

  toString(): string {
    return renderEntraDate(this)
  }
}

const MIN_MS = -62135596800000 // 0001-01-01T00:00:00Z
const MAX_MS = 253402300799999 // 9999-12-31T23:59:59.999Z
export const DAY_MS = 86400000

export function isValidMs(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS
}

/** Date.UTC without the 0–99 → 1900–1999 year mapping. */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0
): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms)
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, ms)
  return date.getTime()
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return MONTH_DAYS[month - 1] ?? 31
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** Entra's date rendering: `M/d/yyyy h:mm:ss tt`, invariant AM/PM. */
export function renderEntraDate(value: DateTimeValue): string {
  const d = new Date(value.ms)
  const hour = d.getUTCHours()
  return (
    `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${pad(d.getUTCFullYear(), 4)} ` +
    `${hour % 12 || 12}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)} ${hour < 12 ? 'AM' : 'PM'}`
  )
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n))
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s)
}

// ---------------------------------------------------------------------------------------------------------------
// CDate: lenient parsing (ISO 8601 with or without time and offset, invariant M/d/yyyy with optional time and AM/PM,
// yyyy/M/d, and English month names). Input without an offset is taken as UTC. The result is always UTC.

const ZONE = String.raw`(Z|[+-]\d{1,2}(?::?\d{2})?)`
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?`
const ISO = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]${TIME})?\s*${ZONE}?$`, 'i')
const SLASHED = new RegExp(
  String.raw`^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})(?:[T ]\s*${TIME}\s*(AM|PM|A|P)?)?\s*${ZONE}?$`,
  'i'
)
const NAMED = new RegExp(
  String.raw`^(?:(?:${DAYS.join('|')}|${DAYS.map((d) => d.slice(0, 3)).join('|')}),?\s+)?` +
    String.raw`(?:(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})|([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4}))` +
    String.raw`(?:\s+${TIME}\s*(AM|PM|A|P)?)?\s*${ZONE}?$`,
  'i'
)

function monthFromName(name: string): number | undefined {
  const lower = name.toLowerCase()
  if (lower.length < 3) return undefined
  const index = MONTHS.findIndex((m) => m.toLowerCase() === lower || m.slice(0, 3).toLowerCase() === lower)
  return index < 0 ? undefined : index + 1
}

/** Offset in minutes east of UTC, from `Z`, `±h`, `±hh`, `±hh:mm` or `±hhmm`. */
function zoneMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone)
  if (!m) return undefined
  const hours = Number(m[2])
  const minutes = Number(m[3] ?? 0)
  if (hours > 14 || minutes > 59) return undefined
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

interface Fields {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  fraction: string
  designator: string | undefined
  zone: string | undefined
}

function build(f: Fields): DateTimeValue | undefined {
  let hour = f.hour
  if (f.designator !== undefined) {
    if (hour < 1 || hour > 12) return undefined
    const pm = f.designator.toUpperCase().startsWith('P')
    hour = (hour % 12) + (pm ? 12 : 0)
  }
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.year < 1 || f.year > 9999) return undefined
  if (f.day > daysInMonth(f.year, f.month)) return undefined
  if (hour > 23 || f.minute > 59 || f.second > 59) return undefined
  const fraction = (f.fraction + '0000000').slice(0, 7)
  const ticks = Number(fraction)
  let ms = utcMs(f.year, f.month, f.day, hour, f.minute, f.second, Math.floor(ticks / 10000))
  if (f.zone !== undefined) {
    const offset = zoneMinutes(f.zone)
    if (offset === undefined) return undefined
    ms -= offset * 60000
  }
  if (!isValidMs(ms)) return undefined
  return new DateTimeValue(ms, 'utc', ticks % 10000)
}

/** CDate's parser. Returns undefined when the text is not a date. */
export function parseLenientDate(text: string): DateTimeValue | undefined {
  const s = text.trim()
  let m = ISO.exec(s)
  if (m) {
    return build({
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      fraction: m[7] ?? '',
      designator: undefined,
      zone: m[8]
    })
  }
  m = SLASHED.exec(s)
  if (m) {
    const [a, b, c] = [m[1] as string, Number(m[2]), m[3] as string]
    // yyyy/M/d when the first part has 4 digits, else invariant M/d/yyyy.
    const yearFirst = a.length >= 3
    if (yearFirst ? c.length > 2 : c.length !== 4 && c.length !== 2) return undefined
    const year = yearFirst ? Number(a) : twoDigitYear(c)
    return build({
      year,
      month: yearFirst ? b : Number(a),
      day: yearFirst ? Number(c) : b,
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      fraction: m[7] ?? '',
      designator: m[8],
      zone: m[9]
    })
  }
  m = NAMED.exec(s)
  if (m) {
    const month = monthFromName((m[2] ?? m[4]) as string)
    if (month === undefined) return undefined
    return build({
      year: Number(m[3] ?? m[6]),
      month,
      day: Number(m[1] ?? m[5]),
      hour: Number(m[7] ?? 0),
      minute: Number(m[8] ?? 0),
      second: Number(m[9] ?? 0),
      fraction: m[10] ?? '',
      designator: m[11],
      zone: m[12]
    })
  }
  return undefined
}

function twoDigitYear(text: string): number {
  const n = Number(text)
  if (text.length > 2) return n
  // .NET Calendar.TwoDigitYearMax = 2049.
  return n <= 49 ? 2000 + n : 1900 + n
}

// ---------------------------------------------------------------------------------------------------------------
// .NET custom date and time format strings.

export type FormatToken =
  | { type: 'literal'; text: string }
  | { type: 'field'; ch: string; len: number }
  /** Unquoted `Z`: literal on output, UTC designator (`Z` or `GMT`) on input. */
  | { type: 'utc' }

export interface CompiledFormat {
  readonly source: string
  readonly tokens: readonly FormatToken[]
}

const FIELD_CHARS = new Set(['d', 'f', 'F', 'g', 'h', 'H', 'K', 'm', 'M', 's', 't', 'y', 'z'])

/** Invariant-culture patterns of the standard (one-letter) formats. */
const STANDARD: Readonly<Record<string, string>> = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM'
}

/** Compiles a format string; throws a FormatError (message safe to show) when it is invalid. */
export function compileFormat(format: string): CompiledFormat {
  if (format.length === 0) throw new FormatError('the format string is empty')
  let pattern = format
  if (format.length === 1) {
    const standard = STANDARD[format]
    if (standard === undefined)
      throw new FormatError(`"${shorten(format)}" is not a standard date and time format`)
    pattern = standard
  }
  const tokens: FormatToken[] = []
  const literal = (text: string): void => {
    const last = tokens[tokens.length - 1]
    if (last?.type === 'literal') tokens[tokens.length - 1] = { type: 'literal', text: last.text + text }
    else tokens.push({ type: 'literal', text })
  }
  let i = 0
  while (i < pattern.length) {
    const ch = pattern[i] as string
    if (FIELD_CHARS.has(ch)) {
      let len = 1
      while (pattern[i + len] === ch) len++
      if ((ch === 'f' || ch === 'F') && len > 7)
        throw new FormatError(`"${ch.repeat(len)}" has more than 7 digits`)
      tokens.push({ type: 'field', ch, len })
      i += len
    } else if (ch === "'" || ch === '"') {
      let j = i + 1
      let text = ''
      while (j < pattern.length && pattern[j] !== ch) {
        if (pattern[j] === '\\' && j + 1 < pattern.length) j++
        text += pattern[j]
        j++
      }
      if (j >= pattern.length) throw new FormatError(`unterminated quoted text starting at position ${i + 1}`)
      literal(text)
      i = j + 1
    } else if (ch === '%') {
      const next = pattern[i + 1]
      if (next === undefined || next === '%')
        throw new FormatError('"%" must be followed by a format specifier')
      if (FIELD_CHARS.has(next)) tokens.push({ type: 'field', ch: next, len: 1 })
      else literal(next)
      i += 2
    } else if (ch === '\\') {
      const next = pattern[i + 1]
      if (next === undefined) throw new FormatError('the format string ends with "\\"')
      literal(next)
      i += 2
    } else if (ch === 'Z') {
      tokens.push({ type: 'utc' })
      i++
    } else {
      literal(ch)
      i++
    }
  }
  return { source: format, tokens }
}

export class FormatError extends Error {}

/** Calendar fields of a wall-clock time (proleptic Gregorian, UTC getters' semantics) without a Date object. */
function civil(ms: number): {
  year: number
  month: number
  day: number
  weekday: number
  hour: number
  minute: number
  second: number
  millisecond: number
} {
  const days = Math.floor(ms / DAY_MS)
  let rest = ms - days * DAY_MS
  const hour = Math.floor(rest / 3600000)
  rest -= hour * 3600000
  const minute = Math.floor(rest / 60000)
  rest -= minute * 60000
  const second = Math.floor(rest / 1000)
  // H. Hinnant's civil_from_days.
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return {
    year,
    month,
    day,
    weekday: (((days + 4) % 7) + 7) % 7,
    hour,
    minute,
    second,
    millisecond: rest - second * 1000
  }
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n)
}

export function formatDate(value: DateTimeValue, format: CompiledFormat): string {
  const c = civil(value.ms)
  const year = c.year
  const hour = c.hour
  const tokens = format.tokens
  let out = ''
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as FormatToken
    if (token.type === 'literal') {
      out += token.text
      continue
    }
    if (token.type === 'utc') {
      out += 'Z'
      continue
    }
    const { ch, len } = token
    switch (ch) {
      case 'd':
        if (len <= 2) out += len === 1 ? String(c.day) : pad2(c.day)
        else out += len === 3 ? (DAYS[c.weekday] as string).slice(0, 3) : DAYS[c.weekday]
        break
      case 'M':
        if (len <= 2) out += len === 1 ? String(c.month) : pad2(c.month)
        else out += len === 3 ? (MONTHS[c.month - 1] as string).slice(0, 3) : MONTHS[c.month - 1]
        break
      case 'y':
        out += len === 1 ? String(year % 100) : len === 2 ? pad(year % 100, 2) : pad(year, len)
        break
      case 'h':
        out += len === 1 ? String(hour % 12 || 12) : pad2(hour % 12 || 12)
        break
      case 'H':
        out += len === 1 ? String(hour) : pad2(hour)
        break
      case 'm':
        out += len === 1 ? String(c.minute) : pad2(c.minute)
        break
      case 's':
        out += len === 1 ? String(c.second) : pad2(c.second)
        break
      case 'f':
        out += pad(c.millisecond * 10000 + value.subTicks, 7).slice(0, len)
        break
      case 'F': {
        const digits = pad(c.millisecond * 10000 + value.subTicks, 7)
          .slice(0, len)
          .replace(/0+$/, '')
        if (digits === '' && out.endsWith('.')) out = out.slice(0, -1)
        out += digits
        break
      }
      case 't':
        out += hour < 12 ? (len === 1 ? 'A' : 'AM') : len === 1 ? 'P' : 'PM'
        break
      case 'z':
        // UTC and "local" (the service's UTC clock) both have offset zero.
        out += len === 1 ? '+0' : len === 2 ? '+00' : '+00:00'
        break
      case 'K':
        out += value.kind === 'utc' ? 'Z' : value.kind === 'local' ? '+00:00' : ''
        break
      case 'g':
        out += 'A.D.'
        break
    }
  }
  return out
}

// DateTimeStyles flags.
export const STYLE = {
  None: 0,
  AllowLeadingWhite: 1,
  AllowTrailingWhite: 2,
  AllowInnerWhite: 4,
  AllowWhiteSpaces: 7,
  NoCurrentDateDefault: 8,
  AdjustToUniversal: 16,
  AssumeLocal: 32,
  AssumeUniversal: 64,
  RoundtripKind: 128
} as const
export const DEFAULT_STYLES = STYLE.RoundtripKind | STYLE.AllowLeadingWhite | STYLE.AllowTrailingWhite

/** Parses the dateTimeStyles argument: empty → default, a decimal number, or flag names separated by commas or |. */
export function parseStyles(text: string): number | undefined {
  const s = text.trim()
  if (s === '') return DEFAULT_STYLES
  if (/^\d+$/.test(s)) {
    const n = Number(s)
    return n <= 255 ? n : undefined
  }
  let flags = 0
  for (const part of s.split(/[,|]/)) {
    const name = part.trim().toLowerCase()
    const entry = Object.entries(STYLE).find(([key]) => key.toLowerCase() === name)
    if (!entry) return undefined
    flags |= entry[1]
  }
  return flags
}

/**
 * A compiled DateTime.ParseExact for one format and style set: the format becomes one anchored regular expression
 * with a capture group per field, so a row costs one regex match and a little arithmetic.
 */
export interface DateParser {
  parse(text: string, now: () => Date): DateTimeValue | undefined
  /** The text has the form of the format (so a failed parse means no such date or time, e.g. 31.02.2020). */
  hasForm(text: string): boolean
}

type FieldKind =
  | 'day'
  | 'weekday'
  | 'weekdayLong'
  | 'month'
  | 'monthShort'
  | 'monthLong'
  | 'year2'
  | 'year'
  | 'hour12'
  | 'hour24'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'designator'
  | 'zone'
  | 'kzone'

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const names = (list: readonly string[], short: boolean): string =>
  `(?i:(${list.map((n) => (short ? n.slice(0, 3) : n)).join('|')}))`

export function compileParser(format: CompiledFormat, styles: number): DateParser {
  const pattern = formatPattern(format, styles)
  return {
    hasForm: (text) => pattern.regex.test(text),
    parse(text: string, now: () => Date): DateTimeValue | undefined {
      const m = pattern.regex.exec(text)
      if (m === null) return undefined
      const parts = readParts(m, pattern)
      if (parts === undefined) return undefined
      fillMissingDate(parts, styles, now)
      return toDateTime(parts, styles)
    }
  }
}

/** A format as one anchored regular expression. */
interface FormatPattern {
  readonly regex: RegExp
  /** The field each capture group holds: `fields[i]` is group i + 1. */
  readonly fields: readonly FieldKind[]
  /** The format has an unquoted `Z` (UTC designator): the time is UTC whatever zone the text gives. */
  readonly utcDesignator: boolean
  /** The format has h or hh: the hour is on the 12-hour clock. */
  readonly hour12: boolean
}

function formatPattern(format: CompiledFormat, styles: number): FormatPattern {
  const inner = (styles & STYLE.AllowInnerWhite) !== 0
  let source = '^' + (styles & STYLE.AllowLeadingWhite ? '\\s*' : '')
  const fields: FieldKind[] = []
  let utcDesignator = false
  const tokens = format.tokens
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as FormatToken
    if (inner) source += '\\s*'
    if (token.type === 'literal') {
      const next = tokens[t + 1]
      // .NET: a "." before F specifiers may be missing from the input together with the fraction.
      const optionalDot = token.text.endsWith('.') && next?.type === 'field' && next.ch === 'F'
      const text = optionalDot ? token.text.slice(0, -1) : token.text
      for (const ch of text) source += inner && /\s/.test(ch) ? '\\s*' : escapeRegex(ch)
      if (optionalDot && next?.type === 'field') {
        fields.push('fraction')
        source += `(?:\\.(\\d{0,${next.len}}))?`
        t++
      }
    } else if (token.type === 'utc') {
      source += '(?:Z|z|GMT)'
      utcDesignator = true
    } else {
      const { kind, pattern } = fieldPattern(token.ch, token.len)
      if (kind !== undefined) fields.push(kind)
      source += pattern
    }
  }
  source += (styles & STYLE.AllowTrailingWhite ? '\\s*' : '') + '$'
  return { regex: new RegExp(source), fields, utcDesignator, hour12: fields.includes('hour12') }
}

/**
 * The regular expression of one field specifier (`ch` written `len` times) with one capture group, and the kind of
 * field it captures; the era (`g`) captures nothing.
 */
function fieldPattern(ch: string, len: number): { kind?: FieldKind; pattern: string } {
  const digits = len === 1 ? '(\\d{1,2})' : '(\\d{2})'
  switch (ch) {
    case 'd':
      if (len <= 2) return { kind: 'day', pattern: digits }
      return { kind: len === 3 ? 'weekday' : 'weekdayLong', pattern: names(DAYS, len === 3) }
    case 'M':
      if (len <= 2) return { kind: 'month', pattern: digits }
      return { kind: len === 3 ? 'monthShort' : 'monthLong', pattern: names(MONTHS, len === 3) }
    case 'y':
      return len <= 2 ? { kind: 'year2', pattern: digits } : { kind: 'year', pattern: `(\\d{${len}})` }
    case 'h':
      return { kind: 'hour12', pattern: digits }
    case 'H':
      return { kind: 'hour24', pattern: digits }
    case 'm':
      return { kind: 'minute', pattern: digits }
    case 's':
      return { kind: 'second', pattern: digits }
    case 'f':
      return { kind: 'fraction', pattern: `(\\d{${len}})` }
    case 'F':
      return { kind: 'fraction', pattern: `(\\d{0,${len}})` }
    case 't':
      return { kind: 'designator', pattern: len === 1 ? '([AaPp])' : '([AaPp][Mm])' }
    case 'z':
      return {
        kind: 'zone',
        pattern:
          len === 1
            ? '([+-]\\d{1,2}(?::\\d{2})?)'
            : len === 2
              ? '([+-]\\d{2}(?::\\d{2})?)'
              : '([+-]\\d{2}:?\\d{2})'
      }
    case 'K':
      return { kind: 'kzone', pattern: '(Z|z|[+-]\\d{2}:?\\d{2})?' }
    case 'g':
      return { pattern: '(?:A\\.D\\.|AD)' }
    default:
      return { pattern: '' }
  }
}

/** The date and time a matched text gives; -1 for a year, month, day or weekday it does not give. */
interface DateParts {
  year: number
  month: number
  day: number
  /** On the 24-hour clock. */
  hour: number
  minute: number
  second: number
  /** 100-nanosecond ticks within the second. */
  ticks: number
  /** 0 for Sunday. */
  weekday: number
  /** Minutes east of UTC, when the text (or the format's UTC designator) gives a zone. */
  offset: number | undefined
  /** The text says UTC (`Z`, or the format's UTC designator): RoundtripKind keeps the result UTC. */
  utc: boolean
}

/** Reads the capture groups; undefined when a zone or a 12-hour clock hour is out of range. */
function readParts(m: RegExpExecArray, pattern: FormatPattern): DateParts | undefined {
  const parts: DateParts = {
    year: -1,
    month: -1,
    day: -1,
    hour: 0,
    minute: 0,
    second: 0,
    ticks: 0,
    weekday: -1,
    offset: undefined,
    utc: pattern.utcDesignator
  }
  let pm: boolean | undefined
  const fields = pattern.fields
  for (let i = 0; i < fields.length; i++) {
    const g = m[i + 1]
    if (g === undefined) continue
    switch (fields[i]) {
      case 'day':
        parts.day = Number(g)
        break
      case 'weekday':
      case 'weekdayLong':
        parts.weekday = DAYS.findIndex((d) => d.toLowerCase().startsWith(g.toLowerCase()))
        break
      case 'month':
        parts.month = Number(g)
        break
      case 'monthShort':
      case 'monthLong':
        parts.month = MONTHS.findIndex((n) => n.toLowerCase().startsWith(g.toLowerCase())) + 1
        break
      case 'year2':
        parts.year = twoDigitYear(g)
        break
      case 'year':
        parts.year = Number(g)
        break
      case 'hour12':
      case 'hour24':
        parts.hour = Number(g)
        break
      case 'minute':
        parts.minute = Number(g)
        break
      case 'second':
        parts.second = Number(g)
        break
      case 'fraction':
        parts.ticks = g === '' ? 0 : Number((g + '000000').slice(0, 7))
        break
      case 'designator':
        pm = g[0] === 'P' || g[0] === 'p'
        break
      case 'zone':
      case 'kzone':
        if (g === 'Z' || g === 'z') {
          parts.offset = 0
          parts.utc = true
        } else {
          parts.offset = zoneMinutes(g)
          if (parts.offset === undefined) return undefined
        }
        break
    }
  }
  if (pattern.utcDesignator) parts.offset = 0
  if (pattern.hour12) {
    if (parts.hour < 1 || parts.hour > 12) return undefined
    // With H/HH the hour is already on the 24-hour clock and the designator is ignored.
    if (pm !== undefined) parts.hour = (parts.hour % 12) + (pm ? 12 : 0)
  }
  return parts
}

/**
 * .NET's defaults for a date the text does not give: a time alone is today (or 1/1/0001 with NoCurrentDateDefault),
 * a year alone is its 1 January, and otherwise the current year, month 1 and day 1 fill the gaps.
 */
function fillMissingDate(parts: DateParts, styles: number, now: () => Date): void {
  if (parts.year !== -1 && parts.month !== -1 && parts.day !== -1) return
  const today = now()
  if (parts.month === -1 && parts.day === -1) {
    if (parts.year === -1) {
      if (styles & STYLE.NoCurrentDateDefault) {
        parts.year = 1
        parts.month = 1
        parts.day = 1
      } else {
        parts.year = today.getUTCFullYear()
        parts.month = today.getUTCMonth() + 1
        parts.day = today.getUTCDate()
      }
    } else {
      parts.month = 1
      parts.day = 1
    }
  } else {
    if (parts.year === -1) parts.year = today.getUTCFullYear()
    if (parts.month === -1) parts.month = 1
    if (parts.day === -1) parts.day = 1
  }
}

/** The DateTime the parts make, with its kind from the zone and the styles; undefined when there is no such date. */
function toDateTime(parts: DateParts, styles: number): DateTimeValue | undefined {
  const { year, month, day, hour, minute, second, ticks, weekday, offset } = parts
  if (month < 1 || month > 12 || day < 1 || year < 1 || year > 9999) return undefined
  if (day > 28 && day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let ms = utcMs(year, month, day, hour, minute, second, Math.floor(ticks / 10000))
  if (weekday !== -1 && new Date(ms).getUTCDay() !== weekday) return undefined
  let kind: DateKind = 'unspecified'
  if (offset !== undefined) {
    ms -= offset * 60000
    if (styles & STYLE.AdjustToUniversal) kind = 'utc'
    else if (parts.utc && styles & STYLE.RoundtripKind) kind = 'utc'
    else kind = 'local'
  } else if (styles & (STYLE.AssumeUniversal | STYLE.AssumeLocal)) {
    kind = styles & STYLE.AdjustToUniversal ? 'utc' : 'local'
  }
  if (!isValidMs(ms)) return undefined
  return new DateTimeValue(ms, kind, ticks % 10000)
}

/** DateTime.ParseExact with the invariant culture. Returns undefined when the text does not match. */
export function parseExact(
  text: string,
  format: CompiledFormat,
  styles: number,
  now: () => Date
): DateTimeValue | undefined {
  return compileParser(format, styles).parse(text, now)
}

// ---------------------------------------------------------------------------------------------------------------
// DateAdd / DateDiff (VB DateAndTime semantics).

export const INTERVALS = ['yyyy', 'q', 'm', 'y', 'd', 'w', 'ww', 'h', 'n', 's'] as const
export type Interval = (typeof INTERVALS)[number]

export function parseInterval(text: string): Interval | undefined {
  const lower = text.trim().toLowerCase()
  return (INTERVALS as readonly string[]).includes(lower) ? (lower as Interval) : undefined
}

/** Returns undefined when the result is out of the .NET DateTime range. */
export function dateAdd(interval: Interval, amount: number, date: DateTimeValue): DateTimeValue | undefined {
  let ms: number
  const addMonths = (months: number): number => {
    const d = new Date(date.ms)
    const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months
    const year = Math.floor(total / 12)
    const month = (total % 12) + 1
    const day = Math.min(d.getUTCDate(), daysInMonth(year, month))
    return utcMs(
      year,
      month,
      day,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds()
    )
  }
  switch (interval) {
    case 'yyyy':
      ms = addMonths(amount * 12)
      break
    case 'q':
      ms = addMonths(amount * 3)
      break
    case 'm':
      ms = addMonths(amount)
      break
    case 'y':
    case 'd':
    case 'w':
      ms = date.ms + amount * DAY_MS
      break
    case 'ww':
      ms = date.ms + amount * 7 * DAY_MS
      break
    case 'h':
      ms = date.ms + amount * 3600000
      break
    case 'n':
      ms = date.ms + amount * 60000
      break
    case 's':
      ms = date.ms + amount * 1000
      break
  }
  return isValidMs(ms) ? new DateTimeValue(ms, date.kind, date.subTicks) : undefined
}

export function dateDiff(interval: Interval, date1: DateTimeValue, date2: DateTimeValue): number {
  const a = new Date(date1.ms)
  const b = new Date(date2.ms)
  const elapsed = date2.ms - date1.ms
  switch (interval) {
    case 'yyyy':
      return b.getUTCFullYear() - a.getUTCFullYear()
    case 'q':
      return (
        (b.getUTCFullYear() - a.getUTCFullYear()) * 4 +
        Math.floor(b.getUTCMonth() / 3) -
        Math.floor(a.getUTCMonth() / 3)
      )
    case 'm':
      return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth()
    case 'y':
    case 'd':
      return Math.trunc(elapsed / DAY_MS)
    case 'w':
      return Math.trunc(elapsed / DAY_MS / 7)
    case 'ww': {
      // Calendar weeks: move each date back to its Sunday, then count whole weeks.
      const sunday = (d: Date): number =>
        utcMs(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate() - d.getUTCDay())
      return Math.round((sunday(b) - sunday(a)) / DAY_MS / 7)
    }
    case 'h':
      return Math.trunc(elapsed / 3600000)
    case 'n':
      return Math.trunc(elapsed / 60000)
    case 's':
      return Math.trunc(elapsed / 1000)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Active Directory FILETIME: 100-ns ticks since 1601-01-01T00:00:00Z.

const EPOCH_DIFF_MS = 11644473600000n

export function fromFileTime(ticks: bigint): DateTimeValue | undefined {
  const ms = ticks / 10000n - EPOCH_DIFF_MS
  const sub = ticks % 10000n
  const value = Number(ms)
  if (ticks < 0n || !isValidMs(value)) return undefined
  return new DateTimeValue(value, 'utc', Number(sub))
}

export function toFileTime(date: DateTimeValue): bigint {
  return (BigInt(date.ms) + EPOCH_DIFF_MS) * 10000n + BigInt(date.subTicks)
}
