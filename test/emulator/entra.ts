import type { EmulatorContext } from './context.ts'
import type { FaultRule } from './faults.ts'
import { formFields, header, sendJson, sendStatusFault, type Exchange } from './http.ts'
import { decodeJwt, hasValidSignature, signJwt, type DecodedJwt } from './jwt.ts'
import { sendAadsts } from './entra-errors.ts'
import { stableGuid } from './ids.ts'
import type { Route } from './route.ts'

/**
 * The Entra ID token endpoint (v2.0) as MSAL uses it with `disableInstanceDiscovery: true`: the tenant's
 * OpenID configuration, its signing keys, and the client-credentials grant with a federated
 * `client_assertion` (GitHub OIDC token) or a `client_secret`.
 */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000'

export function graphTokenIssuer(ctx: EmulatorContext): string {
  return ctx.config.graph.tokenIssuer ?? `https://sts.windows.net/${ctx.config.tenantId}/`
}

/** Mints a Graph access token for the configured app (also what a successful exchange returns). */
export function mintGraphToken(
  ctx: EmulatorContext,
  options: { roles?: string[]; lifetimeSec?: number; audience?: string; viaSecret?: boolean } = {}
): string {
  const { config } = ctx
  const iat = Math.floor(ctx.clock.now() / 1000)
  const oid = stableGuid(`sp:${config.clientId}`)
  const roles = options.roles ?? config.roles
  return signJwt(
    {
      aud: options.audience ?? config.entra.graphResource,
      iss: graphTokenIssuer(ctx),
      iat,
      nbf: iat,
      exp: iat + (options.lifetimeSec ?? config.entra.accessTokenLifetimeSec),
      app_displayname: config.appDisplayName,
      appid: config.clientId,
      appidacr: options.viaSecret ? '1' : '2',
      idp: `https://sts.windows.net/${config.tenantId}/`,
      idtyp: 'app',
      oid,
      ...(roles.length ? { roles } : {}),
      sub: oid,
      tid: config.tenantId,
      uti: ctx.ids.guid(),
      ver: '1.0'
    },
    ctx.keys.entra
  )
}

type TenantKind = 'known' | 'multi' | 'unknown'

function tenantKind(ctx: EmulatorContext, tenant: string): TenantKind {
  const t = tenant.toLowerCase()
  if (t === ctx.config.tenantId.toLowerCase() || ctx.config.tenantDomains.some((d) => d.toLowerCase() === t))
    return 'known'
  return ['common', 'organizations', 'consumers'].includes(t) ? 'multi' : 'unknown'
}

export function routeEntra(ctx: EmulatorContext, ex: Exchange): Route | null {
  const m =
    /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(
      ex.url.pathname
    )
  if (!m) return null
  const tenant = decodeURIComponent(m[1]!)
  const what = m[2]!
  if (what.endsWith('token'))
    return { endpoint: 'entra.token', handle: (fault) => token(ctx, ex, tenant, fault) }
  return {
    endpoint: 'entra.discovery',
    handle: (fault) => {
      if (fault?.status) return sendStatusFault(ex.res, fault)
      if (tenantKind(ctx, tenant) === 'unknown') return aadsts(ctx, ex, 90002, { tenant })
      if (what.endsWith('keys')) return sendJson(ex.res, 200, { keys: [ctx.keys.entra.jwk] })
      sendJson(ex.res, 200, openidConfiguration(ctx))
    }
  }
}

function openidConfiguration(ctx: EmulatorContext): Record<string, unknown> {
  const tid = ctx.config.tenantId
  const base = `${ctx.baseUrl}/${tid}`
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    // MSAL requires the issuer on the authority's own https host:port.
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    msgraph_host: new URL(ctx.config.entra.graphResource).host
  }
}

function aadsts(ctx: EmulatorContext, ex: Exchange, code: number, params: Record<string, string>): void {
  const correlationId =
    header(ex, 'client-request-id') ?? ex.url.searchParams.get('client-request-id') ?? ctx.ids.guid()
  sendAadsts(ex.res, code, params, {
    nowMs: ctx.clock.now(),
    traceId: ctx.ids.guid(),
    correlationId,
    errorUriBase: ctx.baseUrl
  })
}

