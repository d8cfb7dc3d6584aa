import type { FaultRule } from './faults.ts'

/**
 * A matched request: the endpoint name (used by counters and fault rules) and its handler. The server
 * applies `drop` and `delayMs` faults itself; the handler receives the fired rule to answer a `status`
 * or `aadsts` fault in its own service's format.
 */
export interface Route {
  endpoint: string
  handle: (fault: FaultRule | null) => void | Promise<void>
}
