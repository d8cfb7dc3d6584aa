import type { IncomingMessage, ServerResponse } from 'node:http'

/** One request as the handlers see it: the body is already read. */
export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  method: string
  url: URL
  body: Buffer
  /** The body was longer than the limit (only its first bytes are kept). */
  bodyTooLarge: boolean
}

export function header(ex: Exchange, name: string): string | undefined {
  const v = ex.req.headers[name.toLowerCase()]
  return Array.isArray(v) ? v.join(', ') : v
}

export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= limit + 1) chunks.push(c)
    })
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit }))
    req.on('error', reject)
  })
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json; charset=utf-8'
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text)
  })
  res.end(text)
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 })
  res.end()
}

/** Parses an `application/x-www-form-urlencoded` body. */
export function formFields(ex: Exchange): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(ex.body.toString('utf8')))
}

/** A fault rule's status answer outside Graph (OIDC, Entra): a small JSON error and optional Retry-After. */
export function sendStatusFault(
  res: ServerResponse,
  rule: { status?: number; retryAfter?: number | string; code?: string; message?: string }
): void {
  const headers: Record<string, string> = {}
  if (rule.retryAfter !== undefined) headers['Retry-After'] = String(rule.retryAfter)
  sendJson(
    res,
    rule.status ?? 500,
    { error: rule.code ?? 'temporarily_unavailable', error_description: rule.message ?? 'Injected fault' },
    headers
  )
}
