/**
 * Escaping for job summaries: GitHub renders them as Markdown with HTML, and @actions/core escapes nothing.
 * Every piece of text that comes from data (file names, messages, values) goes through `cell` or `text`.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * An invisible WORD JOINER (U+2060): put after `@`, inside `://`, after `www` and after `#` before a number, it
 * stops GitHub from turning data into a mention (`@octocat`, `@org/team` notify people), an e-mail or web link
 * (`https://evil.example`, `www.…`) or an issue reference, while the text still reads the same.
 */
const JOINER = '\u2060'

/**
 * Text safe in Markdown paragraphs and HTML: entities for HTML, backslashes for Markdown's inline syntax, and
 * mentions, bare links and issue references neutralised (job summaries and pull-request comments render the same).
 */
export function text(value: string): string {
  // Markdown first, so the '#' of the entities added next is not escaped.
  // Issue references before the entities, whose '&#39;' must stay whole.
  return value
    .replace(/[\\`*_[\]~|#]/g, (c) => `\\${c}`)
    .replace(/#(?=\d)/g, `#${JOINER}`)
    .replace(/[&<>"']/g, (c) => HTML[c] as string)
    .replace(/@/g, `@${JOINER}`)
    .replace(/:\/\//g, `:${JOINER}//`)
    .replace(/\b(www)\./gi, `$1${JOINER}.`)
}

/** Text safe in one cell of a Markdown table: as `text`, and on one line. */
export function cell(value: string): string {
  return text(value.replace(/\r\n|\r|\n/g, ' '))
}

/** A Markdown link; the label is escaped, and characters that would end the URL early are percent-encoded. */
export function link(label: string, url: string): string {
  return `[${text(label)}](${url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`
}

/** `https://github.com/{repo}/blob/{sha}/{path}#L{line}` with each path segment encoded. */
export function blobUrl(
  repository: { serverUrl: string; repo: string; sha: string },
  file: string,
  line?: number
): string {
  const path = file.split('/').map(encodeURIComponent).join('/')
  return `${repository.serverUrl}/${repository.repo}/blob/${repository.sha}/${path}${line ? `#L${line}` : ''}`
}

/** A table with a header row; `align` marks right-aligned (numeric) columns. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = []
): string {
  const separator = header.map((_, i) => (right.includes(i) ? '---:' : '---'))
  return [header, separator, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n')
}

export function count(value: number): string {
  return value.toLocaleString('en-US')
}

/** "1 record" / "2 records". */
export function plural(value: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count(value)} ${value === 1 ? singular : pluralForm}`
}

/** One table of a summary section: its rows are added while the byte budget lasts. */
export interface TableSection {
  title: string
  /** In a closed `<details>` block (warnings, notices) rather than under a heading. */
  collapsed: boolean
  header: readonly string[]
  /** The rows, already rendered to escaped cells; rendered lazily, since only what fits is kept. */
  rows: readonly (() => readonly string[])[]
}

/**
 * Renders sections of tables within `budget` bytes: each table keeps its first rows that fit, a section with no room
 * for a row is left out, and `omitted` says how many rows were dropped (the caller says where they all are).
 */
export function budgetedSections(
  sections: readonly TableSection[],
  budget: number,
  heading = '###'
): { markdown: string; omitted: number } {
  let markdown = ''
  let used = 0
  let omitted = 0
  for (const section of sections) {
    if (section.rows.length === 0) continue
    const title = `${section.title} (${count(section.rows.length)})`
    const open = section.collapsed
      ? `\n<details><summary>${title}</summary>\n\n`
      : `\n${heading} ${title}\n\n`
    const close = section.collapsed ? '\n\n</details>\n' : '\n'
    let body = open + table(section.header, [])
    let bytes = Buffer.byteLength(body) + Buffer.byteLength(close)
    let shown = 0
    for (const render of section.rows) {
      const row = `\n| ${render().join(' | ')} |`
      const size = Buffer.byteLength(row)
      if (used + bytes + size > budget) break
      body += row
      bytes += size
      shown++
    }
    omitted += section.rows.length - shown
    if (shown > 0) {
      markdown += body + close
      used += bytes
    }
  }
  return { markdown, omitted }
}
