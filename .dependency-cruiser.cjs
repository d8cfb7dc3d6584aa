/**
 * The layers of src/ and the arrows allowed between them (docs/architecture.md draws them). `npm run lint` runs
 * this check; type-only imports count, so a type cannot smuggle a cycle or a wrong arrow back in.
 *
 *   common ← settings ← pure stages (sources, mapping, validate, scim, plan, review's comparison)
 *          ← graph (network; plain options only)
 *          ← effectful stages (git, github, apply, outcomes, reconcile, review's git side, report)
 *          ← main.ts ← index.ts, with actions-io.ts the one runner adapter
 */
const PURE =
  '^src/(sources|mapping|validate|scim|plan)/|^src/review/(diff|leavers|gates|change-annotations|review-markdown|review-changes|upload-selection)\\.ts$'
const EFFECTFUL =
  '^src/(graph|git|github|apply|outcomes|reconcile|report)/|^src/review/(base|against-base|review-report)\\.ts$'
const EDGE = '^src/(main|index|actions-io)\\.ts$'

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Every module can be read and tested on its own: no import cycle, type imports included.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'no-folder-cycles',
      comment: 'The folders form layers too: no two folders import each other, even through different files.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true }
    },
    {
      name: 'common-is-a-leaf',
      comment: 'src/common holds helpers every layer uses; it imports nothing else of the project.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' }
    },
    {
      name: 'settings-is-a-leaf',
      comment: 'Settings are read first and known by all: they import only src/common.',
      severity: 'error',
      from: { path: '^src/settings/' },
      to: { path: '^src/', pathNot: '^src/(common|settings)/' }
    },
    {
      name: 'pure-stages-stay-pure',
      comment:
        'Reading, mapping, validating, planning and comparing take data and return data: no network, no runner.',
      severity: 'error',
      from: { path: PURE },
      to: { path: [EFFECTFUL, EDGE] }
    },
    {
      name: 'network-takes-plain-options',
      comment: 'The Graph layer knows HTTP and the service, not the action: no settings, no stage.',
      severity: 'error',
      from: { path: '^src/graph/' },
      to: { path: '^src/', pathNot: '^src/(common|graph)/' }
    },
    {
      name: 'only-the-adapter-touches-the-runner',
      comment: 'src/actions-io.ts is the one module that imports @actions/core or @actions/github.',
      severity: 'error',
      from: { pathNot: '^src/actions-io\\.ts$' },
      to: { path: '@actions/(core|github)' }
    },
    {
      name: 'only-index-runs-main',
      comment:
        'main.ts wires the stages; only the entry point calls it, and nothing imports the entry point.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/index\\.ts$' },
      to: { path: EDGE, pathNot: '^src/actions-io\\.ts$' }
    },
    {
      name: 'stages-do-not-import-the-adapter',
      comment:
        'Stages talk to the runner through the ActionIO port (src/common/runner-port.ts), never the adapter.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/index\\.ts$' },
      to: { path: '^src/actions-io\\.ts$' }
    },
    {
      name: 'one-door-into-the-expression-engine',
      comment: 'Outside src/mapping/expression, the engine is used through its index.ts only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/mapping/expression/' },
      to: { path: '^src/mapping/expression/', pathNot: '^src/mapping/expression/index\\.ts$' }
    },
    {
      name: 'src-never-imports-tests',
      comment: 'The action never depends on the emulator, test helpers or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts)/' }
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code (worker threads load src/index.ts, the entry point).',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: '^src/index\\.ts$|\\.d\\.ts$' },
      to: {}
    }
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' }
  }
}
