/**
 * Generated parts of the docs: the inputs and outputs tables of README.md (from action.yml) and the rules table of
 * docs/validation.md (from src/settings/rule-catalogue.ts). `npm run docs` rewrites them;
 * test/unit/docs.test.ts fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { RULES } from '../src/settings/rule-catalogue.ts'

const root = path.join(import.meta.dirname, '..')

interface ActionYaml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const escapeCell = (text: string): string =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

export function inputsTable(action: ActionYaml): string {
  const rows = Object.entries(action.inputs).map(([name, input]) => {
    const fallback = input.default === undefined || input.default === '' ? '' : `\`${input.default}\``
    return `| \`${name}\` | ${fallback} | ${escapeCell(input.description)} |`
  })
  return ['| Input | Default | Description |', '| --- | --- | --- |', ...rows].join('\n')
}

export function outputsTable(action: ActionYaml): string {
  const rows = Object.entries(action.outputs).map(
    ([name, output]) => `| \`${name}\` | ${escapeCell(output.description)} |`
  )
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n')
}

export function rulesTable(): string {
  const rows = Object.entries(RULES).map(
    ([name, rule]) => `| \`${name}\` | ${rule.severity} | ${escapeCell(rule.description)} |`
  )
  return ['| Rule | Default severity | What it finds |', '| --- | --- | --- |', ...rows].join('\n')
}

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- end:NAME -->`. */
export function fill(document: string, name: string, content: string): string {
  const pattern = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- end:${name} -->)`)
  if (!pattern.test(document)) throw new Error(`marker generated:${name} not found`)
  return document.replace(pattern, (_, open: string, close: string) => `${open}\n${content}\n${close}`)
}

export function generatedDocs(): Record<string, string> {
  const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as ActionYaml
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const validation = readFileSync(path.join(root, 'docs', 'validation.md'), 'utf8')
  return {
    'README.md': fill(fill(readme, 'inputs', inputsTable(action)), 'outputs', outputsTable(action)),
    'docs/validation.md': fill(validation, 'rules', rulesTable())
  }
}

if (process.argv[1] === import.meta.filename) {
  for (const [file, content] of Object.entries(generatedDocs())) writeFileSync(path.join(root, file), content)
  console.log('README.md and docs/validation.md regenerated.')
}
