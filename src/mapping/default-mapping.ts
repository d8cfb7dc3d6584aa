/** The built-in mapping used when the `mapping` input is empty. Kept identical to examples/mapping.yml (tested). */
export const DEFAULT_MAPPING_NAME = '(default mapping)'

export const DEFAULT_MAPPING = `# The default mapping: what the action uses when the \`mapping\` input is empty.
# Keys are SCIM attributes as the API-driven provisioning app names them; values are Entra expressions.
# Reference: docs/mapping.md (the file) and docs/functions.md (every function).
attributes:
  externalId: '[EmployeeID]'
  userName: '[UserPrincipalName]'
  # Unknown statuses give an empty value, which validation reports instead of guessing.
  active: 'Switch([Status], "", "Active", "True", "Leave", "True", "Terminated", "False", "Inactive", "False")'
  displayName: 'Join(" ", [FirstName], [LastName])'
  name.givenName: '[FirstName]'
  name.familyName: '[LastName]'
  title: '[JobTitle]'
  emails[type eq "work"].value: '[Email]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: '[EmployeeID]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: '[Department]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: '[ManagerID]'
`
