/** The inputs of mode reconcile (`reconcile-scope`, `reconcile-fail-on`) and of `reconcile: fix` (docs/reconcile.md). */

export type FindingClass = 'leaver-enabled' | 'missing' | 'orphan' | 'drift'

/** Order of importance: the security finding first. */
export const FINDING_CLASSES: readonly FindingClass[] = ['leaver-enabled', 'drift', 'missing', 'orphan']

export interface ReconcileSettings {
  /** OData filter of the Entra users compared with the HR files. */
  scope: string
  /** Finding classes that fail the step when any is found. */
  failOn: FindingClass[]
  /** Apply mode with `reconcile: fix`: send only the records that drifted or are missing in Entra. */
  fix: boolean
}

/** Users with an employeeId: cloud-only admins and service accounts (which have none) stay out of the orphans. */
export const DEFAULT_RECONCILE_SCOPE = 'employeeId ne null'
export const DEFAULT_RECONCILE_FAIL_ON = 'leaver-enabled'

export function readReconcileSettings(
  input: (name: string) => string,
  mode: string,
  fail: (message: string) => void
): ReconcileSettings {
  const scopeInput = input('reconcile-scope')
  const failInput = input('reconcile-fail-on')
  const fixInput = input('reconcile').toLowerCase()
  if (fixInput !== '' && fixInput !== 'fix')
    fail(`Input 'reconcile': '${fixInput}' is not allowed; use fix (or leave it empty).`)
  const fix = fixInput === 'fix'
  if (fix && mode !== 'apply') fail(`Input 'reconcile: fix' needs mode apply (it chooses what to upload).`)
  if (mode !== 'reconcile' && failInput !== '')
    fail(`Input 'reconcile-fail-on' is read only in mode reconcile; remove it.`)
  if (mode !== 'reconcile' && !fix && scopeInput !== '')
    fail(`Input 'reconcile-scope' is read only in mode reconcile or with 'reconcile: fix'; remove it.`)
  const scope = scopeInput || DEFAULT_RECONCILE_SCOPE
  if (/[\r\n]/.test(scope) || (scope.match(/'/g) ?? []).length % 2 !== 0)
    fail(`Input 'reconcile-scope': '${scope}' is not one OData filter (unbalanced quotes or several lines).`)
  const failOn: FindingClass[] = []
  for (const name of (failInput || DEFAULT_RECONCILE_FAIL_ON).split(',').map((s) => s.trim().toLowerCase())) {
    if (name === '' || name === 'never') continue
    const found = FINDING_CLASSES.find((c) => c === name)
    if (found) failOn.push(found)
    else
      fail(
        `Input 'reconcile-fail-on': '${name}' is not a finding class; use a comma-separated list of ${FINDING_CLASSES.join(', ')}, or never.`
      )
  }
  return { scope, failOn, fix }
}
