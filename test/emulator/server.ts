import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorContext } from './context.ts'
import { isoTime } from './context.ts'
import { readBody, sendJson, type Exchange } from './http.ts'
import type { Route } from './route.ts'

export type Router = (ex: Exchange) => Route | null

/**
 * Request plumbing shared by both listeners: read the body, find the route, record the request, apply
 * the `drop`/`delayMs` part of a fault rule, then let the route answer. Control routes are neither
 * recorded nor subject to faults.
 */
async function onRequest(
  ctx: EmulatorContext,
  routers: Router[],
  req: IncomingMessage,
  res: ServerResponse
): Promise<void> {
  const { body, tooLarge } = await readBody(req, ctx.config.graph.maxBodyBytes)
  const ex: Exchange = {
    req,
    res,
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', 'http://127.0.0.1'),
    body,
    bodyTooLarge: tooLarge
  }
  let route: Route | null = null
  for (const r of routers) if ((route = r(ex))) break
  if (!route)
    return sendJson(res, 404, { error: 'not_found', message: `No emulated endpoint at ${ex.url.pathname}` })
  if (route.endpoint === 'control') return route.handle(null)

  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])
  )
  const rec = ctx.recorder.start({
    time: isoTime(ctx.clock.now()),
    endpoint: route.endpoint,
    method: ex.method,
    url: req.url ?? '/',
    headers,
    body: body.toString('utf8')
  })
  const fault = ctx.faults.match(route.endpoint)
  rec.fault = fault !== null
  if (fault?.delayMs) await sleep(fault.delayMs)
  if (fault?.drop) {
    ctx.recorder.finish(rec, null)
    req.socket.destroy()
    return
  }
  res.on('finish', () => ctx.recorder.finish(rec, res.statusCode))
  await route.handle(fault)
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function handler(ctx: EmulatorContext, routers: Router[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    onRequest(ctx, routers, req, res).catch((e: unknown) => {
      console.error('emulator: unhandled error', e)
      if (!res.headersSent) sendJson(res, 500, { error: 'emulator_error', message: String(e) })
      else res.destroy()
    })
  }
}

export interface Listeners {
  httpsPort: number
  oidcPort: number
  close(): Promise<void>
}

/** One HTTPS listener for Entra + Graph (MSAL insists on https) and one HTTP listener for GitHub OIDC. */
export async function startListeners(
  ctx: EmulatorContext,
  httpsRouters: Router[],
  oidcRouters: Router[],
  tls: { cert: string; key: string }
): Promise<Listeners> {
  const https = createHttpsServer({ cert: tls.cert, key: tls.key }, handler(ctx, httpsRouters))
  const http = createHttpServer(handler(ctx, oidcRouters))
  const [httpsPort, oidcPort] = await Promise.all([
    listen(https, ctx.config.port),
    listen(http, ctx.config.oidcPort)
  ])
  const close = (s: Server): Promise<void> =>
    new Promise((resolve) => {
      s.close(() => resolve())
      s.closeAllConnections()
    })
  return { httpsPort, oidcPort, close: async () => void (await Promise.all([close(https), close(http)])) }
}
