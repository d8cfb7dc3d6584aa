/**
 * Sign-in for apply mode: a GitHub OIDC ID token exchanged for a Graph token through a federated credential
 * (ClientAssertionCredential), or the client-secret / client-certificate fallbacks for runners without OIDC.
 * Tokens are masked and cached here (MSAL would ask GitHub for two ID tokens on every getToken call); errors
 * become one actionable line; AADSTS70021 (a federated credential that is still propagating) is retried.
 */
import type { TokenCredentialOptions } from '@azure/identity'
import { CLOUDS, graphScope, type CloudName } from '../common/clouds.ts'
import { ApplyStop } from './errors.ts'

export interface AccessTokenLike {
  token: string
  expiresOnTimestamp: number
}

export interface CredentialLike {
  getToken(scope: string): Promise<AccessTokenLike | null>
}

export type CredentialKind = 'oidc' | 'secret' | 'certificate'

/** The Graph bearer token, fetched once and refreshed ahead of expiry. */
export interface TokenSource {
  readonly kind: CredentialKind
  token(): Promise<string>
  /** Forgets the cached token and signs in again (after a 401). */
  refresh(): Promise<string>
}

export interface AuthLog {
  info(message: string): void
  warn(message: string): void
  debug(message: string): void
}

/** Who signs in, where, and with what: plain values (the action's apply settings fit this shape). */
export interface SignInSettings {
  tenantId: string
  clientId: string
  cloud: CloudName
  /** https origin of the sign-in service. */
  authorityHost: string
  /** True when the sign-in host was overridden: MSAL must then skip instance discovery. */
  authorityOverridden: boolean
  clientSecret: string | undefined
  clientCertificate: string | undefined
  timing: {
    /** Delay between AADSTS70021 retries. */
    credentialRetryMs: number
    /** Caps every wait (tests); Infinity in production. */
    maxWaitMs: number
  }
}

export interface AuthOptions {
  settings: SignInSettings
  env: NodeJS.ProcessEnv
  log: AuthLog
  setSecret: (value: string) => void
  getIdToken: ((audience: string) => Promise<string>) | undefined
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** Builds the credential; tests inject fakes. Defaults to @azure/identity. */
  createCredential?: (kind: CredentialKind, getAssertion: () => Promise<string>) => CredentialLike
  /** Extra @azure/identity options (tests: a policy that trusts the emulator's CA). */
  credentialOptions?: TokenCredentialOptions
}

/** Refresh this long before expiry, so a token never expires between the check and the call. */
const HEADROOM_MS = 5 * 60_000
/** AADSTS70021 attempts in all: a new federated credential can take a few minutes to be usable. */
const PROPAGATION_ATTEMPTS = 4

export function createTokenSource(options: AuthOptions): TokenSource {
  const cloud = CLOUDS[options.settings.cloud]
  const scope = graphScope(cloud)
  const kind = credentialKind(options.settings)
  checkCanSignIn(kind, options)
  const cache = new TokenCache(options, { kind, scope, audience: cloud.audience })
  return {
    kind,
    token: () => cache.token(),
    refresh: () => cache.refresh()
  }
}

/** A client certificate or secret, when given, is a fallback sign-in; else the federated credential. */
function credentialKind(settings: SignInSettings): CredentialKind {
  if (settings.clientCertificate) return 'certificate'
  if (settings.clientSecret) return 'secret'
  return 'oidc'
}

/** Stops at once when the job cannot get a GitHub OIDC token; says so when a fallback signs in instead. */
function checkCanSignIn(kind: CredentialKind, options: AuthOptions): void {
  const { env } = options
  if (kind === 'oidc' && (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)) {
    throw new ApplyStop(
      'oidc-unavailable',
      'No GitHub OIDC token is available: add `permissions: id-token: write` to the workflow job (pull requests from forks never get one; use a push, schedule or workflow_dispatch run), or pass client-secret / client-certificate.'
    )
  }
  if (kind !== 'oidc')
    options.log.info(
      `Signing in with the ${kind === 'secret' ? 'client secret' : 'client certificate'} fallback; the federated credential (OIDC) needs no stored secret.`
    )
}