function token(ctx: EmulatorContext, ex: Exchange, tenant: string, fault: FaultRule | null): void {
  const { config } = ctx
  const form = formFields(ex)
  const claims = form.client_assertion ? decodeJwt(form.client_assertion) : null
  const claim = (jwt: DecodedJwt | null, name: string): string => {
    const v = jwt?.payload[name]
    return Array.isArray(v) ? v.join(',') : String(v ?? '')
  }
  const fail = (code: number, extra: Record<string, string> = {}): void =>
    aadsts(ctx, ex, code, {
      tenant,
      clientId: form.client_id ?? '',
      appName: config.appDisplayName,
      iss: claim(claims, 'iss'),
      sub: claim(claims, 'sub'),
      aud: claim(claims, 'aud'),
      ...extra
    })

  if (fault?.status) return sendStatusFault(ex.res, fault)
  if (ex.method !== 'POST') return fail(900561, { method: ex.method })
  const kind = tenantKind(ctx, tenant)
  if (kind === 'unknown') return fail(90002)
  if (kind === 'multi') return fail(9001023)
  if (fault?.aadsts) return fail(fault.aadsts)
  if (!form.grant_type) return fail(900144, { param: 'grant_type' })
  if (form.grant_type !== 'client_credentials') return fail(70003, { grant: form.grant_type })
  if (!form.client_id) return fail(900144, { param: 'client_id' })
  if (form.client_id !== config.clientId) return fail(700016)
  if (config.appDisabled) return fail(7000112)
  if (!form.scope) return fail(900144, { param: 'scope' })
  if (!validScope(ctx, form.scope)) return fail(70011, { scope: form.scope })

  if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER) return fail(900144, { param: 'client_assertion_type' })
    const err = checkAssertion(ctx, claims)
    if (err) return fail(err.code, err.params)
  } else if (form.client_secret !== undefined) {
    const secret = config.clientSecrets.find((s) => s.value === form.client_secret)
    if (!secret) return fail(7000215)
    if (secret.expiresAt && Date.parse(secret.expiresAt) <= ctx.clock.now()) return fail(7000222)
  } else {
    return fail(7000218)
  }

  sendJson(ex.res, 200, {
    token_type: 'Bearer',
    expires_in: config.entra.accessTokenLifetimeSec,
    ext_expires_in: config.entra.accessTokenLifetimeSec,
    access_token: mintGraphToken(ctx, { viaSecret: form.client_assertion === undefined })
  })
}

/** One resource's `/.default`: the configured Graph host or Graph's app id. */
function validScope(ctx: EmulatorContext, scope: string): boolean {
  const scopes = scope.split(' ').filter(Boolean)
  if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default')) return false
  const resource = scopes[0]!.slice(0, -'/.default'.length).replace(/\/$/, '')
  return resource === ctx.config.entra.graphResource.replace(/\/$/, '') || resource === GRAPH_APP_ID
}

/**
 * Federated credential checks, in the order the emulator applies them: a credential for the issuer,
 * the signature (keys of the emulated GitHub issuer), the lifetime, then subject and audience, all
 * compared exactly and case-sensitively.
 */
function checkAssertion(
  ctx: EmulatorContext,
  jwt: DecodedJwt | null
): { code: number; params?: Record<string, string> } | null {
  const { config } = ctx
  if (!jwt) return { code: 50027 }
  const { iss, sub, aud } = jwt.payload
  const auds = Array.isArray(aud) ? aud.map(String) : [String(aud ?? '')]
  const fics = config.federatedCredentials
  if (fics.length === 0) return { code: 70025 }
  const generic = config.entra.ficErrors === 'generic'
  const byIssuer = fics.filter((f) => f.issuer === iss)
  if (byIssuer.length === 0) return { code: generic ? 70021 : 700211 }
  const trusted = iss === config.oidc.issuer ? [ctx.keys.github] : []
  if (!hasValidSignature(jwt, trusted)) return { code: 700027 }
  const now = ctx.clock.now() / 1000
  const skew = config.entra.assertionSkewSec
  const exp = typeof jwt.payload.exp === 'number' ? jwt.payload.exp : NaN
  const nbf = typeof jwt.payload.nbf === 'number' ? jwt.payload.nbf : 0
  if (!(now <= exp + skew) || nbf > now + skew) {
    const fmt = (s: number): string => (Number.isFinite(s) ? new Date(s * 1000).toISOString() : 'unknown')
    return { code: 700024, params: { now: fmt(now), nbf: fmt(nbf), exp: fmt(exp) } }
  }
  const bySubject = byIssuer.filter((f) => f.subject === sub)
  if (bySubject.length === 0) return { code: generic ? 70021 : 700213 }
  if (!bySubject.some((f) => f.audiences.some((a) => auds.includes(a))))
    return { code: generic ? 70021 : 700212 }
  return null
}
