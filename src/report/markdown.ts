/**
 * Escaping for job summaries: GitHub renders them as Markdown with HTML, and @actions/core escapes nothing.
 * Every piece of text that comes from data (file names, messages, values) goes through `cell` or `text`.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text safe in Markdown paragraphs and HTML: entities for HTML, backslashes for Markdown's inline syntax. */
export function text(value: string): string {
  // Markdown first, so the '#' of the entities added next is not escaped.
  return value.replace(/[\\`*_[\]~|#]/g, (c) => `\\${c}`).replace(/[&<>"']/g, (c) => HTML[c] as string)
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
