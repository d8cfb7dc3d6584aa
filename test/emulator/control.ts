import type { EmulatorContext } from './context.ts'
import type { JobStatusCode } from './config.ts'
import type { FaultRule } from './faults.ts'
import { sendJson, type Exchange } from './http.ts'
import { isObject } from './jwt.ts'
import type { Route } from './route.ts'
import { setStatus } from './graph/job.ts'

/**
 * The inspection and control endpoint under `/_emulator/` (for the CLI, the demo and out-of-process
 * tests): GET inspect, POST clock/advance {ms}, POST faults {rule} / DELETE faults, POST job/status
 * {code, reason?}. In-process tests use the same operations through the `Emulator` object.
 */
export function routeControl(ctx: EmulatorContext, ex: Exchange, inspect: () => unknown): Route | null {
  const path = ex.url.pathname
  if (!path.startsWith('/_emulator/')) return null
  return { endpoint: 'control', handle: () => control(ctx, ex, path.slice('/_emulator/'.length), inspect) }
}

function control(ctx: EmulatorContext, ex: Exchange, what: string, inspect: () => unknown): void {
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = ex.body.length ? JSON.parse(ex.body.toString('utf8')) : {}
    if (isObject(parsed)) body = parsed
  } catch {
    return sendJson(ex.res, 400, { error: 'invalid JSON' })
  }
  const ok = (): void => sendJson(ex.res, 200, { ok: true, now: new Date(ctx.clock.now()).toISOString() })
  try {
    if (what === 'inspect' && ex.method === 'GET') return sendJson(ex.res, 200, inspect())
    if (what === 'clock/advance' && ex.method === 'POST') {
      ctx.clock.advance(Number(body.ms ?? 0))
      return ok()
    }
    if (what === 'faults' && ex.method === 'POST') {
      ctx.faults.add(body as unknown as FaultRule)
      return ok()
    }
    if (what === 'faults' && ex.method === 'DELETE') {
      ctx.faults.clear()
      return ok()
    }
    if (what === 'job/status' && ex.method === 'POST') {
      const code = String(body.code) as JobStatusCode
      if (!['Active', 'Paused', 'Quarantine', 'NotRun'].includes(code))
        throw new Error(`unknown job status ${code}`)
      const job = ctx.jobs.values().next().value!
      setStatus(ctx, job, code, typeof body.reason === 'string' ? body.reason : undefined)
      return ok()
    }
  } catch (e) {
    return sendJson(ex.res, 400, { error: String(e) })
  }
  sendJson(ex.res, 404, { error: `unknown control call ${ex.method} /_emulator/${what}` })
}
