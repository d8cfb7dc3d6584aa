/**
 * `GET /users` as Graph lists users (docs/reconcile.md, "What Graph documents"): `$select`, `$filter` with Graph's
 * split between operators a property supports by default and those it supports only in advanced queries
 * (`ConsistencyLevel: eventual` header and `$count=true` together), `$count` (ignored without the header),
 * `$top` from 1 to 999 (default 100), `$expand=manager` (optionally with a nested `$select`), and paging through an
 * opaque `$skiptoken` in `@odata.nextLink`. Every request is charged in ResourceUnits against the identity service's
 * per app-and-tenant bucket; over it, 429 with Retry-After and the throttle-scope headers.
 */
import { randomBytes } from 'node:crypto'
import type { EmulatorContext } from '../context.ts'
import { header } from '../http.ts'
import type { DirectoryUser } from './directory.ts'
import { toGraphUser } from './directory.ts'
import { graphError, graphJson, type GraphCall } from './envelope.ts'
import { FilterError, evaluate, parseFilter, type FilterNode, type FilterSchema } from './filter.ts'
import { chargeUserRead } from './user-throttle.ts'

type Column = 'eq' | 'ne' | 'ge' | 'le' | 'startswith' | 'null'
const D = 'default'
const A = 'advanced'
type Support = Partial<Record<Column, typeof D | typeof A>>

/** Graph's $filter table for user properties: supported by default, only in advanced queries, or absent (not at all). */
const ALL_DEFAULT: Support = { eq: D, ge: D, le: D, ne: A, startswith: D, null: D }
const ALL_ADVANCED: Support = { eq: A, ge: A, le: A, ne: A, startswith: A, null: A }
const FILTERABLE: Record<string, Support> = {
  id: { eq: D, ne: A },
  accountEnabled: { eq: D, ge: A, le: A, ne: A },
  city: { ...ALL_DEFAULT, null: A },
  companyName: ALL_ADVANCED,
  country: ALL_DEFAULT,
  department: ALL_DEFAULT,
  displayName: ALL_DEFAULT,
  employeeId: ALL_DEFAULT,
  employeeType: { ...ALL_ADVANCED, null: D },
  givenName: ALL_DEFAULT,
  jobTitle: { eq: D, ge: D, ne: A, startswith: D, null: D },
  mail: { eq: D, ge: D, ne: A, startswith: D, null: D },
  postalCode: ALL_ADVANCED,
  preferredLanguage: ALL_ADVANCED,
  state: ALL_DEFAULT,
  streetAddress: ALL_ADVANCED,
  surname: ALL_DEFAULT,
  userPrincipalName: { eq: D, ge: D, le: D, ne: A, startswith: D },
  userType: { eq: D, ne: A, null: D }
}
const TYPES: Record<string, 'boolean' | 'string'> = { accountEnabled: 'boolean' }

const schema: FilterSchema = {
  resolve(name) {
    const property = Object.keys(FILTERABLE).find((p) => p.toLowerCase() === name.toLowerCase())
    return property ? { property, type: TYPES[property] ?? 'string' } : null
  }
}

interface Cursor {
  users: DirectoryUser[]
  offset: number
  top: number
  select: string[] | undefined
  expand: ExpandManager | undefined
}
interface ExpandManager {
  select: string[] | undefined
  /** Live users by id, for the managers of the pages (a directory lookup per user would be quadratic). */
  byId: Map<string, DirectoryUser>
}

/** Open paging cursors per emulator: the result set of the first page, as Graph pages a snapshot. */
const cursors = new WeakMap<EmulatorContext, Map<string, Cursor>>()

