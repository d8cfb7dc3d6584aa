/**
 * The schema check as a stage: offline against `schema-file` (plan mode, reviews), or in apply mode against the
 * job's schema read from Graph during the pre-flight, before anything is sent. Gives diagnostics at the mapping
 * file's lines, the job-summary table, and outputs that tell when the committed schema-file is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { ActionIO } from '../common/runner-port.ts'
import { confinePath } from '../common/confine.ts'
import { InputError, type Diagnostic } from '../common/diagnostics.ts'
import { ApplyStop } from '../graph/errors.ts'
import type { GraphClient } from '../graph/http.ts'
import type { JobTarget } from '../graph/provisioning.ts'
import { readJobSchema } from '../graph/job-schema.ts'
import { plural } from '../common/markdown.ts'
import type { DiagnosticFactory } from '../settings/diagnostic-factory.ts'
import type { Mapping } from '../mapping/load.ts'
import { checkAgainstSchema, renderAttributeFlow } from '../mapping/schema-check.ts'
import {
  SchemaFormatError,
  readSchemaView,
  schemaDifferences,
  type SchemaView
} from '../mapping/schema-model.ts'

export interface SchemaStageResult {
  diagnostics: Diagnostic[]
  /** Job-summary Markdown (escaped). */
  section: string
  outputs: Record<string, string>
}

export interface SchemaStage {
  /** Plan mode: the check against schema-file, if one was given. */
  offline(): SchemaStageResult | undefined
  /** Apply mode pre-flight: reads the job's schema, checks, and stops the upload on an error. */
  preflight(client: GraphClient, target: JobTarget): Promise<void>
  /** What the pre-flight found (undefined before it ran or when there was nothing to check against). */
  result(): SchemaStageResult | undefined
}

export interface SchemaStageOptions {
  /** Workspace-relative schema-file, or undefined. */
  schemaFile: string | undefined
  workspace: string
  mappings: readonly Mapping[]
  factory: DiagnosticFactory
  io: ActionIO
  /** Where the tenant's schema is written in apply mode (RUNNER_TEMP). */
  currentFile: string
}

export async function prepareSchemaStage(options: SchemaStageOptions): Promise<SchemaStage> {
  const { schemaFile, mappings, factory, io } = options
  const committed = schemaFile ? await readCommittedSchema(schemaFile, options.workspace) : undefined
  let found: SchemaStageResult | undefined

  const check = (view: SchemaView, origin: string, outputs: Record<string, string>): SchemaStageResult => {
    const { diagnostics, rows } = checkAgainstSchema(mappings, view, factory)
    io.info(
      `Mapping checked against ${origin}: ${plural(rows.length, 'attribute')}, ${diagnostics.filter((d) => d.severity === 'error').length} not in the attribute list, ` +
        `${diagnostics.filter((d) => d.rule === 'schema-unmapped-attribute').length} not mapped.`
    )
    return { diagnostics, section: renderAttributeFlow(rows, origin), outputs }
  }

  return {
    offline: () => (committed && schemaFile ? check(committed, `schema-file ${schemaFile}`, {}) : undefined),
    result: () => found,
    async preflight(client, target) {
      const read = await readJobSchema(client, target)
      let tenant: SchemaView | undefined
      let problem = read.kind === 'unavailable' ? read.message : undefined
      if (read.kind === 'read') {
        try {
          tenant = readSchemaView(read.text)
        } catch (error) {
          if (!(error instanceof SchemaFormatError)) throw error
          problem = `The job's synchronization schema could not be read: ${error.message}.`
        }
      }
      const outputs: Record<string, string> = {}
      if (tenant && read.kind === 'read') {
        outputs['schema-current-file'] = await writeCurrent(options.currentFile, read.text)
        if (committed && schemaFile) {
          const differences = schemaDifferences(committed, tenant)
          outputs['schema-drift'] = String(differences.length > 0)
          if (differences.length)
            io.annotate({
              severity: 'notice',
              title: 'schema-file is out of date',
              file: schemaFile,
              message: `${schemaFile} differs from the provisioning job's schema (${differences.join('; ')}). The check used the tenant's; refresh the file from the output schema-current-file (docs/schema.md).`
            })
        }
        found = check(tenant, "the provisioning job's schema", outputs)
      } else {
        const fallback = committed ? ` Checking against schema-file ${schemaFile} instead.` : ''
        io.annotate({
          severity: 'notice',
          title: 'Mapping not checked against the tenant',
          message: `${problem ?? 'The schema could not be read.'}${fallback} The run goes on.`
        })
        found = committed && schemaFile ? check(committed, `schema-file ${schemaFile}`, outputs) : undefined
      }
      const errors = found?.diagnostics.filter((d) => d.severity === 'error') ?? []
      if (errors.length)
        throw new ApplyStop(
          'schema',
          `The mapping sends ${plural(errors.length, 'attribute')} the provisioning app does not know (see the annotations on the mapping file): nothing was sent, since Entra would ignore them.`
        )
    }
  }
}

/** Reads and parses schema-file; any problem is an input error naming the file (the run stops before reading HR data). */
async function readCommittedSchema(file: string, workspace: string): Promise<SchemaView> {
  const stop = (message: string): never => {
    throw new InputError({
      severity: 'error',
      rule: 'input',
      file,
      message: `Input 'schema-file': ${message}`
    })
  }
  // Inside the workspace also through symbolic links (an InputError otherwise).
  const real = await confinePath(file, { roots: [workspace], what: "Input 'schema-file'" })
  let text = ''
  try {
    text = await readFile(real, 'utf8')
  } catch {
    stop(`cannot read '${file}' in the workspace; check the path (and that the repository is checked out).`)
  }
  try {
    return readSchemaView(text)
  } catch (error) {
    if (!(error instanceof SchemaFormatError)) throw error
    return stop(`'${file}' is ${error.message}. Export it again (docs/schema.md).`)
  }
}

/** The tenant's schema as read, pretty-printed without Graph's @odata.context, ready to replace schema-file. */
async function writeCurrent(file: string, text: string): Promise<string> {
  const schema = JSON.parse(text) as Record<string, unknown>
  delete schema['@odata.context']
  await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`, 'utf8')
  return file
}
