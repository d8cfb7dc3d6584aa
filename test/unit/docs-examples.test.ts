/**
 * The documentation is executable: every expression example of docs/functions.md and docs/mapping.md is evaluated
 * against the result it documents, every mapping file shown in the docs is loaded, and every link and file name the
 * repository's texts mention points at a file (and heading) that exists in the repository.
 */
import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { evaluateExpression } from '../../src/mapping/expression/index.ts'
import { IGNORE_ATTRIBUTE_FLOW, IGNORE_OBJECT_FLOW } from '../../src/mapping/expression/syntax-tree.ts'
import { loadMapping } from '../../src/mapping/load.ts'

const root = path.join(import.meta.dirname, '..', '..')
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8')

/** Files in git (committed or staged), so the test sees what a clone has. */
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8'
})
  .split('\n')
  .filter((file) => file !== '' && existsSync(path.join(root, file)))
const markdownFiles = tracked.filter((file) => file.endsWith('.md') && !file.startsWith('test/'))

interface Example {
  where: string
  expression: string
  inputs: Record<string, string>
  expected: string
}

/** `# Column=value, Other="a, b" → result`: the inputs of a documented example. */
function parseInputs(text: string): Record<string, string> {
  const inputs: Record<string, string> = {}
  // Values are separated by ", "; a value with ", " in it is quoted.
  const pattern = /\s*([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|(?:(?!, ).)*?)\s*(?:, |$)/y
  let rest = text.trim()
  // A note in brackets after the inputs is for the reader.
  rest = rest.replace(/\s*\([^)]*\)\s*$/, '')
  pattern.lastIndex = 0
  while (pattern.lastIndex < rest.length) {
    const match = pattern.exec(rest)
    if (!match) throw new Error(`cannot read the inputs "${text}" (write Column=value, …)`)
    const [, name, raw] = match as unknown as [string, string, string]
    inputs[name] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw
  }
  return inputs
}

/** Examples in YAML blocks: `attribute: 'expression'   # inputs → result`. */
function yamlExamples(file: string): Example[] {
  const examples: Example[] = []
  const lines = read(file).split('\n')
  let inYaml = false
  lines.forEach((line, index) => {
    if (line.startsWith('```')) inYaml = !inYaml && line.startsWith('```yaml')
    if (!inYaml) return
    const match = /^(\S[^']*: '(?:[^']|'')*')\s+# (.*?) → (.*)$/.exec(line)
    if (!match) return
    const [, entry, inputs, expected] = match as unknown as [string, string, string, string]
    const parsed = parseYaml(entry) as Record<string, string>
    examples.push({
      where: `${file}:${index + 1}`,
      expression: Object.values(parsed)[0] as string,
      inputs: parseInputs(inputs),
      expected: expected.trim()
    })
  })
  return examples
}

/** Constant calls in the text: `` `InStr("repEated","e",3,vbBinaryCompare)` → `7` ``. */
function inlineExamples(file: string): Example[] {
  const examples: Example[] = []
  read(file)
    .split('\n')
    .forEach((line, index) => {
      for (const match of line.matchAll(/`([A-Z][A-Za-z0-9]*\([^`]*\))` → `([^`]*)`/g)) {
        const [, expression, expected] = match as unknown as [string, string, string]
        // A call on a column needs a row (only the YAML examples carry one); "…" marks an elided argument.
        if (/\[[^\]]+\]/.test(expression) || expression.includes('…')) continue
        examples.push({ where: `${file}:${index + 1}`, expression, inputs: {}, expected })
      }
    })
  return examples
}

/** The result as written: text, "quoted text", [a, "b"] for several values, (not sent), "" for empty. */
function expectedValue(text: string): unknown {
  if (text === '(not sent)') return 'not sent'
  if (text.startsWith('[') && text.endsWith(']')) {
    return [...text.slice(1, -1).matchAll(/\s*("(?:[^"\\]|\\.)*"|[^,]+)\s*(?:,|$)/g)].map((m) => {
      const item = (m[1] as string).trim()
      return item.startsWith('"') ? JSON.parse(item) : item
    })
  }
  if (text.startsWith('"') && text.endsWith('"')) return JSON.parse(text)
  return text
}

