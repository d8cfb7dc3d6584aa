/**
 * NormalizeDiacritics: Entra's fixed replacement table (functions reference, "NormalizeDiacritics"). Characters not in
 * the table pass through unchanged (Entra does not convert e.g. Vietnamese stacked vowels, đ, œ). Several entries are a
 * base letter plus combining marks; both the composed (NFC) and decomposed (NFD) spellings are matched, longest first,
 * without normalising the rest of the input.
 */

const TABLE: readonly (readonly [string, string])[] = [
  ['a', 'ä à â ã å á ą ă ā ā́ ā̀ ā̂ ā̃ ǟ ā̈ ǡ a̱ å̄'],
  ['A', 'Ä À Â Ã Å Á Ą Ă Ā Ā́ Ā̀ Ā̂ Ā̃ Ǟ Ā̈ Ǡ A̱ Å̄'],
  ['ae', 'æ ǣ'],
  ['AE', 'Æ Ǣ'],
  ['c', 'ç č ć c̄ c̱'],
  ['C', 'Ç Č Ć C̄ C̱'],
  ['d', 'ď d̄ ḏ'],
  ['D', 'Ď D̄ Ḏ'],
  ['e', 'ë è é ê ę ě ė ē ḗ ḕ ē̂ ē̃ ê̄ e̱ ë̄ e̊̄'],
  ['E', 'Ë È É Ê Ę Ě Ė Ē Ḗ Ḕ Ē̂ Ē̃ Ê̄ E̱ Ë̄ E̊̄'],
  ['g', 'ğ ḡ g̱'],
  ['G', 'Ğ Ḡ G̱'],
  ['i', 'ï î ì í ı ī ī́ ī̀ ī̂ ī̃ i̱'],
  ['I', 'Ï Î Ì Í İ Ī Ī́ Ī̀ Ī̂ Ī̃ I̱'],
  ['l', 'ľ ł l̄ ḹ ḻ'],
  ['L', 'Ł Ľ L̄ Ḹ Ḻ'],
  ['n', 'ñ ń ň n̄ ṉ'],
  ['N', 'Ñ Ń Ň N̄ Ṉ'],
  ['o', 'ö ò ő õ ô ó ō ṓ ṑ ō̂ ō̃ ȫ ō̈ ǭ ȭ ȱ o̱'],
  ['O', 'Ö Ò Ő Õ Ô Ó Ō Ṓ Ṑ Ō̂ Ō̃ Ȫ Ō̈ Ǭ Ȭ Ȱ O̱'],
  ['oe', 'ø ø̄ œ̄'],
  ['OE', 'Ø Ø̄ Œ̄'],
  ['r', 'ř r̄ ṟ ṝ'],
  ['R', 'Ř R̄ Ṟ Ṝ'],
  ['ss', 'ß'],
  ['s', 'š ś ș ş s̄ s̱'],
  ['S', 'Š Ś Ș Ş S̄ S̱'],
  ['t', 'ť ț t̄ ṯ'],
  ['T', 'Ť Ț T̄ Ṯ'],
  ['u', 'ü ù û ú ů ű ū ū́ ū̀ ū̂ ū̃ u̇̄ ǖ ṻ ṳ̄ u̱'],
  ['U', 'Ü Ù Û Ú Ů Ű Ū Ū́ Ū̀ Ū̂ Ū̃ U̇̄ Ǖ Ṻ Ṳ̄ U̱'],
  ['y', 'ÿ ý ȳ ȳ́ ȳ̀ ȳ̃ y̱'],
  ['Y', 'Ÿ Ý Ȳ Ȳ́ Ȳ̀ Ȳ̃ Y̱'],
  ['z', 'ź ž ż z̄ ẕ'],
  ['Z', 'Ź Ž Ż Z̄ Ẕ']
]

/** Replacement of every spelling, and the spellings by their first UTF-16 unit, longest first. */
function build(): { replacements: Map<string, string>; byFirst: Map<string, string[]> } {
  const replacements = new Map<string, string>()
  for (const [to, fromList] of TABLE) {
    for (const from of fromList.split(' ')) {
      if (from === '') continue
      for (const form of [from, from.normalize('NFC'), from.normalize('NFD')]) {
        if (!replacements.has(form)) replacements.set(form, to)
      }
    }
  }
  const byFirst = new Map<string, string[]>()
  for (const key of replacements.keys()) {
    const first = key[0] as string
    const list = byFirst.get(first) ?? []
    list.push(key)
    byFirst.set(first, list)
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length)
  return { replacements, byFirst }
}

const { replacements, byFirst } = build()

/** Fast path: replacement by code unit, for characters that start no longer spelling. */
const SINGLE: (string | undefined)[] = []
for (const [first, keys] of byFirst) {
  if (keys.length === 1 && keys[0] === first) SINGLE[first.charCodeAt(0)] = replacements.get(first)
}

/** Combining diacritical marks: a decomposed spelling starts at the base letter before the mark. */
function isCombining(code: number): boolean {
  return code >= 0x300 && code <= 0x36f
}

export function normalizeDiacritics(text: string): string {
  let out = ''
  let last = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    const single = SINGLE[code]
    if (single !== undefined) {
      out += text.slice(last, i) + single
      last = i + 1
      continue
    }
    // A base letter followed by combining marks (decomposed form) starts one unit earlier.
    const start = isCombining(code) && i > last ? i - 1 : i
    const candidates = byFirst.get(text[start] as string)
    if (candidates === undefined) continue
    for (const key of candidates) {
      if (text.startsWith(key, start)) {
        out += text.slice(last, start) + (replacements.get(key) as string)
        last = start + key.length
        i = last - 1
        break
      }
    }
  }
  return last === 0 ? text : out + text.slice(last)
}

/** For the documentation and tests: every source spelling (as written in the table) and its replacement. */
export const DIACRITICS_TABLE = TABLE
