/**
 * Checks, before any row is read, that every column a mapping expression references exists in a file's header.
 * Reported at the reference in the mapping file, naming the HR file, with a hint when a header is close.
 */
import type { Diagnostic } from '../common/diagnostics.ts'
import type { SourceFile } from '../sources/source-file.ts'
import type { Mapping } from './load.ts'
import { closest } from '../common/did-you-mean.ts'
import { shorten, shortenList } from '../common/shorten.ts'

export function checkColumns(mapping: Mapping, source: SourceFile): Diagnostic[] {
  // Attribute names resolve case-insensitively, as in Entra (and as createRecordMapper binds them).
  const headers = new Set(source.headers.map((header) => header.toLowerCase()))
  const problems: Diagnostic[] = []
  for (const attribute of mapping.attributes) {
    for (const column of attribute.expression.attributes) {
      if (headers.has(column.toLowerCase())) continue
      const offset = attribute.expression.source.indexOf(`[${column}]`)
      const hint = closest(column, source.headers)
      problems.push({
        severity: 'error',
        rule: 'mapping-unknown-column',
        file: mapping.file,
        ...attribute.positionOf(Math.max(0, offset)),
        message:
          `'${shorten(attribute.path)}': column [${shorten(column)}] is not in the header of ${shorten(source.file)}` +
          (hint ? ` (did you mean [${shorten(hint)}]?)` : ` (its columns: ${shortenList(source.headers)})`)
      })
    }
  }
  return problems
}
