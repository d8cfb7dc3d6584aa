import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { createPublicKey, verify } from 'node:crypto'
import * as core from '@actions/core'
import { startEmulator, type Emulator } from './index.ts'
import { call } from './test-helpers.ts'

const decode = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>

describe('GitHub OIDC stub', () => {
  let emu: Emulator
  beforeAll(async () => {
    // core.getIDToken prints ::debug:: and ::add-mask:: workflow commands on stdout.
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    emu = await startEmulator({ startTime: '2025-03-10T14:00:00Z' })
  })
  afterAll(async () => {
    jest.restoreAllMocks()
    await emu.stop()
  })

  const fetchToken = (query: string, token = emu.oidc.requestToken) =>
    call(emu, 'GET', `${emu.oidc.requestUrl}${query}`, { headers: { Authorization: `Bearer ${token}` } })

  it('hands out a request URL that already has a query string (core appends &audience=)', () => {
    expect(emu.oidc.requestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_apis\/idtoken\?api-version=2\.0$/)
  })

  it('serves @actions/core.getIDToken and returns a signed RS256 JWT with GitHub claims', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = emu.oidc.requestUrl
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = emu.oidc.requestToken
    const jwt = await core.getIDToken('api://AzureADTokenExchange')
    const [h, p, s] = jwt.split('.')
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as { alg: string; kid: string }
    expect(header.alg).toBe('RS256')
    const claims = decode(jwt)
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'api://AzureADTokenExchange',
      sub: 'repo:contoso/hr-data:ref:refs/heads/main',
      repository: 'contoso/hr-data',
      repository_owner: 'contoso',
      repository_id: '2000002',
      repository_owner_id: '1000001',
      ref: 'refs/heads/main',
      event_name: 'push',
      workflow: 'HR sync',
      job_workflow_ref: 'contoso/hr-data/.github/workflows/hr-sync.yml@refs/heads/main',
      run_id: '9000000001'
    })
    expect(claims.iat).toBe(Date.parse('2025-03-10T14:00:00Z') / 1000)
    expect(claims.nbf).toBe(claims.iat)
    expect(claims.exp).toBe((claims.iat as number) + 300)
    expect(typeof claims.jti).toBe('string')
    expect(claims).not.toHaveProperty('environment')

    const jwks = await call(emu, 'GET', `${new URL(emu.oidc.requestUrl).origin}/.well-known/jwks`)
    const jwk = (jwks.json.keys as { kid: string }[]).find((k) => k.kid === header.kid)!
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url'))).toBe(true)
  })

  it('serves the OpenID configuration', async () => {
    const origin = new URL(emu.oidc.requestUrl).origin
    const conf = await call(emu, 'GET', `${origin}/.well-known/openid-configuration`)
    expect(conf.status).toBe(200)
    expect(conf.json).toMatchObject({
      issuer: 'https://token.actions.githubusercontent.com',
      jwks_uri: `${origin}/.well-known/jwks`,
      id_token_signing_alg_values_supported: ['RS256']
    })
  })

  it('requires the request token', async () => {
    expect((await fetchToken('&audience=x', 'wrong')).status).toBe(401)
    const none = await call(emu, 'GET', emu.oidc.requestUrl)
    expect(none.status).toBe(401)
  })

  it('defaults the audience to the owner URL when none is asked for', async () => {
    const r = await fetchToken('')
    expect(decode(r.json.value as string).aud).toBe('https://github.com/contoso')
  })

  it.each([
    [{ environment: 'Production:V1' }, 'repo:contoso/hr-data:environment:Production%3AV1'],
    [{ eventName: 'pull_request', ref: 'refs/pull/7/merge' }, 'repo:contoso/hr-data:pull_request'],
    [{ ref: 'refs/tags/v1.2.0' }, 'repo:contoso/hr-data:ref:refs/tags/v1.2.0'],
    [{ immutableSubject: true }, 'repo:contoso@1000001/hr-data@2000002:ref:refs/heads/main']
  ])('builds sub like GitHub for %j', async (run, sub) => {
    emu.setRun(run)
    try {
      const claims = decode(
        (await fetchToken('&audience=api%3A%2F%2FAzureADTokenExchange')).json.value as string
      )
      expect(claims.sub).toBe(sub)
      if ('environment' in run) expect(claims.environment).toBe(run.environment)
    } finally {
      emu.setRun({ environment: null, eventName: 'push', ref: 'refs/heads/main', immutableSubject: false })
    }
  })
})
