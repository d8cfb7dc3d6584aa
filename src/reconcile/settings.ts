/** The inputs of mode reconcile: `reconcile-scope` and `reconcile-fail-on` (docs/reconcile.md). */
import { FINDING_CLASSES, type FindingClass } from './compare.ts'

export interface ReconcileSettings {
  /** OData filter of the Entra users compared with the HR files. */
  scope: string
  /** Finding classes that fail the step when any is found. */
  failOn: FindingClass[]
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
  if (mode !== 'reconcile' && (scopeInput !== '' || failInput !== ''))
    fail(`Inputs 'reconcile-scope' and 'reconcile-fail-on' are read only in mode reconcile; remove them.`)
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
  return { scope, failOn }
}
