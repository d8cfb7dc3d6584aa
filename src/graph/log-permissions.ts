/**
 * Which application permissions let a token read the provisioning logs: ProvisioningLog.Read.All (current Entra
 * guidance), or AuditLog.Read.All together with Directory.Read.All (the Graph v1.0 reference). Checked on the
 * token's `roles` before uploading, so a missing grant is named before records are sent, not after the wait.
 */
export const LOGS_PERMISSION = 'ProvisioningLog.Read.All'
export const LOGS_PERMISSION_PAIR = ['AuditLog.Read.All', 'Directory.Read.All'] as const

export const LOGS_PERMISSION_TEXT = `${LOGS_PERMISSION}, or ${LOGS_PERMISSION_PAIR.join(' together with ')}`

/** A warning when the roles cannot read the logs; undefined when they can, or when the token shows no roles. */
export function logPermissionProblem(roles: readonly string[] | undefined): string | undefined {
  if (roles === undefined) return undefined
  if (roles.includes(LOGS_PERMISSION)) return undefined
  const missing = LOGS_PERMISSION_PAIR.filter((role) => !roles.includes(role))
  if (missing.length === 0) return undefined
  const has = LOGS_PERMISSION_PAIR.filter((role) => roles.includes(role))
  const what =
    has.length > 0
      ? `The access token has ${has.join(', ')} but not ${missing.join(', ')}: reading the provisioning logs needs both, or ${LOGS_PERMISSION}.`
      : `The access token has no permission to read the provisioning logs (roles: ${roles.join(', ') || 'none'}): it needs ${LOGS_PERMISSION_TEXT}.`
  return (
    `${what} The records are still sent, but their outcomes cannot be read: each will be reported "not seen". ` +
    `Grant the Microsoft Graph application permission ${LOGS_PERMISSION_TEXT}, with admin consent (docs/entra-setup.md).`
  )
}

/** The roles of a decoded token: none when the claim is absent (Entra leaves it out), unknown when it did not decode. */
export function rolesOf(claims: { iss: string; roles?: string[] }): string[] | undefined {
  return claims.iss === '?' ? undefined : (claims.roles ?? [])
}
