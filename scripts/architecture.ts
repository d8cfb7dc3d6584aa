/**
 * The picture of docs/architecture.md: the folders of src/ grouped in the layers of .dependency-cruiser.cjs, with an
 * arrow wherever a folder imports another (type imports included), drawn from dependency-cruiser's own graph (the
 * one `npm run deps` checks) as a Mermaid flowchart between `<!-- layers:start -->` and `<!-- layers:end -->`.
 * `npm run architecture` rewrites it; test/unit/architecture-picture.test.ts fails when it drifts.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { cruise, type ICruiseResult, type IFlattenedRuleSet } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

const root = path.join(import.meta.dirname, '..')
const DOCUMENT = 'docs/architecture.md'

/** One layer of the picture, top (the entry point) to bottom (the leaves). */
interface Layer {
  id: string
  title: string
  /** Files of the layer, as the checker's rules name them. */
  pattern: RegExp
}

/** The `from.path` (or `to.path`) of a rule of .dependency-cruiser.cjs, found by the rule's name. */
function rulePath(rules: IFlattenedRuleSet, name: string, side: 'from' | 'to', index = 0): RegExp {
  const rule = rules.forbidden?.find((candidate) => candidate.name === name) as
    Partial<Record<'from' | 'to', { path?: string | string[] }>> | undefined
  const paths = rule?.[side]?.path
  const found = Array.isArray(paths) ? paths[index] : paths
  if (found === undefined) throw new Error(`.dependency-cruiser.cjs: rule ${name} has no ${side}.path`)
  return new RegExp(found)
}

/**
 * The layers, each read from the rule that guards it, so the picture groups files exactly as the checker does. The
 * first layer a file matches wins: src/graph is also among the effectful paths that pure stages may not import.
 */
export function layersOf(rules: IFlattenedRuleSet): Layer[] {
  return [
    {
      id: 'entry',
      title: 'entry point, wiring, runner adapter',
      pattern: rulePath(rules, 'pure-stages-stay-pure', 'to', 1)
    },
    {
      id: 'network',
      title: 'network (plain options)',
      pattern: rulePath(rules, 'network-takes-plain-options', 'from')
    },
    {
      id: 'effectful',
      title: 'effectful stages',
      pattern: rulePath(rules, 'pure-stages-stay-pure', 'to', 0)
    },
    { id: 'pure', title: 'pure stages', pattern: rulePath(rules, 'pure-stages-stay-pure', 'from') },
    { id: 'settings', title: 'settings (leaf)', pattern: rulePath(rules, 'settings-is-a-leaf', 'from') },
    { id: 'common', title: 'common (leaf)', pattern: rulePath(rules, 'common-is-a-leaf', 'from') }
  ]
}

/** Drawing order, top to bottom: effectful stages use the network, so they sit above it. */
const ORDER = ['entry', 'effectful', 'network', 'pure', 'settings', 'common']

/** A box of the picture: a folder of src/ (or a root file), or the part of a folder that sits in one layer. */
interface Node {
  id: string
  label: string
  folder: string
  layer: string
  files: string[]
}

/** src/x/y.ts → src/x; a file at the root of src/ is its own node (main.ts, index.ts, actions-io.ts). */
function folderOf(file: string): string {
  const parts = file.split('/')
  return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[1] ?? file)
}

const baseNames = (files: string[]): string =>
  files
    .map((file) => path.basename(file, '.ts'))
    .sort()
    .join(', ')

/**
 * One node per folder and layer. A folder whose files sit in two layers (src/review: the comparison is pure, the
 * git side is not) gets a node in each, labelled with the part's files when they are few, else "all but" the others.
 */
