import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { ClientAssertionCredential } from '@azure/identity'
import { startEmulator, type Emulator } from './index.ts'
import { call, graph, GUID } from './test-helpers.ts'

const decode = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>

async function idToken(emu: Emulator, audience = 'api://AzureADTokenExchange'): Promise<string> {
  const r = await call(emu, 'GET', `${emu.oidc.requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { Authorization: `Bearer ${emu.oidc.requestToken}` }
  })
  return r.json.value as string
}

function exchange(
  emu: Emulator,
  fields: Record<string, string>,
  tenant = emu.tenantId,
  headers: Record<string, string> = {}
) {
  return call(emu, 'POST', `${emu.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString()
  })
}

async function assertionFields(emu: Emulator, assertion?: string): Promise<Record<string, string>> {
  return {
    client_id: emu.clientId,
    scope: 'https://graph.microsoft.com/.default',
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion ?? (await idToken(emu))
  }
}

describe('Entra token endpoint', () => {
  let emu: Emulator
  beforeAll(async () => {
    // core.getIDToken prints ::debug:: and ::add-mask:: workflow commands on stdout.
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    emu = await startEmulator({
      startTime: '2025-03-10T14:00:00Z',
      clientSecrets: [{ value: 'good-secret' }, { value: 'old-secret', expiresAt: '2025-01-01T00:00:00Z' }]
    })
  })
  afterAll(async () => {
    jest.restoreAllMocks()
    await emu.stop()
  })

  it('lets the real @azure/identity ClientAssertionCredential obtain a Graph token with an emulated GitHub OIDC token', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = emu.oidc.requestUrl
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = emu.oidc.requestToken
    const ca = emu.ca
    const credential = new ClientAssertionCredential(
      emu.tenantId,
      emu.clientId,
      () => core.getIDToken('api://AzureADTokenExchange'),
      {
        authorityHost: emu.authorityHost,
        disableInstanceDiscovery: true,
        additionalPolicies: [
          {
            position: 'perCall',
            policy: {
              name: 'trust-emulator-ca',
              sendRequest: (request, next) => {
                request.tlsSettings = { ca }
                return next(request)
              }
            }
          }
        ]
      }
    )
    const token = await credential.getToken('https://graph.microsoft.com/.default')
    const claims = decode(token.token)
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      tid: emu.tenantId,
      appid: emu.clientId,
      idtyp: 'app',
      roles: expect.arrayContaining(['SynchronizationData-User.Upload'])
    })
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now())
    const job = await graph(
      emu,
      'GET',
      `/v1.0/servicePrincipals/${emu.servicePrincipalId}/synchronization/jobs/${emu.jobId}`,
      {
        token: token.token
      }
    )
    expect(job.status).toBe(200)
    const seen = emu.inspect().requests.map((r) => `${r.method} ${r.endpoint}`)
    expect(seen).toEqual(
      expect.arrayContaining(['GET oidc.token', 'GET entra.discovery', 'POST entra.token'])
    )
  })

  it('serves the OpenID configuration MSAL reads, with the issuer on the same https host:port', async () => {
    for (const tenant of [emu.tenantId, 'contoso.onmicrosoft.com']) {
      const r = await call(emu, 'GET', `${emu.authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`)
      expect(r.status).toBe(200)
      expect(r.json).toMatchObject({
        issuer: `${emu.authorityHost}/${emu.tenantId}/v2.0`,
        token_endpoint: `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
        authorization_endpoint: `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize`,
        jwks_uri: `${emu.authorityHost}/${emu.tenantId}/discovery/v2.0/keys`
      })
    }
    const keys = await call(emu, 'GET', `${emu.authorityHost}/${emu.tenantId}/discovery/v2.0/keys`)
    expect(keys.json.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    const unknown = await call(
      emu,
      'GET',
      `${emu.authorityHost}/nope.example/v2.0/.well-known/openid-configuration`
    )
    expect(unknown.status).toBe(400)
    expect(unknown.json.error_codes).toEqual([90002])
  })

  it('issues Graph tokens for a valid federated assertion, with the configured roles', async () => {
    const r = await exchange(emu, await assertionFields(emu))
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 })
    const claims = decode(r.json.access_token as string)
    expect(claims.exp).toBe((claims.iat as number) + 3599)
    expect(claims.roles).toEqual(emu.config.roles)
    expect(claims.iss).toBe(`https://sts.windows.net/${emu.tenantId}/`)
  })

  it('accepts a client secret', async () => {
    const r = await exchange(emu, {
      client_id: emu.clientId,
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
      client_secret: 'good-secret'
    })
    expect(r.status).toBe(200)
  })

  it('answers with the real AADSTS error body shape and echoes client-request-id as correlation_id', async () => {
    const r = await exchange(
      emu,
      { ...(await assertionFields(emu)), client_id: 'not-an-app' },
      emu.tenantId,
      {
        'client-request-id': '11111111-2222-4333-8444-555555555555'
      }
    )
    expect(r.status).toBe(400)
    expect(Object.keys(r.json).sort()).toEqual(
      [
        'correlation_id',
        'error',
        'error_codes',
        'error_description',
        'error_uri',
        'timestamp',
        'trace_id'
      ].sort()
    )
    expect(r.json.error).toBe('unauthorized_client')
    expect(r.json.error_codes).toEqual([700016])
    expect(r.json.error_description).toMatch(
      /^AADSTS700016: Application with identifier 'not-an-app' was not found/
    )
    expect(r.json.error_description).toContain('\r\nTrace ID: ')
    expect(r.json.correlation_id).toBe('11111111-2222-4333-8444-555555555555')
    expect(r.json.trace_id).toMatch(GUID)
    expect(r.json.timestamp).toBe('2025-03-10 14:00:00Z')
  })

  describe('AADSTS codes', () => {
    const expectCode = (
      r: { status: number; json: { error_codes: number[]; error_description: string } },
      code: number
    ) => {
      expect(r.json.error_codes).toEqual([code])
      expect(r.json.error_description.startsWith(`AADSTS${code}:`)).toBe(true)
    }

    it('90002 unknown tenant, 9001023 /common', async () => {
      expectCode(await exchange(emu, await assertionFields(emu), 'unknown-tenant.example'), 90002)
      expectCode(await exchange(emu, await assertionFields(emu), 'common'), 9001023)
    })

    it('700016 unknown client, 7000112 disabled app', async () => {
      expectCode(await exchange(emu, { ...(await assertionFields(emu)), client_id: 'x' }), 700016)
      emu.config.appDisabled = true
      expectCode(await exchange(emu, await assertionFields(emu)), 7000112)
      emu.config.appDisabled = false
    })

    it('900144 missing parameter, 70003 wrong grant, 70011 bad scope, 7000218 no credential', async () => {
      const fields = await assertionFields(emu)
      const { grant_type: _g, ...noGrant } = fields
      expectCode(await exchange(emu, noGrant), 900144)
      expectCode(await exchange(emu, { ...fields, grant_type: 'password' }), 70003)
      expectCode(await exchange(emu, { ...fields, scope: 'https://graph.microsoft.com/User.Read' }), 70011)
      expectCode(await exchange(emu, { ...fields, scope: 'https://management.azure.com/.default' }), 70011)
      const { client_assertion: _a, client_assertion_type: _t, ...noCred } = fields
      expectCode(await exchange(emu, noCred), 7000218)
    })

    it('700213 subject mismatch (also on case only), the message printing the subject', async () => {
      emu.setRun({ environment: 'production' })
      const r = await exchange(emu, await assertionFields(emu))
      expectCode(r, 700213)
      expect(r.json.error_description).toContain(
        "assertion subject 'repo:contoso/hr-data:environment:production'"
      )
      emu.setRun({ environment: null, owner: 'Contoso' })
      expectCode(await exchange(emu, await assertionFields(emu)), 700213)
      emu.setRun({ owner: 'contoso' })
    })

    it('700212 audience mismatch', async () => {
      expectCode(
        await exchange(
          emu,
          await assertionFields(emu, await idToken(emu, 'api://AzureADTokenExchangeUSGov'))
        ),
        700212
      )
    })

    it('700211 issuer mismatch', async () => {
      const saved = emu.config.federatedCredentials
      emu.config.federatedCredentials = [
        { ...saved[0]!, issuer: 'https://token.actions.githubusercontent.com/' }
      ]
      const r = await exchange(emu, await assertionFields(emu))
      emu.config.federatedCredentials = saved
      expectCode(r, 700211)
    })

    it('70021 for every mismatch in generic mode, 70025 without credentials', async () => {
      emu.config.entra.ficErrors = 'generic'
      emu.setRun({ environment: 'production' })
      const r = await exchange(emu, await assertionFields(emu))
      emu.config.entra.ficErrors = 'specific'
      emu.setRun({ environment: null })
      expectCode(r, 70021)
      expect(r.json.error_description).toContain(
        "Assertion Subject: 'repo:contoso/hr-data:environment:production'"
      )
      const saved = emu.config.federatedCredentials
      emu.config.federatedCredentials = []
      const none = await exchange(emu, await assertionFields(emu))
      emu.config.federatedCredentials = saved
      expectCode(none, 70025)
    })

    it('700024 expired assertion (clock moved past exp)', async () => {
      const assertion = await idToken(emu)
      emu.clock.advance(301_000)
      const r = await exchange(emu, await assertionFields(emu, assertion))
      expectCode(r, 700024)
      expect(r.json.error_description).toContain('Client assertion is not within its valid time range')
      expect((await exchange(emu, await assertionFields(emu))).status).toBe(200)
    })

    it('700027 bad signature, 50027 malformed assertion', async () => {
      const [h, p, s] = (await idToken(emu)).split('.')
      const forged = `${h}.${p}.${s!.slice(0, -4)}AAAA`
      expectCode(await exchange(emu, await assertionFields(emu, forged)), 700027)
      expectCode(await exchange(emu, await assertionFields(emu, 'not-a-jwt')), 50027)
    })

    it('7000215 wrong secret, 7000222 expired secret', async () => {
      const base = {
        client_id: emu.clientId,
        scope: 'https://graph.microsoft.com/.default',
        grant_type: 'client_credentials'
      }
      const wrong = await exchange(emu, { ...base, client_secret: 'nope' })
      expect(wrong.status).toBe(401)
      expectCode(wrong, 7000215)
      expectCode(await exchange(emu, { ...base, client_secret: 'old-secret' }), 7000222)
    })

    it('fails the first N exchanges with 70021 when asked (FIC propagation)', async () => {
      emu.faults.add({ target: 'entra.token', to: 2, aadsts: 70021 })
      expectCode(await exchange(emu, await assertionFields(emu)), 70021)
      expectCode(await exchange(emu, await assertionFields(emu)), 70021)
      expect((await exchange(emu, await assertionFields(emu))).status).toBe(200)
      emu.faults.clear()
    })
  })

  it('supports another cloud: the Graph resource of the scope and of the token audience', async () => {
    const gov = await startEmulator({
      entra: { graphResource: 'https://graph.microsoft.us' },
      graph: { acceptedAudiences: ['https://graph.microsoft.us'] },
      federatedCredentials: [
        {
          name: 'gov',
          issuer: 'https://token.actions.githubusercontent.com',
          subject: 'repo:contoso/hr-data:ref:refs/heads/main',
          audiences: ['api://AzureADTokenExchangeUSGov']
        }
      ]
    })
    try {
      const fields = await assertionFields(gov, await idToken(gov, 'api://AzureADTokenExchangeUSGov'))
      expect((await exchange(gov, fields)).json.error_codes).toEqual([70011])
      const ok = await exchange(gov, { ...fields, scope: 'https://graph.microsoft.us/.default' })
      expect(decode(ok.json.access_token as string).aud).toBe('https://graph.microsoft.us')
      const job = `/v1.0/servicePrincipals/${gov.servicePrincipalId}/synchronization/jobs/${gov.jobId}`
      expect((await graph(gov, 'GET', job, { token: ok.json.access_token as string })).status).toBe(200)
      expect(
        (
          await graph(gov, 'GET', job, {
            token: gov.issueGraphToken({ audience: 'https://graph.microsoft.com' })
          })
        ).status
      ).toBe(401)
    } finally {
      await gov.stop()
    }
  })
})
