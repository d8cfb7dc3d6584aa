import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Emulator } from './index.ts'

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

/** A plain HTTP(S) call that trusts the emulator's CA (jest cannot set NODE_EXTRA_CA_CERTS). */
export function call(
  emu: Emulator,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {}
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(u, { method, headers: options.headers, ca: emu.ca, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = text ? JSON.parse(text) : undefined
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A Graph call with a freshly minted token (override with `token`, or `token: null` for none). */
export function graph(
  emu: Emulator,
  method: string,
  path: string,
  options: {
    token?: string | null
    body?: unknown
    contentType?: string
    headers?: Record<string, string>
  } = {}
): Promise<Reply> {
  const token = options.token === undefined ? emu.issueGraphToken() : options.token
  const headers: Record<string, string> = { ...options.headers }
  if (token) headers.Authorization = `Bearer ${token}`
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['Content-Type'] = options.contentType ?? 'application/json'
  }
  return call(emu, method, `${emu.graphBaseUrl}${path}`, { headers, body })
}

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

/** A SCIM user with sensible defaults for the emulator's default tenant. */
export function scimUser(externalId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const first = `User${externalId}`
  return {
    schemas: [CORE, ENTERPRISE],
    externalId,
    userName: `${first.toLowerCase()}@contoso.example`,
    name: { givenName: first, familyName: 'Test' },
    displayName: `${first} Test`,
    active: true,
    [ENTERPRISE]: { department: 'Engineering' },
    ...extra
  }
}

export function bulkRequest(users: Record<string, unknown>[]): Record<string, unknown> {
  return {
    schemas: [BULK],
    Operations: users.map((data, i) => ({
      method: 'POST',
      bulkId: `b${i}-${String(data.externalId)}`,
      path: '/Users',
      data
    })),
    failOnErrors: null
  }
}

export function bulkPath(emu: Emulator, version = 'v1.0'): string {
  return `/${version}/servicePrincipals/${emu.servicePrincipalId}/synchronization/jobs/${emu.jobId}/bulkUpload`
}

/** POSTs users to bulkUpload with the right content type. */
export function upload(
  emu: Emulator,
  users: Record<string, unknown>[],
  options: { version?: string; token?: string | null; headers?: Record<string, string> } = {}
): Promise<Reply> {
  return graph(emu, 'POST', bulkPath(emu, options.version), {
    token: options.token,
    body: bulkRequest(users),
    contentType: 'application/scim+json',
    headers: options.headers
  })
}

/** Uploads and runs the processing cycle by advancing the emulator clock. */
export async function uploadAndProcess(emu: Emulator, users: Record<string, unknown>[]): Promise<Reply> {
  const reply = await upload(emu, users)
  emu.clock.advance(emu.config.processing.delayMs)
  return reply
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