/** What a sign-in asks for, and with which kind of credential. */
interface SignInTarget {
  kind: CredentialKind
  /** Graph's `.default` scope in the configured cloud. */
  scope: string
  /** The audience of the GitHub ID token (the cloud's token exchange). */
  audience: string
}

/**
 * The client assertions of the federated credential: a fresh GitHub ID token each time. The claims of the
 * first one are logged and kept, so that a sign-in error can say what was presented.
 */
class GitHubAssertions {
  readonly #options: AuthOptions
  readonly #audience: string
  #presented: Claims | undefined

  constructor(options: AuthOptions, audience: string) {
    this.#options = options
    this.#audience = audience
  }

  get presented(): Claims | undefined {
    return this.#presented
  }

  /** A bound function: the credential calls it on its own. */
  readonly next = async (): Promise<string> => {
    const options = this.#options
    if (!options.getIdToken)
      throw new ApplyStop('oidc-unavailable', 'This host cannot request a GitHub ID token.')
    let idToken: string
    try {
      // A fresh ID token for every assertion: they live about 5 minutes, and MSAL asks again when it needs one.
      idToken = await options.getIdToken(this.#audience)
    } catch (error) {
      throw new ApplyStop(
        'oidc-failed',
        `Could not get a GitHub ID token (${firstLine(error)}); check that the job has \`permissions: id-token: write\`.`
      )
    }
    // getIdToken (core.getIDToken) has masked it already.
    if (!this.#presented) {
      const presented = decodeClaims(idToken)
      this.#presented = presented
      options.log.info(
        `GitHub ID token presented: iss=${presented.iss}, sub=${presented.sub}, aud=${presented.aud}. ` +
          `The federated credential on app ${options.settings.clientId} must have exactly these issuer, subject and audience.`
      )
    }
    return idToken
  }
}

/**
 * The Graph token, masked and cached until shortly before it expires. Callers at the same time share one
 * sign-in; a refresh (after a 401) forgets the token and signs in again with a new credential.
 */
class TokenCache {
  readonly #options: AuthOptions
  readonly #target: SignInTarget
  readonly #assertions: GitHubAssertions
  readonly #build: (kind: CredentialKind, getAssertion: () => Promise<string>) => CredentialLike
  #credential: CredentialLike
  #cached: AccessTokenLike | undefined
  #headroom = HEADROOM_MS
  /** The sign-in under way, shared by everyone who asks meanwhile. */
  #pending: Promise<string> | undefined

  constructor(options: AuthOptions, target: SignInTarget) {
    this.#options = options
    this.#target = target
    this.#assertions = new GitHubAssertions(options, target.audience)
    this.#build =
      options.createCredential ??
      ((kind: CredentialKind, getAssertion: () => Promise<string>): CredentialLike =>
        identityCredential(kind, getAssertion, options))
    this.#credential = this.#newCredential()
  }

  async token(): Promise<string> {
    const cached = this.#cached
    if (cached && cached.expiresOnTimestamp - this.#options.now() > this.#headroom) return cached.token
    return this.#once()
  }

  async refresh(): Promise<string> {
    if (!this.#pending) {
      this.#cached = undefined
      // A new credential has an empty MSAL cache, so it really signs in again.
      this.#credential = this.#newCredential()
    }
    return this.#once()
  }

  #newCredential(): CredentialLike {
    return this.#build(this.#target.kind, this.#assertions.next)
  }

