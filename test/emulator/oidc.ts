import type { EmulatorContext } from './context.ts'
import type { WorkflowRun } from './config.ts'
import { header, sendJson, sendStatusFault, type Exchange } from './http.ts'
import { signJwt } from './jwt.ts'
import type { Route } from './route.ts'

/**
 * The GitHub Actions ID-token service, as `@actions/core.getIDToken` calls it:
 * `GET {ACTIONS_ID_TOKEN_REQUEST_URL}&audience=…` with `Authorization: Bearer {ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
 * answered with `{"value":"<jwt>"}`. The URL handed out already carries `?api-version=2.0` because core
 * appends `&audience=` blindly.
 */
const ID_TOKEN_PATH = '/_apis/idtoken'

export function oidcRequestUrl(ctx: EmulatorContext): string {
  return `${ctx.oidcUrl}${ID_TOKEN_PATH}?api-version=2.0`
}

/** GitHub's default subject: environment, then pull_request, then ref; `:` inside values becomes `%3A`. */
function githubSubject(run: WorkflowRun): string {
  const esc = (v: string): string => v.replace(/:/g, '%3A')
  const repo = run.immutableSubject
    ? `repo:${run.owner}@${run.ownerId}/${run.repo}@${run.repoId}`
    : `repo:${run.owner}/${run.repo}`
  if (run.environment) return `${repo}:environment:${esc(run.environment)}`
  if (run.eventName === 'pull_request') return `${repo}:pull_request`
  return `${repo}:ref:${esc(run.ref)}`
}

export function issueIdToken(ctx: EmulatorContext, audience?: string): string {
  const { run, issuer, lifetimeSec } = ctx.config.oidc
  const iat = Math.floor(ctx.clock.now() / 1000)
  const repository = `${run.owner}/${run.repo}`
  const workflowRef = `${repository}/${run.workflowPath}@${run.ref}`
  const claims: Record<string, unknown> = {
    jti: ctx.ids.guid(),
    sub: githubSubject(run),
    aud: audience ?? `https://github.com/${run.owner}`,
    ref: run.ref,
    sha: run.sha,
    repository,
    repository_owner: run.owner,
    repository_owner_id: String(run.ownerId),
    repository_id: String(run.repoId),
    repository_visibility: run.repositoryVisibility,
    run_id: String(run.runId),
    run_number: String(run.runNumber),
    run_attempt: String(run.runAttempt),
    actor: run.actor,
    actor_id: String(run.actorId),
    workflow: run.workflow,
    workflow_ref: workflowRef,
    workflow_sha: run.sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: run.sha,
    head_ref: '',
    base_ref: '',
    event_name: run.eventName,
    ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    ref_protected: 'false',
    runner_environment: 'github-hosted',
    ...(run.environment ? { environment: run.environment } : {}),
    iss: issuer,
    nbf: iat,
    exp: iat + lifetimeSec,
    iat
  }
  return signJwt(claims, ctx.keys.github)
}

export function routeOidc(ctx: EmulatorContext, ex: Exchange): Route | null {
  const path = ex.url.pathname
  if (path === ID_TOKEN_PATH)
    return {
      endpoint: 'oidc.token',
      handle: (fault) => (fault?.status ? sendStatusFault(ex.res, fault) : idToken(ctx, ex))
    }
  if (path === '/.well-known/openid-configuration')
    return {
      endpoint: 'oidc.discovery',
      handle: (fault) =>
        fault?.status
          ? sendStatusFault(ex.res, fault)
          : sendJson(ex.res, 200, {
              issuer: ctx.config.oidc.issuer,
              jwks_uri: `${ctx.oidcUrl}/.well-known/jwks`,
              subject_types_supported: ['public', 'pairwise'],
              response_types_supported: ['id_token'],
              claims_supported: [
                'sub',
                'aud',
                'exp',
                'iat',
                'iss',
                'jti',
                'nbf',
                'ref',
                'repository',
                'environment'
              ],
              id_token_signing_alg_values_supported: ['RS256'],
              scopes_supported: ['openid']
            })
    }
  if (path === '/.well-known/jwks')
    return {
      endpoint: 'oidc.discovery',
      handle: (fault) =>
        fault?.status
          ? sendStatusFault(ex.res, fault)
          : sendJson(ex.res, 200, { keys: [ctx.keys.github.jwk] })
    }
  return null
}

function idToken(ctx: EmulatorContext, ex: Exchange): void {
  if (ex.method !== 'GET') return sendJson(ex.res, 405, { message: 'Method Not Allowed' })
  if (header(ex, 'authorization') !== `Bearer ${ctx.config.oidc.requestToken}`)
    return sendJson(ex.res, 401, { message: 'Unauthorized: the request token is missing or invalid' })
  if (ex.url.searchParams.get('api-version') !== '2.0')
    return sendJson(ex.res, 400, { message: 'api-version=2.0 is required' })
  const audience = ex.url.searchParams.get('audience') ?? undefined
  sendJson(ex.res, 200, { value: issueIdToken(ctx, audience) })
}
