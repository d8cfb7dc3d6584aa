import { describe, expect, test } from '@jest/globals'
import {
  commentMarker,
  upsertReviewComment,
  type CommentClient,
  type ExistingComment
} from '../../../src/github/comment.ts'

const target = { owner: 'contoso', repo: 'hr-data', number: 7 }

/** An in-memory pull request with comments, paginated like the REST API, optionally failing with a status. */
function fakeClient(comments: ExistingComment[] = [], failWith?: number) {
  const calls: string[] = []
  const fail = (): void => {
    if (failWith !== undefined) throw Object.assign(new Error(`HTTP ${failWith}`), { status: failWith })
  }
  let nextId = 1000
  const client: CommentClient = {
    rest: {
      issues: {
        async listComments({ issue_number, per_page = 30, page = 1 }) {
          calls.push(`list ${issue_number} page ${page}`)
          fail()
          return { data: comments.slice((page - 1) * per_page, page * per_page) }
        },
        async createComment({ issue_number, body }) {
          calls.push(`create ${issue_number}`)
          const comment = { id: nextId++, body, user: { login: 'github-actions[bot]', type: 'Bot' } }
          comments.push(comment)
          return { data: { id: comment.id, html_url: `https://github.com/c/${comment.id}` } }
        },
        async updateComment({ comment_id, body }) {
          calls.push(`update ${comment_id}`)
          fail()
          const comment = comments.find((c) => c.id === comment_id)!
          comment.body = body
          return { data: { id: comment_id, html_url: `https://github.com/c/${comment_id}` } }
        }
      }
    }
  }
  return { client, calls, comments }
}

const human = (id: number, body = 'LGTM'): ExistingComment => ({
  id,
  body,
  user: { login: 'ada', type: 'User' }
})

describe('upsertReviewComment', () => {
  test('creates the comment with the hidden marker, then updates it in place', async () => {
    const fake = fakeClient([human(1)])
    const created = await upsertReviewComment({ target, body: '## Review 1', client: fake.client })
    expect(created).toEqual({ status: 'created', id: 1000, url: 'https://github.com/c/1000' })
    expect(fake.comments[1]?.body).toBe(`${commentMarker()}\n## Review 1`)
    const updated = await upsertReviewComment({ target, body: '## Review 2', client: fake.client })
    expect(updated).toMatchObject({ status: 'updated', id: 1000 })
    expect(fake.comments).toHaveLength(2)
    expect(fake.comments[1]?.body).toBe('<!-- entra-hr-sync:review -->\n## Review 2')
    const same = await upsertReviewComment({ target, body: '## Review 2', client: fake.client })
    expect(same.status).toBe('unchanged')
    expect(fake.calls).toEqual(['list 7 page 1', 'create 7', 'list 7 page 1', 'update 1000', 'list 7 page 1'])
  })

  test('finds its comment on a later page, and never edits a person’s comment that quotes the marker', async () => {
    const comments = Array.from({ length: 150 }, (_, i) => human(i + 1))
    comments[3] = human(4, `${commentMarker()}\nquoted by a person`)
    comments[120] = {
      id: 121,
      body: `${commentMarker()}\nold`,
      user: { login: 'github-actions[bot]', type: 'Bot' }
    }
    const fake = fakeClient(comments)
    const result = await upsertReviewComment({ target, body: 'new', client: fake.client })
    expect(result).toMatchObject({ status: 'updated', id: 121 })
    expect(fake.calls).toEqual(['list 7 page 1', 'list 7 page 2', 'update 121'])
  })

  test('a key gives each step its own comment', async () => {
    const fake = fakeClient()
    await upsertReviewComment({ target, body: 'employees', client: fake.client, key: 'employees' })
    await upsertReviewComment({ target, body: 'contractors', client: fake.client, key: 'contractors' })
    expect(fake.comments.map((c) => c.body?.split('\n')[0])).toEqual([
      '<!-- entra-hr-sync:employees -->',
      '<!-- entra-hr-sync:contractors -->'
    ])
    expect(commentMarker('a b-->')).toBe('<!-- entra-hr-sync:a_b-_ -->')
  })

  test.each([403, 404])(
    'HTTP %i (fork pull requests, no pull-requests: write) is skipped with the reason',
    async (status) => {
      const fake = fakeClient([], status)
      const result = await upsertReviewComment({ target, body: 'x', client: fake.client })
      expect(result).toEqual({
        status: 'skipped',
        reason: expect.stringContaining(`the token cannot comment on pull request #7 (HTTP ${status})`)
      })
    }
  )

  test('other failures are thrown; no token is skipped', async () => {
    await expect(
      upsertReviewComment({ target, body: 'x', client: fakeClient([], 500).client })
    ).rejects.toThrow('HTTP 500')
    expect(await upsertReviewComment({ target, body: 'x', client: undefined })).toMatchObject({
      status: 'skipped'
    })
  })
})
