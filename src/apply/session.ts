/**
 * A signed-in Graph session: the token source and the Graph client over it, built the same way for the upload, the
 * log poll after it, and mode report (which reads logs only).
 */
import { randomUUID } from 'node:crypto'
import type { TokenCredentialOptions } from '@azure/identity'
import type { ActionIO } from '../common/runner-port.ts'
import type { ApplySettings } from '../settings/settings.ts'
import {
  createTokenSource,
  type CredentialKind,
  type CredentialLike,
  type TokenSource
} from '../graph/auth.ts'
import { createGraphClient, type FetchLike, type GraphClient } from '../graph/http.ts'

/** The network edges of a session; tests and the emulator replace them, production uses the real ones. */
export interface SessionDependencies {
  io: ActionIO
  env: NodeJS.ProcessEnv
  now: () => number
  sleep?: (ms: number) => Promise<void>
  fetch?: FetchLike
  random?: () => number
  uuid?: () => string
  createCredential?: (kind: CredentialKind, getAssertion: () => Promise<string>) => CredentialLike
  credentialOptions?: TokenCredentialOptions
}

export interface GraphSession {
  tokens: TokenSource
  client: GraphClient
  sleep: (ms: number) => Promise<void>
}

export function openSession(settings: ApplySettings, deps: SessionDependencies): GraphSession {
  const { io, now } = deps
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const tokens = createTokenSource({
    settings,
    env: deps.env,
    log: { info: io.info, warn: io.warn, debug: io.debug },
    setSecret: (value) => io.setSecret?.(value),
    getIdToken: io.getIdToken?.bind(io),
    now,
    sleep,
    ...(deps.createCredential ? { createCredential: deps.createCredential } : {}),
    ...(deps.credentialOptions ? { credentialOptions: deps.credentialOptions } : {})
  })
  const client = createGraphClient({
    baseUrl: settings.graphBaseUrl,
    version: settings.graphVersion,
    fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
    tokens,
    now,
    sleep,
    random: deps.random ?? Math.random,
    uuid: deps.uuid ?? randomUUID,
    maxAttempts: settings.maxRetries,
    timing: settings.timing,
    debug: io.debug
  })
  return { tokens, client, sleep }
}
