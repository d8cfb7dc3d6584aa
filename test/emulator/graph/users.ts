import { toGraphUser } from './directory.ts'
import { listUsers } from './user-list.ts'
import { graphError, graphJson, type GraphCall } from './envelope.ts'

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
  listUsers(call)
}
