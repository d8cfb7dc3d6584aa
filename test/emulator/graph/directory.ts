import type { Ids } from '../ids.ts'
import type { SeedUser } from '../config.ts'

export type UserValue = string | boolean | null

/** An Entra user. Properties are flat Graph names; nested ones use `/` (`employeeOrgData/costCenter`). */
export interface DirectoryUser {
  id: string
  props: Record<string, UserValue>
  deleted: boolean
}

export interface Directory {
  all(): DirectoryUser[]
  get(id: string): DirectoryUser | undefined
  /** Live users whose property equals the value (case-sensitive, as employeeId matching is). */
  findBy(prop: string, value: UserValue): DirectoryUser[]
  /** Live user holding this UPN, compared case-insensitively as Entra does. */
  findUpn(upn: string): DirectoryUser | undefined
  create(props: Record<string, UserValue>, id?: string): DirectoryUser
  /** Soft delete (the user leaves the directory but is kept for inspection). */
  remove(id: string): boolean
}

export function createDirectory(seed: SeedUser[], ids: Ids): Directory {
  const users: DirectoryUser[] = []
  const live = (): DirectoryUser[] => users.filter((u) => !u.deleted)
  const dir: Directory = {
    all: () => users,
    get: (id) => live().find((u) => u.id === id),
    findBy: (prop, value) => live().filter((u) => u.props[prop] === value),
    findUpn: (upn) =>
      live().find((u) => String(u.props.userPrincipalName ?? '').toLowerCase() === upn.toLowerCase()),
    create(props, id) {
      const user = { id: id ?? ids.guid(), props: { ...props }, deleted: false }
      users.push(user)
      return user
    },
    remove(id) {
      const u = dir.get(id)
      if (u) u.deleted = true
      return !!u
    }
  }
  for (const { id, ...props } of seed)
    dir.create({ accountEnabled: true, ...props }, typeof id === 'string' ? id : undefined)
  return dir
}

/** The Graph JSON of a user: `/` paths become nested objects; `manager` is a navigation, not a property. */
export function toGraphUser(user: DirectoryUser, select?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: user.id }
  for (const [path, value] of Object.entries(user.props)) {
    if (path === 'manager') continue
    const parts = path.split('/')
    if (select && !select.some((s) => s.toLowerCase() === parts[0]!.toLowerCase())) continue
    let node = out
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>
    node[parts[parts.length - 1]!] = value
  }
  return out
}