  #once(): Promise<string> {
    this.#pending ??= this.#acquire().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  /**
   * Signs in, retrying while a new federated credential propagates (AADSTS70021) and once for a GitHub token
   * that expired in flight (AADSTS700024); any other failure becomes one actionable ApplyStop.
   */
  async #acquire(): Promise<string> {
    const { settings, log } = this.#options
    let expiredAssertionRetried = false
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#signIn()
      } catch (error) {
        if (error instanceof ApplyStop) throw error
        const code = aadstsCode(error)
        log.debug(`Sign-in failed: ${firstLine(error)}`)
        if (code === 70021 && attempt < PROPAGATION_ATTEMPTS) {
          await waitForPropagation(this.#options, attempt)
        } else if (code === 700024 && !expiredAssertionRetried) {
          // The GitHub token expired in flight (or clocks disagree): one more try with a fresh one.
          expiredAssertionRetried = true
          this.#credential = this.#newCredential()
        } else {
          const { kind, audience } = this.#target
          throw new ApplyStop(
            code === undefined ? 'sign-in' : `AADSTS${code}`,
            describeSignInError(code, error, {
              settings,
              presented: this.#assertions.presented,
              audience,
              kind
            })
          )
        }
      }
    }
  }

  /** One sign-in; the token is masked before anything can print it, then cached. */
  async #signIn(): Promise<string> {
    const token = await this.#credential.getToken(this.#target.scope)
    if (!token) throw new Error('the credential returned no token')
    this.#options.setSecret(token.token)
    this.#cached = token
    // Short-lived tokens (emulator tests) would otherwise always count as expiring.
    this.#headroom = Math.min(HEADROOM_MS, (token.expiresOnTimestamp - this.#options.now()) / 4)
    return token.token
  }
}

/** After AADSTS70021: a new federated credential takes a few minutes to work, so wait longer each attempt. */
async function waitForPropagation(options: AuthOptions, attempt: number): Promise<void> {
  const { settings, log } = options
  const wait = Math.min(settings.timing.credentialRetryMs * attempt, settings.timing.maxWaitMs)
  log.warn(
    `AADSTS70021 (no matching federated credential), attempt ${attempt} of ${PROPAGATION_ATTEMPTS}: a new credential takes a few minutes to propagate; retrying in ${Math.round(wait / 1000)} s.`
  )
  await options.sleep(wait)
}

/**
 * The @azure/identity credential for the kind of sign-in. The library (MSAL with it, the largest part of the bundle)
 * is loaded on the first token request, so runs that never sign in (plan mode, and every worker thread) start
 * without it.
 */
function identityCredential(
  kind: CredentialKind,
  getAssertion: () => Promise<string>,
  options: AuthOptions
): CredentialLike {
  let loaded: Promise<CredentialLike> | undefined
  return {
    getToken: async (scope) => {
      loaded ??= import('@azure/identity').then((identity) =>
        newCredential(identity, kind, getAssertion, options)
      )
      return (await loaded).getToken(scope)
    }
  }
}

function newCredential(
  identity: typeof import('@azure/identity'),
  kind: CredentialKind,
  getAssertion: () => Promise<string>,
  options: AuthOptions
): CredentialLike {
  const { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential } = identity
  const { settings } = options
  const common = {
    ...options.credentialOptions,
    authorityHost: settings.authorityHost,
    // With a custom authority MSAL would otherwise ask login.microsoftonline.com to validate it.
    ...(settings.authorityOverridden ? { disableInstanceDiscovery: true } : {})
  }
  switch (kind) {
    case 'oidc':
      return new ClientAssertionCredential(settings.tenantId, settings.clientId, getAssertion, common)
    case 'secret':
      return new ClientSecretCredential(
        settings.tenantId,
        settings.clientId,
        settings.clientSecret ?? '',
        common
      )
    case 'certificate':
      return new ClientCertificateCredential(
        settings.tenantId,
        settings.clientId,
        { certificate: settings.clientCertificate ?? '' },
        common
      )
  }
}

export interface Claims {
  iss: string
  sub: string
  aud: string
  roles?: string[]
  /** GitHub ID tokens: the environment of the job, when it has one (its `sub` then ends in `:environment:NAME`). */
  environment?: string
}

/** Decodes a JWT's payload without verifying it: only to tell the user what was presented. Never logs the token. */
export function decodeClaims(jwt: string): Claims {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >
    const aud = Array.isArray(payload.aud) ? payload.aud.join(' ') : String(payload.aud ?? '?')
    const claims: Claims = { iss: String(payload.iss ?? '?'), sub: String(payload.sub ?? '?'), aud }
    if (Array.isArray(payload.roles)) claims.roles = payload.roles.map(String)
    if (typeof payload.environment === 'string' && payload.environment !== '')
      claims.environment = payload.environment
    return claims
  } catch {
    return { iss: '?', sub: '?', aud: '?' }
  }
}

