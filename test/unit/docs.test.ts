import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { generatedDocs } from '../../scripts/generate-docs.ts'
import { DEFAULT_MAPPING } from '../../src/mapping/default-mapping.ts'

const root = path.join(import.meta.dirname, '..', '..')

describe('generated documentation', () => {
  test.each(Object.entries(generatedDocs()))('%s is up to date (run: npm run docs)', (file, content) => {
    expect(readFileSync(path.join(root, file), 'utf8')).toBe(content)
  })

  test('the default mapping is the one shown in examples/mapping.yml', () => {
    expect(DEFAULT_MAPPING).toBe(readFileSync(path.join(root, 'examples', 'mapping.yml'), 'utf8'))
  })
})
