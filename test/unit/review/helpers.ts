/** Base and head plans of a real git repository, built with the real readers, mapping loader and buildPlan. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createGit } from '../../../src/git/git.ts'
import { loadMapping } from '../../../src/mapping/load.ts'
import { buildPlan, type PlanOptions } from '../../../src/plan/plan.ts'
import type { Plan } from '../../../src/plan/model.ts'
import { ValueStore } from '../../../src/plan/value-store.ts'
import { planBase, type BasePlan } from '../../../src/review/base.ts'
import { discoverFiles } from '../../../src/sources/discover.ts'
import { openSource } from '../../../src/sources/open-source.ts'
import { DiagnosticFactory } from '../../../src/settings/diagnostic-factory.ts'
import { scratch, type TestRepo } from '../git/repo.ts'

export const MAPPING = `schemaExtension: urn:ietf:params:scim:schemas:extension:contoso:1.0:User
attributes:
  externalId: '[Id]'
  userName: '[Upn]'
  active: 'Switch([Status], "", "Active", "True", "Gone", "False")'
  displayName: '[Name]'
  title: '[Title]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: '[Dept]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: '[Manager]'
  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:employeeLeaveDateTime: '[Leave]'
`

export const HEADER = 'Id,Upn,Status,Name,Title,Dept,Manager,Leave'

/** A CSV row for person `id` with defaults; `fields` overrides columns by name. */
export function row(id: string, fields: Partial<Record<string, string>> = {}): string {
  const values: Record<string, string> = {
    Id: id,
    Upn: `${id.toLowerCase()}@contoso.com`,
    Status: 'Active',
    Name: `Person ${id}`,
    Title: 'Engineer',
    Dept: 'Engineering',
    Manager: '',
    Leave: '',
    ...fields
  }
  return HEADER.split(',')
    .map((column) => values[column] ?? '')
    .join(',')
}

export function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n'
}

export interface Plans {
  basePlan: Plan
  headPlan: Plan
  base: BasePlan
}

function planOptions(): PlanOptions {
  return {
    batchSize: 2,
    context: { now: () => new Date('2026-01-01T00:00:00Z') },
    diagnostics: new DiagnosticFactory(new Map()),
    values: new ValueStore(path.join(scratch('values-'), 'store'))
  }
}

/** The head plan of the working tree and the base plan of `baseRef`, as the wiring would build them. */
export async function plansOf(repo: TestRepo, baseRef: string, patterns = 'hr/*.csv'): Promise<Plans> {
  const headMapping = loadMapping(readFileSync(path.join(repo.dir, 'mapping.yml'), 'utf8'), 'mapping.yml')
  const files = await quietly(() => discoverFiles(patterns, repo.dir))
  const sources = []
  for (const file of files) sources.push(await openSource(file, { delimiter: 'auto' }))
  const headPlan = await buildPlan(headMapping, sources, planOptions())
  const git = createGit({ cwd: repo.dir })
  const sha = await git.resolveBase(baseRef)
  const base = await planBase({
    git,
    sha,
    groups: [
      { files: files.map((file) => file.relative), patterns, mappingFile: 'mapping.yml', headMapping }
    ],
    folder: scratch('base-files-'),
    delimiter: 'auto',
    plan: planOptions()
  })
  return { basePlan: base.plan, headPlan, base }
}

/** @actions/glob writes ::debug:: lines to stdout; keep the test output readable. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' && chunk.startsWith('::debug::') ? true : write(chunk, ...rest)) as typeof write
  try {
    return await work()
  } finally {
    process.stdout.write = write
  }
}
