/** Opens a discovered HR file with the reader its extension names (CSV, JSON or JSONL). */
import path from 'node:path'
import { InputError } from '../common/diagnostics.ts'
import { openCsv } from './csv.ts'
import type { DiscoveredFile } from './discover.ts'
import { openJson, openJsonl } from './json.ts'
import type { SourceFile, SourceFormat } from './source-file.ts'
import type { DelimiterSetting } from '../settings/settings.ts'
import { shorten } from '../common/shorten.ts'

/** Extension (lower case, with the dot) → format. */
export const EXTENSIONS: Readonly<Record<string, SourceFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl'
}

/** The format a file is read as, from its extension (case-insensitive), or `undefined` if unsupported. */
export function formatOf(file: string): SourceFormat | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()]
}

/**
 * Opens an HR file with the reader its extension calls for: .csv .tsv .txt → CSV (delimiter as set, or detected),
 * .json → array of objects, .jsonl .ndjson → one object per line. The headers are known when this resolves; the
 * records are read when `chunks` is iterated. Throws an InputError for an unsupported extension or a file that
 * cannot be used at all.
 */
export async function openSource(
  file: DiscoveredFile,
  options: { delimiter: DelimiterSetting; chunkSize?: number }
): Promise<SourceFile> {
  const format = formatOf(file.relative)
  switch (format) {
    case 'csv':
      return openCsv(file.absolute, file.relative, options)
    case 'json':
      return openJson(file.absolute, file.relative, options)
    case 'jsonl':
      return openJsonl(file.absolute, file.relative, options)
    default:
      throw new InputError({
        severity: 'error',
        rule: 'source-unsupported-type',
        message:
          `Unsupported file type '${shorten(path.extname(file.relative)) || '(none)'}': HR files must end in ` +
          `${Object.keys(EXTENSIONS).join(', ')}. Narrow the 'files' patterns (e.g. '**/*.csv') or rename the file.`,
        file: file.relative
      })
  }
}
