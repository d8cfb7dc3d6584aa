/**
 * Fault injection, per endpoint and per call number. A rule counts the calls that match its `target`
 * from the moment it is added (config rules: from start-up), so "the 3rd to 5th bulkUpload" is
 * `{ target: 'graph.bulkUpload', from: 3, to: 5, status: 429 }` whenever the rule is installed.
 */
export interface FaultRule {
  /** Endpoint name or prefix: `graph.bulkUpload`, `graph.logs`, `graph.job`, `graph.users`, `graph` (any), `entra.token`, `entra.discovery`, `oidc.token`. */
  target: string
  /** First matching call (1-based) the rule hits. Default 1. */
  from?: number
  /** Last matching call it hits, inclusive. Default: no end. */
  to?: number
  /** Answer with this HTTP status (Graph error envelope on Graph endpoints). */
  status?: number
  /**
   * bulkUpload answers as the service does in these states, whatever the queue and the quota hold: `bucket-full`
   * the 500 whose message says the job's bucket is full, `daily-quota` the 429 of the tenant's daily quota (with
   * `retryAfter`, default 3600 s).
   */
  kind?: 'bucket-full' | 'daily-quota'
  /** `Retry-After` to send with `status`: seconds, or an HTTP-date string. Omit for none. */
  retryAfter?: number | string
  code?: string
  message?: string
  /** Token endpoint: fail with this AADSTS code (e.g. 70021 to imitate FIC propagation). */
  aadsts?: number
  /** Destroy the connection without any response. */
  drop?: boolean
  /** Wait this long (real milliseconds) before handling; alone, it just makes the response slow. */
  delayMs?: number
}

export interface FaultInjector {
  add(rule: FaultRule): void
  clear(): void
  list(): FaultRule[]
  /** Counts the call against every matching rule and returns the first rule that fires. */
  match(endpoint: string): FaultRule | null
}

export function createFaults(initial: FaultRule[]): FaultInjector {
  let rules: { rule: FaultRule; seen: number }[] = []
  const add = (rule: FaultRule): void => {
    if (
      rule.status === undefined &&
      rule.kind === undefined &&
      rule.aadsts === undefined &&
      !rule.drop &&
      rule.delayMs === undefined
    )
      throw new Error(`fault rule for ${rule.target} needs status, kind, aadsts, drop or delayMs`)
    rules.push({ rule, seen: 0 })
  }
  initial.forEach(add)
  return {
    add,
    clear() {
      rules = []
    },
    list: () => rules.map((r) => r.rule),
    match(endpoint) {
      let fired: FaultRule | null = null
      for (const r of rules) {
        if (endpoint !== r.rule.target && !endpoint.startsWith(`${r.rule.target}.`)) continue
        r.seen++
        if (!fired && r.seen >= (r.rule.from ?? 1) && r.seen <= (r.rule.to ?? Infinity)) fired = r.rule
      }
      return fired
    }
  }
}