function nodesOf(files: string[], layerOf: (file: string) => string): Map<string, Node> {
  const nodes = new Map<string, Node>()
  for (const file of files) {
    const folder = folderOf(file)
    const layer = layerOf(file)
    const key = `${folder} ${layer}`
    const node = nodes.get(key) ?? { id: folder, label: folder, folder, layer, files: [] }
    node.files.push(file)
    nodes.set(key, node)
  }
  for (const node of nodes.values()) {
    const others = [...nodes.values()].filter((other) => other !== node && other.folder === node.folder)
    if (others.length > 0) {
      const rest = others.flatMap((other) => other.files)
      const part = node.files.length <= 3 ? baseNames(node.files) : `all but ${baseNames(rest)}`
      node.label = `${node.folder}: ${part}`
      node.id = `${node.folder}_${node.layer}`
    }
    node.id = node.id.replace(/[^A-Za-z0-9]/g, '_')
  }
  return nodes
}

/** The Mermaid flowchart of src/ from a cruise result (pure: the test draws it in memory). */
export function layersPicture(result: ICruiseResult, layers: Layer[]): string {
  const layerOf = (file: string): string => {
    const layer = layers.find((candidate) => candidate.pattern.test(file))
    if (layer === undefined)
      throw new Error(`${file} is in no layer of .dependency-cruiser.cjs: add it there`)
    return layer.id
  }
  const modules = result.modules.filter((module) => module.source.startsWith('src/'))
  const nodes = nodesOf(
    modules.map((module) => module.source),
    layerOf
  )
  const nodeOf = (file: string): Node => nodes.get(`${folderOf(file)} ${layerOf(file)}`) as Node
  // Drawn top to bottom in layer order, alphabetically within a layer; arrows in the order of their ends.
  const rank = (node: Node): number => ORDER.indexOf(node.layer)
  const sorted = [...nodes.values()].sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label))
  const edges = new Map<string, [number, number]>()
  for (const module of modules) {
    for (const dependency of module.dependencies) {
      if (!dependency.resolved.startsWith('src/')) continue
      const from = nodeOf(module.source)
      const to = nodeOf(dependency.resolved)
      if (from !== to) edges.set(`${from.id} --> ${to.id}`, [sorted.indexOf(from), sorted.indexOf(to)])
    }
  }
  const lines = ['```mermaid', 'flowchart TD']
  for (const layer of ORDER) {
    const title = layers.find((candidate) => candidate.id === layer)?.title ?? layer
    lines.push(`  subgraph layer_${layer} ["${title}"]`)
    for (const node of sorted.filter((candidate) => candidate.layer === layer))
      lines.push(`    ${node.id}["${node.label}"]`)
    lines.push('  end')
  }
  const arrows = [...edges].sort(([, [a1, a2]], [, [b1, b2]]) => a1 - b1 || a2 - b2)
  for (const [edge] of arrows) lines.push(`  ${edge}`)
  lines.push('```')
  return lines.join('\n')
}

/** Replaces the text between `<!-- layers:start -->` and `<!-- layers:end -->`. */
export function fillLayers(document: string, picture: string): string {
  const pattern = /(<!-- layers:start -->)[\s\S]*?(<!-- layers:end -->)/
  if (!pattern.test(document)) throw new Error(`marker <!-- layers:start --> not found in ${DOCUMENT}`)
  return document.replace(pattern, (_, open: string, close: string) => `${open}\n${picture}\n${close}`)
}

/** docs/architecture.md with its picture redrawn from one cruise of src/ with the checker's own options. */
export async function architectureDocument(): Promise<string> {
  const options = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.cjs'))
  // The config names tsconfig.json relative to the project, wherever the script is run from.
  const tsConfigFile = path.join(root, options.tsConfig?.fileName ?? 'tsconfig.json')
  const cruised = await cruise(
    ['src'],
    { ...options, baseDir: root, tsConfig: { fileName: tsConfigFile } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) }
  )
  const result = cruised.output as ICruiseResult
  const picture = layersPicture(result, layersOf(options.ruleSet ?? {}))
  return fillLayers(readFileSync(path.join(root, DOCUMENT), 'utf8'), picture)
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(path.join(root, DOCUMENT), await architectureDocument())
  console.log(`${DOCUMENT}: picture of the layers redrawn.`)
}