/** Which environment the job ran in, and the subject a credential for it needs; or how environments change it. */
function environmentHint(presented: Claims | undefined): string {
  if (!presented || presented.sub === '?') return ''
  const repo = /^repo:[^:]+/.exec(presented.sub)?.[0] ?? 'repo:OWNER/REPO'
  if (presented.environment)
    return `The job runs in environment '${presented.environment}', so the credential needs the subject ${repo}:environment:${presented.environment}. `
  return `The job uses no environment; a job with 'environment: NAME' presents ${repo}:environment:NAME instead (one credential per environment). `
}

export function aadstsCode(error: unknown): number | undefined {
  const match = /AADSTS(\d+)/.exec(error instanceof Error ? error.message : String(error))
  return match ? Number(match[1]) : undefined
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return (message.split(/\r?\n/)[0] ?? '').slice(0, 300)
}

interface ErrorContext {
  settings: AuthOptions['settings']
  presented: Claims | undefined
  audience: string
  kind: CredentialKind
}

/** AADSTS codes → what to change, and where (docs/service-facts.md, "AADSTS errors"). */
export function describeSignInError(code: number | undefined, error: unknown, context: ErrorContext): string {
  const { settings, presented, audience } = context
  const app = `the app registration ${settings.clientId} (Entra admin centre → App registrations → Certificates & secrets → Federated credentials)`
  const iss = presented?.iss ?? 'https://token.actions.githubusercontent.com'
  const sub = presented?.sub ?? '(see the log above)'
  switch (code) {
    case 70021:
      return `AADSTS70021: no federated credential matches the GitHub token (issuer ${iss}, subject ${sub}, audience ${audience}). Add one with exactly these values to ${app}; a new one can take a few minutes to work.`
    case 700211:
      return `AADSTS700211: the federated credential's issuer does not match. Set it to exactly ${iss} (no trailing slash) on ${app}.`
    case 700212:
    case 7002121:
      return `AADSTS${code}: the federated credential's audience does not match. For cloud '${settings.cloud}' it must be ${audience}, on ${app}.`
    case 700213:
      return `AADSTS700213: no federated credential has the subject '${sub}' (the subject this job presented). ${environmentHint(presented)}Set the subject to exactly that (case-sensitive; environment, branch, tag and pull_request runs differ) on ${app}.`
    case 70025:
      return `AADSTS70025: the app ${settings.clientId} has no federated credentials. Add one (issuer ${iss}, subject ${sub}, audience ${audience}) to ${app} — the app registration, not the enterprise app.`
    case 700024:
      return `AADSTS700024: the GitHub token was outside its valid time, twice. Check the runner's clock; then re-run the job.`
    case 700016:
      return `AADSTS700016: no application with client-id ${settings.clientId} in tenant ${settings.tenantId}. Check the client-id and tenant-id inputs (and cloud '${settings.cloud}').`
    case 90002:
      return `AADSTS90002: tenant ${settings.tenantId} not found. Check the tenant-id input and the cloud input ('${settings.cloud}').`
    case 7000215:
      return `AADSTS7000215: the client secret is invalid. Pass the secret's value (not its id) to client-secret, or use the federated credential with permissions id-token: write.`
    case 7000222:
      return `AADSTS7000222: the client secret has expired. Create a new one on the app registration and update the repository secret, or switch to the federated credential.`
    case 700027:
      return `AADSTS700027: the client assertion failed signature validation. With client-certificate, upload the certificate's public part to the app registration.`
    case 7000112:
      return `AADSTS7000112: the application ${settings.clientId} is disabled. Enable its service principal (Enterprise applications → Properties → Enabled for users to sign in).`
    case 90038:
    case 900432:
      return `AADSTS${code}: the tenant is in another national cloud. Set the cloud input (public, usgov, usgovdod or china) to the tenant's cloud.`
    case 70011:
      return `AADSTS70011: invalid scope. The cloud input ('${settings.cloud}') must match the tenant's cloud.`
    case undefined:
      return `Sign-in to Entra failed: ${firstLine(error)}. Check tenant-id, client-id, cloud and authority-host.`
    default:
      return `Sign-in to Entra failed with AADSTS${code}: ${firstLine(error)} (see https://login.microsoftonline.com/error?code=${code}).`
  }
}
