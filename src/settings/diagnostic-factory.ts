/** Turns a rule's finding into a diagnostic with the severity the `rules` input gives it (its default otherwise). */
import type { Diagnostic } from '../common/diagnostics.ts'
import { RULES, type RuleName } from './rule-catalogue.ts'
import type { RuleSeverity } from './settings.ts'

/** Creates diagnostics with the configured severity of their rule; returns undefined for rules turned off. */
export class DiagnosticFactory {
  readonly #overrides: ReadonlyMap<string, RuleSeverity>

  constructor(overrides: ReadonlyMap<string, RuleSeverity>) {
    this.#overrides = overrides
  }

  /** The overrides, as entries that can be sent to a worker thread. */
  get overrides(): Array<[string, RuleSeverity]> {
    return [...this.#overrides]
  }

  severity(rule: RuleName): RuleSeverity {
    return this.#overrides.get(rule) ?? RULES[rule].severity
  }

  create(rule: RuleName, fields: Omit<Diagnostic, 'severity' | 'rule'>): Diagnostic | undefined {
    const severity = this.severity(rule)
    if (severity === 'off') return undefined
    return { severity, rule, ...fields }
  }
}
