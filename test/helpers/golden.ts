/**
 * Golden files: the rendered output is committed under test/golden/ so reviewers see the exact Markdown.
 * Run `UPDATE_GOLDEN=1 npm test` to rewrite them after an intended change, then review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect } from '@jest/globals'

const folder = path.join(import.meta.dirname, '..', 'golden')

export function expectGolden(name: string, actual: string): void {
  const file = path.join(folder, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(folder, { recursive: true })
    writeFileSync(file, actual)
    return
  }
  if (!existsSync(file))
    throw new Error(`Golden file ${name} is missing: run UPDATE_GOLDEN=1 npm test and review it.`)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}