/** Repeatable randomness for RandomString and Guid. */
function seeded(): () => number {
  let state = 42
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

const examples = [
  ...yamlExamples('docs/functions.md'),
  ...yamlExamples('docs/mapping.md'),
  ...inlineExamples('docs/functions.md'),
  ...inlineExamples('docs/mapping.md')
]

describe('documented expression examples', () => {
  test('there are examples to check (the pattern still finds them)', () => {
    expect(examples.length).toBeGreaterThan(40)
  })

  test.each(examples.map((e) => [e.where, e] as const))('%s', (_where, example) => {
    const value = evaluateExpression(example.expression, example.inputs, {
      now: () => new Date('2026-01-01T00:00:00Z'),
      random: seeded(),
      guid: () => '00aa00aa-bb11-cc22-dd33-44ee44ee44ee'
    })
    const sent =
      value === IGNORE_ATTRIBUTE_FLOW || value === IGNORE_OBJECT_FLOW || value === null || value === ''
        ? 'not sent'
        : value
    const expected = example.expected
    if (expected.startsWith('e.g. ')) {
      // A random result: same text, with any digit where the example shows a digit.
      const shape = expected
        .slice(5)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\d/g, '\\d')
      expect(value).toMatch(new RegExp(`^${shape}$`))
    } else if (expectedValue(expected) === 'not sent') {
      expect(sent).toBe('not sent')
    } else {
      expect(value).toEqual(expectedValue(expected))
    }
  })
})

describe('documented mapping files', () => {
  const blocks = markdownFiles.flatMap((file) =>
    [...read(file).matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1] as string)
      // Whole mapping files; a block that elides attributes ("# … the other attributes …") is a fragment.
      .filter(
        (text) => /^attributes:/m.test(text) && !/^(on|jobs|runs):/m.test(text) && !text.includes('# …')
      )
      .map((text, i) => [`${file} #${i + 1}`, text] as const)
  )

  test('there are mapping files in the docs', () => {
    expect(blocks.length).toBeGreaterThan(2)
  })

  test.each(blocks)('%s loads without errors', (where, text) => {
    expect(() => loadMapping(text, where)).not.toThrow()
  })
})

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fenced = false
  for (const line of read(file).split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line)
    if (!heading) continue
    const base = (heading[1] as string)
      .replace(/<[^>]*>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  for (const match of read(file).matchAll(/<a (?:name|id)="([^"]+)"/g)) anchors.add(match[1] as string)
  return anchors
}

describe('links and file names', () => {
  const links = markdownFiles.flatMap((file) => {
    const text = read(file).replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, ' '))
    return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((m) => m[1] as string)
      .filter((target) => !/^[a-z]+:/i.test(target))
      .map((target) => [file, target] as const)
  })

  test('there are links to check', () => {
    expect(links.length).toBeGreaterThan(20)
  })

  test.each(links)('%s → %s exists', (file, target) => {
    const [pathPart, anchor] = target.split('#') as [string, string | undefined]
    const resolved =
      pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart))
    expect(resolved.startsWith('..')).toBe(false)
    expect(existsSync(path.join(root, resolved))).toBe(true)
    if (anchor !== undefined && resolved.endsWith('.md') && statSync(path.join(root, resolved)).isFile())
      expect([...anchorsOf(resolved)]).toContain(decodeURIComponent(anchor))
  })

  // Texts of the project: what a reader or a newcomer sees, besides dist/ and the lock file.
  const texts = tracked.filter(
    (file) =>
      /\.(ts|md|yml|yaml|sh|json)$/.test(file) &&
      !file.startsWith('dist/') &&
      file !== 'package-lock.json' &&
      !file.startsWith('test/fixtures/')
  )

  test('every docs/… file the code and docs name exists', () => {
    const missing = texts.flatMap((file) =>
      [...read(file).matchAll(/\bdocs\/[\w./-]*?\.(md|png|svg)\b/g)]
        .map((m) => m[0])
        .filter((named) => !existsSync(path.join(root, named)))
        .map((named) => `${file}: ${named}`)
    )
    expect(missing).toEqual([])
  })

  test('nothing cites reference notes that are not in the repository', () => {
    const outside = texts.flatMap((file) =>
      /\b(graph-api\.md|expressions\.md|shared\/docs)\b/.test(read(file)) &&
      file !== 'test/unit/docs-examples.test.ts'
        ? [file]
        : []
    )
    expect(outside).toEqual([])
  })
})
