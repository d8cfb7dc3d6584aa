import { describe, expect, test } from '@jest/globals'
import { createGraphClient, GraphError, parseRetryAfter, type FetchLike } from '../../../src/graph/http.ts'
import { fakeTime } from './fake-time.ts'

type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'network-error'

function setup(answers: Answer[], maxAttempts = 6) {
  const time = fakeTime(Date.parse('2026-01-01T00:00:00Z'))
  const calls: Array<{ url: string; headers: Record<string, string>; body: unknown }> = []
  let refreshes = 0
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: init.body })
    const answer = answers.shift() ?? { status: 202 }
    if (answer === 'network-error') throw new TypeError('fetch failed')
    return new Response(answer.status === 202 ? null : (answer.body ?? ''), {
      status: answer.status,
      headers: { 'request-id': `rid-${calls.length}`, ...answer.headers }
    })
  }
  let n = 0
  const client = createGraphClient({
    baseUrl: 'https://graph.microsoft.com',
    version: 'v1.0',
    fetch,
    tokens: {
      token: async () => `token-${refreshes}`,
      refresh: async () => `token-${++refreshes}`
    },
    ...time,
    random: () => 0.5,
    uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    maxAttempts,
    timing: { retryBaseMs: 1000, retryMaxMs: 60_000, maxRetryAfterMs: 120_000, maxWaitMs: Infinity },
    debug: () => undefined
  })
  const post = () =>
    client.request({
      method: 'POST',
      path: '/x/bulkUpload',
      body: '{}',
      contentType: 'application/scim+json'
    })
  return { client, calls, time, post, refreshes: () => refreshes }
}

const graphError = (code: string, message: string): string => JSON.stringify({ error: { code, message } })

describe('Graph client', () => {
  test('sends the bearer, a fresh client-request-id and the content type; captures request-id', async () => {
    const { calls, post } = setup([
      { status: 202, headers: { location: 'https://graph.microsoft.com/v1.0/auditLogs/provisioning/' } }
    ])
    const response = await post()
    expect(response).toMatchObject({
      status: 202,
      requestId: 'rid-1',
      attempts: 1,
      location: 'https://graph.microsoft.com/v1.0/auditLogs/provisioning/'
    })
    expect(calls[0]?.url).toBe('https://graph.microsoft.com/v1.0/x/bulkUpload')
    expect(calls[0]?.headers).toMatchObject({
      Authorization: 'Bearer token-0',
      'client-request-id': '00000000-0000-4000-8000-000000000001',
      'Content-Type': 'application/scim+json'
    })
  })

  test('never sends the token to another host: Location and nextLink are checked too', async () => {
    const { client, post } = setup([{ status: 202, headers: { location: 'https://evil.example/v1.0/logs' } }])
    expect((await post()).location).toBeUndefined()
    expect(() => client.assertSameOrigin('https://evil.example/v1.0/auditLogs?$skiptoken=x')).toThrow(
      /refusing to send the Graph token to https:\/\/evil\.example/
    )
    expect(client.assertSameOrigin('/v1.0/auditLogs').href).toBe('https://graph.microsoft.com/v1.0/auditLogs')
  })

  test('429 and 503 wait for Retry-After in seconds or as an HTTP date', async () => {
    const { post, time } = setup([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' } }
    ])
    const response = await post()
    expect(response.attempts).toBe(3)
    expect(time.slept).toEqual([7000, 23_000])
  })

  test('500, 502, 504 and network errors back off exponentially with jitter, bounded by max-retries', async () => {
    const { post, time } = setup(
      [
        { status: 500, body: graphError('InternalServerError', 'An internal server error occurred.') },
        { status: 502 },
        'network-error',
        { status: 504 }
      ],
      4
    )
    const error = (await post().catch((e: unknown) => e)) as GraphError
    expect(error).toBeInstanceOf(GraphError)
    expect(error).toMatchObject({ kind: 'exhausted', status: 504, attempts: 4 })
    expect(error.message).toBe('gave up after 4 attempts; last: 504')
    expect(time.slept).toEqual([500, 1000, 2000]) // random 0.5 × 1 s, 2 s, 4 s
  })

  test('the bucket-full 500 fails at once: the upload waits minutes, quick retries would spend the quota', async () => {
    const { post, time } = setup(
      [
        {
          status: 500,
          body: graphError('InternalServerError', "The bucket for synchronization job 'j' is full")
        }
      ],
      4
    )
    const error = (await post().catch((e: unknown) => e)) as GraphError
    expect(error).toMatchObject({ kind: 'bucket-full', status: 500, attempts: 1 })
    expect(time.slept).toEqual([])
  })

  test('a 401 refreshes the token once; a second 401 fails', async () => {
    const ok = setup([
      {
        status: 401,
        body: graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.')
      }
    ])
    expect((await ok.post()).attempts).toBe(2)
    expect(ok.calls[1]?.headers.Authorization).toBe('Bearer token-1')
    const twice = setup([{ status: 401 }, { status: 401 }])
    await expect(twice.post()).rejects.toMatchObject({ kind: 'unauthorized', status: 401 })
    expect(twice.refreshes()).toBe(1)
  })

  test.each([400, 403, 404])('%d fails fast with the Graph code and message', async (status) => {
    const { post, calls } = setup([{ status, body: graphError('BadRequest', 'Invalid Data Format') }])
    await expect(post()).rejects.toMatchObject({
      kind: 'rejected',
      status,
      code: 'BadRequest',
      graphMessage: 'Invalid Data Format',
      message: `${status} BadRequest: Invalid Data Format`
    })
    expect(calls).toHaveLength(1)
  })

  test('a Retry-After beyond the limit means the daily quota: fail instead of waiting hours', async () => {
    const { post, time } = setup([{ status: 429, headers: { 'retry-after': '86000' } }])
    await expect(post()).rejects.toMatchObject({ kind: 'quota' })
    expect(time.slept).toEqual([])
  })

  test('parseRetryAfter', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000)
    expect(parseRetryAfter(null, 0)).toBeUndefined()
    expect(parseRetryAfter('soon', 0)).toBeUndefined()
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000)).toBe(4000)
  })
})
