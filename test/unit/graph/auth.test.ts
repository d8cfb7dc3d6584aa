import { describe, expect, test } from '@jest/globals'
import {
  createTokenSource,
  decodeClaims,
  type AuthOptions,
  type CredentialLike
} from '../../../src/graph/auth.ts'
import { ApplyStop } from '../../../src/graph/errors.ts'
import { fakeTime } from './fake-time.ts'

const jwt = (payload: object): string =>
  `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`
const ID_TOKEN = jwt({
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:o/r:ref:refs/heads/main',
  aud: 'api://AzureADTokenExchangeUSGov'
})

function setup(failures: string[], overrides: Partial<AuthOptions> = {}) {
  const time = fakeTime(0)
  const lines: string[] = []
  const masked: string[] = []
  const audiences: string[] = []
  let built = 0
  let exchanges = 0
  const options: AuthOptions = {
    settings: {
      tenantId: 't',
      clientId: 'c',
      cloud: 'usgov',
      authorityHost: 'https://login.microsoftonline.us',
      authorityOverridden: false,
      clientSecret: undefined,
      clientCertificate: undefined,
      timing: { credentialRetryMs: 15_000, maxWaitMs: Infinity }
    },
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://x/?a=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'r' },
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(`warn: ${m}`), debug: () => undefined },
    setSecret: (v) => masked.push(v),
    getIdToken: async (audience) => {
      audiences.push(audience)
      return ID_TOKEN
    },
    ...time,
    createCredential: (_kind, getAssertion): CredentialLike => {
      built++
      return {
        getToken: async (scope) => {
          expect(scope).toBe('https://graph.microsoft.us/.default')
          await getAssertion()
          exchanges++
          const failure = failures.shift()
          if (failure) throw new Error(`invalid_client: ${failure}: the details\r\nTrace ID: x`)
          return { token: `graph-token-${exchanges}`, expiresOnTimestamp: time.now() + 3600_000 }
        }
      }
    },
    ...overrides
  }
  return {
    source: createTokenSource(options),
    lines,
    masked,
    audiences,
    time,
    built: () => built,
    exchanges: () => exchanges
  }
}

describe('createTokenSource', () => {
  test('exchanges a GitHub ID token with the cloud audience, masks and caches the Graph token, logs the presented claims', async () => {
    const { source, lines, masked, audiences, time, exchanges } = setup([])
    expect(await source.token()).toBe('graph-token-1')
    expect(await source.token()).toBe('graph-token-1')
    expect(exchanges()).toBe(1)
    expect(audiences).toEqual(['api://AzureADTokenExchangeUSGov'])
    expect(masked).toEqual(['graph-token-1'])
    expect(lines.join('\n')).toContain(
      'GitHub ID token presented: iss=https://token.actions.githubusercontent.com, sub=repo:o/r:ref:refs/heads/main, aud=api://AzureADTokenExchangeUSGov.'
    )
    expect(lines.join('\n')).not.toContain(ID_TOKEN)
    time.sleep(3600_000 - 60_000) // within 5 minutes of expiry: refreshed ahead of time
    expect(await source.token()).toBe('graph-token-2')
    expect(await source.refresh()).toBe('graph-token-3')
  })

  test('retries AADSTS70021 with a growing delay, then fails with what to add', async () => {
    const ok = setup(['AADSTS70021', 'AADSTS70021'])
    expect(await ok.source.token()).toBe('graph-token-3')
    expect(ok.time.slept).toEqual([15_000, 30_000])
    const never = setup(['AADSTS70021', 'AADSTS70021', 'AADSTS70021', 'AADSTS70021'])
    await expect(never.source.token()).rejects.toThrow(
      /AADSTS70021: no federated credential matches the GitHub token \(issuer https:\/\/token\.actions\.githubusercontent\.com, subject repo:o\/r:ref:refs\/heads\/main, audience api:\/\/AzureADTokenExchangeUSGov\)/
    )
    expect(never.exchanges()).toBe(4)
  })

  test('700024 is retried once with a fresh credential; other codes fail fast', async () => {
    const expired = setup(['AADSTS700024'])
    expect(await expired.source.token()).toBe('graph-token-2')
    expect(expired.built()).toBe(2)
    const subject = setup(['AADSTS700213'])
    const error = await subject.source.token().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApplyStop)
    expect((error as ApplyStop).kind).toBe('AADSTS700213')
    expect(subject.exchanges()).toBe(1)
  })

  test('without id-token permission, explains it in one line (unless a secret is given)', () => {
    expect(() => setup([], { env: {} })).toThrow(
      /add `permissions: id-token: write` to the workflow job \(pull requests from forks never get one/
    )
  })

  test('decodeClaims reads but never verifies', () => {
    expect(decodeClaims(jwt({ iss: 'i', sub: 's', aud: ['a', 'b'], roles: ['R'] }))).toEqual({
      iss: 'i',
      sub: 's',
      aud: 'a b',
      roles: ['R']
    })
    expect(decodeClaims('garbage')).toEqual({ iss: '?', sub: '?', aud: '?' })
  })
})
