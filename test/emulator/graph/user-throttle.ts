/**
 * The identity service's read limit for one app in one tenant: a bucket of ResourceUnits per 10 seconds whose size
 * depends on the tenant's size (3,500 under 50 users, 5,000 up to 500, 8,000 above), every request charged its cost
 * (throttled ones included, as for every Graph limit). Over the limit: 429, Retry-After, and the documented
 * x-ms-throttle-scope and x-ms-throttle-information headers.
 */
import type { EmulatorContext } from '../context.ts'
import { graphError, type GraphCall } from './envelope.ts'

interface Charge {
  at: number
  cost: number
}

const charges = new WeakMap<EmulatorContext, Charge[]>()

/** The bucket size for the directory's current size, unless the configuration fixes one. */
export function userReadQuota(ctx: EmulatorContext): number {
  const fixed = ctx.config.graph.userReads.resourceUnits
  if (fixed !== null) return fixed
  const users = ctx.directory.all().length
  return users < 50 ? 3500 : users <= 500 ? 5000 : 8000
}

/** Charges the request; writes the 429 and returns false when the bucket is over its limit. */
export function chargeUserRead(call: GraphCall, cost: number): boolean {
  const { ctx } = call
  const { windowMs } = ctx.config.graph.userReads
  const now = ctx.clock.now()
  const list = (charges.get(ctx) ?? []).filter((c) => c.at > now - windowMs)
  list.push({ at: now, cost })
  charges.set(ctx, list)
  const used = list.reduce((sum, c) => sum + c.cost, 0)
  const quota = userReadQuota(ctx)
  if (used <= quota) return true
  // Wait until enough of the window has expired for this request to fit again.
  let freed = 0
  let until = now
  for (const c of list) {
    freed += c.cost
    until = c.at + windowMs
    if (used - freed <= quota) break
  }
  graphError(call, 429, 'TooManyRequests', 'Too many requests. Please try again later.', {
    headers: {
      'Retry-After': String(Math.max(1, Math.ceil((until - now) / 1000))),
      'x-ms-throttle-scope': `Tenant_Application/Read/${ctx.config.clientId}/${ctx.config.tenantId}`,
      'x-ms-throttle-information': 'ResourceUnitLimitExceeded'
    }
  })
  return false
}
