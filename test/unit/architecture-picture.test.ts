/**
 * The picture of the layers in docs/architecture.md is drawn from dependency-cruiser's graph of src/ (the one
 * `npm run deps` checks) by scripts/architecture.ts. This test draws it again in memory, with one cruise, and fails
 * when the committed page differs: run `npm run architecture` and commit docs/architecture.md.
 */
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ICruiseResult, IFlattenedRuleSet } from 'dependency-cruiser'
import { architectureDocument, fillLayers, layersOf, layersPicture } from '../../scripts/architecture.ts'

const root = path.join(import.meta.dirname, '..', '..')

/** The rules the layers are read from, in the shape of .dependency-cruiser.cjs. */
const RULES: IFlattenedRuleSet = {
  forbidden: [
    { name: 'common-is-a-leaf', severity: 'error', from: { path: '^src/common/' }, to: {} },
    { name: 'settings-is-a-leaf', severity: 'error', from: { path: '^src/settings/' }, to: {} },
    { name: 'network-takes-plain-options', severity: 'error', from: { path: '^src/graph/' }, to: {} },
    {
      name: 'pure-stages-stay-pure',
      severity: 'error',
      from: { path: '^src/plan/|^src/review/(diff|gates|leavers|markdown)\\.ts$' },
      to: { path: ['^src/(graph|apply)/|^src/review/base\\.ts$', '^src/(main|index)\\.ts$'] }
    }
  ]
}

/** A cruise result with the given imports (`from → [to, …]`); every import counts, as type imports do. */
function cruised(imports: Record<string, string[]>): ICruiseResult {
  return {
    modules: Object.entries(imports).map(([source, targets]) => ({
      source,
      dependencies: targets.map((resolved) => ({
        resolved,
        dependencyTypes: ['local', 'type-only', 'import']
      }))
    }))
  } as unknown as ICruiseResult
}

describe('the picture of the layers', () => {
  test('docs/architecture.md is up to date (run: npm run architecture)', async () => {
    const expected = await architectureDocument()
    expect(readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8')).toBe(expected)
  })

  test('draws one node per folder in its layer, root files alone, and an arrow per pair of folders', () => {
    const picture = layersPicture(
      cruised({
        'src/index.ts': ['src/main.ts'],
        'src/main.ts': ['src/plan/plan.ts', 'src/apply/apply.ts', 'src/common/a.ts'],
        'src/apply/apply.ts': ['src/graph/http.ts', 'src/plan/model.ts', 'src/apply/upload.ts'],
        'src/apply/upload.ts': ['src/graph/http.ts'],
        'src/graph/http.ts': ['src/common/a.ts', 'node_modules/undici/index.js'],
        'src/plan/plan.ts': ['src/plan/model.ts', 'src/settings/settings.ts'],
        'src/plan/model.ts': [],
        'src/settings/settings.ts': ['src/common/a.ts'],
        'src/common/a.ts': []
      }),
      layersOf(RULES)
    )
    expect(picture.split('\n')).toEqual([
      '```mermaid',
      'flowchart TD',
      '  subgraph layer_entry ["entry point, wiring, runner adapter"]',
      '    index_ts["index.ts"]',
      '    main_ts["main.ts"]',
      '  end',
      '  subgraph layer_effectful ["effectful stages"]',
      '    src_apply["src/apply"]',
      '  end',
      '  subgraph layer_network ["network (plain options)"]',
      '    src_graph["src/graph"]',
      '  end',
      '  subgraph layer_pure ["pure stages"]',
      '    src_plan["src/plan"]',
      '  end',
      '  subgraph layer_settings ["settings (leaf)"]',
      '    src_settings["src/settings"]',
      '  end',
      '  subgraph layer_common ["common (leaf)"]',
      '    src_common["src/common"]',
      '  end',
      '  index_ts --> main_ts',
      '  main_ts --> src_apply',
      '  main_ts --> src_plan',
      '  main_ts --> src_common',
      '  src_apply --> src_graph',
      '  src_apply --> src_plan',
      '  src_graph --> src_common',
      '  src_plan --> src_settings',
      '  src_settings --> src_common',
      '```'
    ])
  })

  test('a folder split between two layers gets a node in each, the smaller part named by its files', () => {
    const picture = layersPicture(
      cruised({
        'src/review/base.ts': ['src/review/diff.ts'],
        'src/review/diff.ts': ['src/review/gates.ts'],
        'src/review/gates.ts': [],
        'src/review/leavers.ts': [],
        'src/review/markdown.ts': []
      }),
      layersOf(RULES)
    )
    expect(picture).toContain('src_review_effectful["src/review: base"]')
    expect(picture).toContain('src_review_pure["src/review: all but base"]')
    expect(picture).toContain('src_review_effectful --> src_review_pure')
  })

  test('a module in no layer is named, so the rules and the picture keep up with new folders', () => {
    expect(() => layersPicture(cruised({ 'src/extra/x.ts': [] }), layersOf(RULES))).toThrow(
      'src/extra/x.ts is in no layer of .dependency-cruiser.cjs'
    )
  })

  test('a page without the markers is refused', () => {
    expect(() => fillLayers('# Architecture\n', 'picture')).toThrow('<!-- layers:start -->')
    expect(fillLayers('a\n<!-- layers:start -->\nold\n<!-- layers:end -->\nb', 'new')).toBe(
      'a\n<!-- layers:start -->\nnew\n<!-- layers:end -->\nb'
    )
  })
})
