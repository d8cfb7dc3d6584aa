import type { EmulatorContext } from '../context.ts'
import { header } from '../http.ts'
import { decodeJwt, hasValidSignature, type JwtPayload } from '../jwt.ts'
import { graphTokenIssuer } from '../entra.ts'
import { graphError, type GraphCall } from './envelope.ts'

/** Application permissions each Graph area accepts (any one of them; `A+B` needs both A and B). */
export function permissionsFor(
  ctx: EmulatorContext,
  area: 'upload' | 'logs' | 'jobRead' | 'jobWrite' | 'users'
): string[] {
  const owned = ctx.config.ownsProvisioningApp
  switch (area) {
    case 'upload':
      return [
        'SynchronizationData-User.Upload',
        ...(owned ? ['SynchronizationData-User.Upload.OwnedBy'] : [])
      ]
    case 'logs':
      // The v1.0 reference: AuditLog.Read.All and Directory.Read.All; current Entra guidance: ProvisioningLog.Read.All.
      return ['ProvisioningLog.Read.All', 'AuditLog.Read.All+Directory.Read.All']
    case 'jobRead':
      return [
        'Synchronization.Read.All',
        'Synchronization.ReadWrite.All',
        ...(owned ? ['Application.ReadWrite.OwnedBy'] : [])
      ]
    case 'jobWrite':
      return ['Synchronization.ReadWrite.All', ...(owned ? ['Application.ReadWrite.OwnedBy'] : [])]
    case 'users':
      return ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All']
  }
}

/** Validates the bearer token (signature, issuer, audience, tenant, lifetime); writes the 401 itself. */
export function authenticate(call: GraphCall): JwtPayload | null {
  const { ctx } = call
  const deny = (message: string): null => {
    graphError(call, 401, 'InvalidAuthenticationToken', message, {
      headers: {
        'WWW-Authenticate':
          'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
      }
    })
    return null
  }
  const auth = header(call.ex, 'authorization')
  if (!auth) return deny('Access token is empty.')
  const m = /^Bearer\s+(\S+)$/i.exec(auth)
  const jwt = m ? decodeJwt(m[1]!) : null
  if (!jwt) return deny('IDX14100: JWT is not well formed, there are no dots (.).')
  if (!hasValidSignature(jwt, [ctx.keys.entra]))
    return deny('Access token validation failure. Invalid signature.')
  const p = jwt.payload
  if (p.iss !== graphTokenIssuer(ctx)) return deny('Access token validation failure. Invalid issuer.')
  if (!ctx.config.graph.acceptedAudiences.includes(String(p.aud)))
    return deny('Access token validation failure. Invalid audience.')
  if (p.tid !== ctx.config.tenantId) return deny('Access token validation failure. Invalid tenant.')
  const now = ctx.clock.now() / 1000
  const skew = ctx.config.graph.clockSkewSec
  if (typeof p.exp !== 'number' || now > p.exp + skew || (typeof p.nbf === 'number' && p.nbf > now + skew))
    return deny('Access token has expired or is not yet valid.')
  return p
}

/** Checks the token's `roles` for one of the permissions; writes the 403 itself. */
export function authorize(call: GraphCall, claims: JwtPayload, anyOf: string[]): boolean {
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : []
  if (anyOf.some((r) => r.split('+').every((part) => roles.includes(part)))) return true
  graphError(call, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', {
    details: [
      {
        code: 'MissingPermission',
        message: `One of these application permissions is required: ${anyOf.map((r) => r.replace('+', ' with ')).join(', ')}.`
      }
    ]
  })
  return false
}
