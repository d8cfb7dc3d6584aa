import { describe, expect, test } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { baseRefForEvent, pullRequestOf, readEventPayload } from '../../../src/git/event.ts'
import { scratch } from './repo.ts'

const SHA = 'a'.repeat(40)
const pullRequest = { number: 42, pull_request: { number: 42, base: { sha: SHA, ref: 'main' } } }

describe('baseRefForEvent', () => {
  test('a pull request compares with its base commit from the payload', () => {
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'pull_request' }, pullRequest)).toEqual({
      ref: SHA,
      source: 'pull_request',
      label: `The pull request's base commit ${SHA.slice(0, 12)}`
    })
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'pull_request_target' }, pullRequest)?.ref).toBe(SHA)
  })

  test('the base-ref input overrides the event', () => {
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'pull_request' }, pullRequest, ' last-sync ')).toEqual({
      ref: 'last-sync',
      source: 'input',
      label: "Input 'base-ref': 'last-sync'"
    })
  })

  test('a merge queue entry compares with its base, a push with the commit before it; others have no base', () => {
    expect(
      baseRefForEvent({ GITHUB_EVENT_NAME: 'merge_group' }, { merge_group: { base_sha: SHA } })?.ref
    ).toBe(SHA)
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'push' }, { before: SHA })).toEqual({
      ref: SHA,
      source: 'push',
      label: `The commit before the push ${SHA.slice(0, 12)}`
    })
    // A new branch: no commit before the push.
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'push' }, { before: '0'.repeat(40) })).toBeUndefined()
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'schedule' }, undefined, '')).toBeUndefined()
    expect(baseRefForEvent({ GITHUB_EVENT_NAME: 'pull_request' }, { pull_request: {} })).toBeUndefined()
  })
})

describe('pullRequestOf and readEventPayload', () => {
  test('names the pull request of the run, and nothing outside pull requests', () => {
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'contoso/hr-data' }
    expect(pullRequestOf(env, pullRequest)).toEqual({ owner: 'contoso', repo: 'hr-data', number: 42 })
    expect(pullRequestOf({ ...env, GITHUB_EVENT_NAME: 'push' }, pullRequest)).toBeUndefined()
    expect(pullRequestOf({ GITHUB_EVENT_NAME: 'pull_request' }, pullRequest)).toBeUndefined()
  })

  test('reads the payload file, and gives undefined when there is none or it is not JSON', async () => {
    const file = path.join(scratch('event-'), 'event.json')
    writeFileSync(file, JSON.stringify(pullRequest))
    expect(await readEventPayload({ GITHUB_EVENT_PATH: file })).toEqual(pullRequest)
    expect(await readEventPayload({})).toBeUndefined()
    writeFileSync(file, '{')
    expect(await readEventPayload({ GITHUB_EVENT_PATH: file })).toBeUndefined()
  })
})
