import { toGraphUser } from './directory.ts'
import { FilterError, evaluate, parseFilter, type FilterSchema, type PropertyType } from './filter.ts'
import { graphError, graphJson, type GraphCall } from './envelope.ts'

const USER_PROPERTIES: Record<string, PropertyType> = {
  id: 'string',
  userPrincipalName: 'string',
  displayName: 'string',
  givenName: 'string',
  surname: 'string',
  mail: 'string',
  employeeId: 'string',
  employeeType: 'string',
  jobTitle: 'string',
  department: 'string',
  companyName: 'string',
  accountEnabled: 'boolean'
}

const schema: FilterSchema = {
  resolve(name) {
    const property = Object.keys(USER_PROPERTIES).find((p) => p.toLowerCase() === name.toLowerCase())
    return property ? { property, type: USER_PROPERTIES[property]! } : null
  }
}

/** GET /users[?$filter=employeeId eq '…'][&$select=…], /users/{id}, /users/{id}/manager. */
export function handleUsers(call: GraphCall, id: string | undefined, nav: string | undefined): void {
  const { ctx } = call
  const q = call.ex.url.searchParams
  const select = q
    .get('$select')
    ?.split(',')
    .map((s) => s.trim())
  const base = `${ctx.baseUrl}/${call.version}/$metadata#users`
  if (id !== undefined) {
    const user = ctx.directory.get(id) ?? ctx.directory.findUpn(id)
    if (!user || (nav !== undefined && nav !== 'manager'))
      return graphError(
        call,
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`
      )
    if (nav === 'manager') {
      const manager = ctx.directory.get(String(user.props.manager ?? ''))
      if (!manager)
        return graphError(
          call,
          404,
          'Request_ResourceNotFound',
          `Resource 'manager' does not exist or one of its queried reference-property objects are not present.`
        )
      return graphJson(call, 200, {
        '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#directoryObjects/$entity`,
        '@odata.type': '#microsoft.graph.user',
        ...toGraphUser(manager, select)
      })
    }
    return graphJson(call, 200, { '@odata.context': `${base}/$entity`, ...toGraphUser(user, select) })
  }
  let users = ctx.directory.all().filter((u) => !u.deleted)
  const filter = q.get('$filter')
  if (filter) {
    try {
      const tree = parseFilter(filter, schema)
      users = users.filter((u) => evaluate(tree, (p) => (p === 'id' ? u.id : u.props[p])))
    } catch (e) {
      if (e instanceof FilterError)
        return graphError(call, 400, 'BadRequest', `Invalid filter clause: ${e.message}`)
      throw e
    }
  }
  graphJson(call, 200, { '@odata.context': base, value: users.map((u) => toGraphUser(u, select)) })
}