export function listUsers(call: GraphCall): void {
  const { ctx } = call
  const q = call.ex.url.searchParams
  const advanced =
    (header(call.ex, 'consistencylevel') ?? '').toLowerCase() === 'eventual' &&
    (q.get('$count') ?? '').toLowerCase() === 'true'
  const select = q
    .get('$select')
    ?.split(',')
    .map((s) => s.trim())
  const expandText = q.get('$expand') ?? undefined
  const top = q.get('$top')
  const cost = Math.max(1, 2 - (select ? 1 : 0) + (expandText ? 1 : 0) - (top && Number(top) < 20 ? 1 : 0))
  if (!chargeUserRead(call, cost)) return

  const open = cursors.get(ctx) ?? new Map<string, Cursor>()
  cursors.set(ctx, open)
  const token = q.get('$skiptoken')
  let cursor: Cursor | undefined
  if (token !== null) {
    cursor = open.get(token)
    if (!cursor)
      return graphError(call, 400, 'Request_BadRequest', 'The specified page token value has expired.')
    open.delete(token)
  } else {
    const first = firstPage(call, advanced, select, expandText, top)
    if (!first) return
    cursor = first
  }
  const page = cursor.users.slice(cursor.offset, cursor.offset + cursor.top)
  const rest = cursor.offset + page.length < cursor.users.length
  let nextLink: string | undefined
  if (rest) {
    const next = randomBytes(12).toString('base64url')
    open.set(next, { ...cursor, offset: cursor.offset + page.length })
    const url = new URL(call.ex.url.href)
    url.searchParams.set('$skiptoken', next)
    nextLink = `${ctx.baseUrl}${url.pathname}${url.search}`
  }
  const expand = cursor.expand
  const value = page.map((user) => {
    const out = toGraphUser(user, cursor.select)
    if (expand) {
      const manager = expand.byId.get(String(user.props.manager ?? ''))
      if (manager)
        out.manager = { '@odata.type': '#microsoft.graph.user', ...toGraphUser(manager, expand.select) }
    }
    return out
  })
  graphJson(
    call,
    200,
    {
      '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#users`,
      ...(advanced && token === null ? { '@odata.count': cursor.users.length } : {}),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value
    },
    { 'x-ms-resource-unit': String(cost) }
  )
}

function firstPage(
  call: GraphCall,
  advanced: boolean,
  select: string[] | undefined,
  expandText: string | undefined,
  topText: string | null
): Cursor | undefined {
  const top = topText === null ? 100 : /^\d+$/.test(topText) ? Number(topText) : NaN
  if (!(top >= 1 && top <= 999)) {
    graphError(
      call,
      400,
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${topText}'. Must be between 1 and 999 inclusive.`
    )
    return undefined
  }
  let expand: ExpandManager | undefined
  if (expandText !== undefined) {
    const m = /^manager(?:\(\$select=([\w,]+)\))?$/i.exec(expandText.trim())
    if (!m) {
      graphError(
        call,
        400,
        'Request_BadRequest',
        `Could not find a property named '${expandText}' on type 'microsoft.graph.user'.`
      )
      return undefined
    }
    expand = { select: m[1]?.split(','), byId: new Map() }
  }
  let users = call.ctx.directory.all().filter((u) => !u.deleted)
  if (expand) for (const user of users) expand.byId.set(user.id, user)
  const filterText = call.ex.url.searchParams.get('$filter')
  if (filterText) {
    let tree: FilterNode
    try {
      tree = parseFilter(filterText, schema)
    } catch (e) {
      if (!(e instanceof FilterError)) throw e
      graphError(call, 400, 'BadRequest', `Invalid filter clause: ${e.message}`)
      return undefined
    }
    const refusal = unsupported(tree, advanced)
    if (refusal) {
      graphError(call, 400, 'Request_UnsupportedQuery', refusal)
      return undefined
    }
    users = users.filter((u) => evaluate(tree, (p) => (p === 'id' ? u.id : u.props[p])))
  }
  return { users, offset: 0, top, select, expand }
}

/** Graph's answer when the filter needs what this request does not have; undefined when it may run. */
function unsupported(node: FilterNode, advanced: boolean): string | undefined {
  const needsAdvanced = (what: string): string | undefined =>
    advanced
      ? undefined
      : `${what} is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`
  switch (node.type) {
    case 'and':
    case 'or':
      return unsupported(node.left, advanced) ?? unsupported(node.right, advanced)
    case 'not':
      return needsAdvanced(`Operator 'not'`) ?? unsupported(node.operand, advanced)
    case 'compare': {
      const column: Column | undefined =
        node.value.kind === 'null' && (node.op === 'eq' || node.op === 'ne')
          ? node.op === 'ne'
            ? 'ne'
            : 'null'
          : (['eq', 'ne', 'ge', 'le', 'startswith'] as const).find((c) => c === node.op)
      const support = column ? FILTERABLE[node.property]?.[column] : undefined
      if (support === undefined)
        return `Unsupported or invalid query filter clause specified for property '${node.property}' of resource 'User'.`
      return support === D ? undefined : needsAdvanced(`Operator '${node.op}' on '${node.property}'`)
    }
  }
}
