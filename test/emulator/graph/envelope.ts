import type { EmulatorContext } from '../context.ts'
import { header, sendEmpty, sendJson, type Exchange } from '../http.ts'

/** One Graph request: version prefix, path segments after it, and the ids every response carries. */
export interface GraphCall {
  ctx: EmulatorContext
  ex: Exchange
  version: 'v1.0' | 'beta'
  segments: string[]
  requestId: string
  clientRequestId: string
}

const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'

export function newCall(
  ctx: EmulatorContext,
  ex: Exchange,
  version: 'v1.0' | 'beta',
  segments: string[]
): GraphCall {
  const requestId = ctx.ids.guid()
  return {
    ctx,
    ex,
    version,
    segments,
    requestId,
    clientRequestId: header(ex, 'client-request-id') ?? requestId
  }
}

/** Headers on every Graph response: request-id, client-request-id (echoed), x-ms-ags-diagnostic, Date. */
function graphHeaders(call: GraphCall): Record<string, string> {
  return {
    'request-id': call.requestId,
    'client-request-id': call.clientRequestId,
    'x-ms-ags-diagnostic': JSON.stringify({
      ServerInfo: {
        DataCenter: 'Local Emulator',
        Slice: 'E',
        Ring: '0',
        ScaleUnit: '000',
        RoleInstance: 'EMU'
      }
    }),
    Date: new Date(call.ctx.clock.now()).toUTCString(),
    'Cache-Control': 'no-cache'
  }
}

export interface ErrorDetail {
  code: string
  message: string
  target?: string
}

/** The Graph error envelope with `innerError {date, request-id, client-request-id}`. */
export function graphError(
  call: GraphCall,
  status: number,
  code: string,
  message: string,
  extra: { headers?: Record<string, string>; details?: ErrorDetail[] } = {}
): void {
  const date = new Date(call.ctx.clock.now()).toISOString().replace(/\.\d+Z$/, '')
  sendJson(
    call.ex.res,
    status,
    {
      error: {
        code,
        message,
        ...(extra.details ? { details: extra.details } : {}),
        innerError: { date, 'request-id': call.requestId, 'client-request-id': call.clientRequestId }
      }
    },
    { ...graphHeaders(call), ...extra.headers },
    ODATA_JSON
  )
}

export function graphJson(
  call: GraphCall,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  sendJson(call.ex.res, status, body, { ...graphHeaders(call), ...headers }, ODATA_JSON)
}

export function graphEmpty(call: GraphCall, status: number, headers: Record<string, string> = {}): void {
  sendEmpty(call.ex.res, status, { ...graphHeaders(call), ...headers })
}

/** Default codes for injected status faults. */
export const STATUS_CODES: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Too many requests. Please try again later.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please try again later.'],
  504: ['GatewayTimeout', 'The gateway timed out.']
}
