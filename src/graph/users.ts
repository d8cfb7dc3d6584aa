/**
 * Reading the Entra users in a scope (docs/reconcile.md): `GET /users` with `$select` of the compared properties,
 * the scope as `$filter`, `$expand=manager($select=id,<matching property>)`, `$top=999` (Graph's maximum), and every
 * `@odata.nextLink` followed on the Graph host only. Scope filters often need Graph's advanced queries, so every
 * request carries `ConsistencyLevel: eventual` and `$count=true`. Each call waits for the pacer (the identity
 * service's ResourceUnit budget) and a 429's Retry-After pauses it for every later call.
 */
import type { Pacer } from './pacer.ts'
import type { GraphClient } from './http.ts'

export type EntraValue = string | boolean | null

export interface EntraUser {
  id: string
  /** Selected properties by name; a nested one by `parent/child`. Absent and null both mean "no value". */
  props: Map<string, EntraValue>
  /** The manager's value of the matching property, null when the user has no manager (or it has none). */
  manager: string | null
}

export interface UserReadOptions {
  client: GraphClient
  version: 'v1.0' | 'beta'
  /** OData filter of the users in scope; empty for every user. */
  filter: string
  /** Properties to select; nested ones are selected by their parent and flattened with `/`. */
  properties: readonly string[]
  /** Property the manager is identified by (the matching property), or undefined to leave the manager out. */
  managerProperty: string | undefined
  pacer: Pacer
  /** Users per page, 1 to 999. */
  pageSize: number
  debug: (message: string) => void
}

export interface UserReadResult {
  users: EntraUser[]
  calls: number
  /** `@odata.count` of the first page: how many users Graph says the scope holds. */
  count: number | undefined
  /** Answers that were 429 (each retried after its Retry-After). */
  throttled: number
}

/** The first page's path: every query option Graph needs for the read. */
export function usersPath(
  options: Pick<UserReadOptions, 'filter' | 'properties' | 'managerProperty' | 'pageSize'>
): string {
  const query = new URLSearchParams()
  query.set(
    '$select',
    [...new Set(['id', ...options.properties.map((p) => p.split('/')[0] as string)])].join(',')
  )
  if (options.filter.trim() !== '') query.set('$filter', options.filter.trim())
  if (options.managerProperty) query.set('$expand', `manager($select=id,${options.managerProperty})`)
  query.set('$top', String(options.pageSize))
  query.set('$count', 'true')
  return `/users?${query.toString().replace(/\+/g, '%20')}`
}

export async function readUsers(options: UserReadOptions): Promise<UserReadResult> {
  const { client, pacer } = options
  const versionPrefix = `/${options.version}/`
  const users: EntraUser[] = []
  let count: number | undefined
  let calls = 0
  let throttled = 0
  let path: string | undefined = usersPath(options)
  while (path !== undefined) {
    const response = await client.request({
      method: 'GET',
      path,
      headers: { ConsistencyLevel: 'eventual' },
      beforeAttempt: () => pacer.acquire(),
      onThrottled: (ms) => pacer.pause(ms),
      onAttempt: (attempt) => {
        if (attempt.status === 429) throttled++
      }
    })
    calls++
    let body: Record<string, unknown>
    try {
      body = JSON.parse(response.text) as Record<string, unknown>
    } catch {
      throw new Error(
        `GET /users answered with something that is not JSON (request-id ${response.requestId ?? '-'})`
      )
    }
    if (calls === 1 && typeof body['@odata.count'] === 'number') count = body['@odata.count']
    for (const raw of Array.isArray(body.value) ? body.value : []) {
      const user = parseUser(raw, options.properties, options.managerProperty)
      if (user) users.push(user)
    }
    const next = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined
    if (next === undefined) break
    // Throws for another host: the bearer token never leaves the configured Graph origin.
    const url = client.assertSameOrigin(next)
    if (!url.pathname.startsWith(versionPrefix))
      throw new Error(`refusing an @odata.nextLink outside ${versionPrefix}: ${url.pathname}`)
    path = url.pathname.slice(versionPrefix.length - 1) + url.search
    options.debug(`GET /users: ${users.length} users read, next page`)
  }
  return { users, calls, count, throttled }
}

function parseUser(
  raw: unknown,
  properties: readonly string[],
  managerProperty: string | undefined
): EntraUser | undefined {
  if (!raw || typeof raw !== 'object') return undefined
  const record = raw as Record<string, unknown>
  if (typeof record.id !== 'string') return undefined
  const props = new Map<string, EntraValue>()
  for (const property of properties) {
    let node: unknown = record
    for (const part of property.split('/'))
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined
    if (typeof node === 'string' || typeof node === 'boolean') props.set(property, node)
  }
  const manager =
    record.manager && typeof record.manager === 'object'
      ? (record.manager as Record<string, unknown>)
      : undefined
  const managerValue = managerProperty ? manager?.[managerProperty] : undefined
  return { id: record.id, props, manager: typeof managerValue === 'string' ? managerValue : null }
}
