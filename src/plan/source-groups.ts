/**
 * The planner's input: each source's HR files (headers read, records not yet) with its mapping. A file may belong to
 * one source only, and a mapping file must stay inside the workspace (a pull request can add a symbolic link).
 */
import { readFile } from 'node:fs/promises'
import { InputError } from '../common/diagnostics.ts'
import { confinePath } from '../common/confine.ts'
import { plural } from '../common/markdown.ts'
import { DEFAULT_MAPPING, DEFAULT_MAPPING_NAME } from '../mapping/default-mapping.ts'
import { loadMapping, type Mapping } from '../mapping/load.ts'
import type { Settings } from '../settings/settings.ts'
import { discoverFiles } from '../sources/discover.ts'
import { openSource } from '../sources/open-source.ts'
import type { SourceFile } from '../sources/source-file.ts'
import type { SourceGroup } from './plan.ts'

export async function openSourceGroups(
  settings: Pick<Settings, 'sources' | 'workspace' | 'delimiter'>,
  info: (message: string) => void
): Promise<SourceGroup[]> {
  const groups: SourceGroup[] = []
  const owner = new Map<string, number>()
  for (const [index, setting] of settings.sources.entries()) {
    const files = await discoverFiles(setting.files, settings.workspace)
    const sources: SourceFile[] = []
    for (const file of files) {
      const other = owner.get(file.relative)
      if (other !== undefined) {
        throw new InputError({
          severity: 'error',
          rule: 'input',
          file: file.relative,
          message: `Input 'sources': this file is matched by sources ${other + 1} and ${index + 1}; give each file to one source.`
        })
      }
      owner.set(file.relative, index)
      const source = await openSource(file, { delimiter: settings.delimiter })
      info(
        `${source.file}: ${source.format.toUpperCase()}, ${source.encoding}, ${plural(source.headers.length, 'column')}`
      )
      sources.push(source)
    }
    const name = settings.sources.length > 1 ? `the mapping of source ${index + 1}` : `Input 'mapping'`
    groups.push({ mapping: await readMapping(setting.mapping, name, settings.workspace, info), sources })
  }
  return groups
}

/** A workspace mapping file, or the built-in default mapping when none is given. */
async function readMapping(
  file: string | undefined,
  name: string,
  workspace: string,
  info: (message: string) => void
): Promise<Mapping> {
  if (!file) {
    info(`No mapping given: using the default mapping (docs/mapping.md).`)
    return loadMapping(DEFAULT_MAPPING, DEFAULT_MAPPING_NAME)
  }
  const real = await confinePath(file, { roots: [workspace], what: name })
  let text: string
  try {
    text = await readFile(real, 'utf8')
  } catch {
    throw new InputError({
      severity: 'error',
      rule: 'input',
      message: `${name}: cannot read '${file}' in the workspace; check the path (and that the repository is checked out).`
    })
  }
  const mapping = loadMapping(text.replace(/^\uFEFF/, ''), file)
  info(`${file}: ${plural(mapping.attributes.length, 'attribute')} mapped.`)
  return mapping
}
