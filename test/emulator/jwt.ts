import { sign, verify } from 'node:crypto'
import type { SigningKey } from './certs.ts'

export type JwtPayload = Record<string, unknown>

export interface DecodedJwt {
  header: Record<string, unknown>
  payload: JwtPayload
  signingInput: string
  signature: Buffer
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export function signJwt(payload: JwtPayload, key: SigningKey, typ = 'JWT'): string {
  const input = `${b64({ alg: 'RS256', typ, kid: key.kid })}.${b64(payload)}`
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`
}

/** Parses a compact JWS without checking it; null when it is not one. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown
    if (!isObject(header) || !isObject(payload)) return null
    return {
      header,
      payload,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url')
    }
  } catch {
    return null
  }
}

/** True when the token is RS256 and signed by one of `keys` (selected by `kid`). */
export function hasValidSignature(jwt: DecodedJwt, keys: SigningKey[]): boolean {
  if (jwt.header.alg !== 'RS256') return false
  const key = keys.find((k) => k.kid === jwt.header.kid)
  return !!key && verify('sha256', Buffer.from(jwt.signingInput), key.publicKey, jwt.signature)
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
