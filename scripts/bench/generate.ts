/** Generates a deterministic HR export: `rows` records, 22 columns, quoted fields, some multi-line. */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

export const BENCH_COLUMNS = [
  'WorkerID',
  'UserID',
  'WorkerStatus',
  'FirstName',
  'LastName',
  'PreferredName',
  'FullName',
  'JobTitle',
  'Email',
  'OfficePhone',
  'MobilePhone',
  'StreetAddress',
  'City',
  'PostalCode',
  'Country',
  'Department',
  'Division',
  'CostCenter',
  'Company',
  'ManagerID',
  'HireDate',
  'EmployeeType'
]

export const BENCH_MAPPING = `schemaExtension: urn:ietf:params:scim:schemas:extension:contoso:1.0:User
attributes:
  externalId: '[WorkerID]'
  userName: 'Join("@", ToLower([UserID]), "contoso.com")'
  active: 'Switch([WorkerStatus], "False", "Active", "True", "Leave", "True")'
  name.givenName: '[FirstName]'
  name.familyName: '[LastName]'
  displayName: 'Join(" ", Coalesce([PreferredName], [FirstName]), [LastName])'
  title: '[JobTitle]'
  emails[type eq "work"].value: '[Email]'
  phoneNumbers[type eq "work"].value: '[OfficePhone]'
  addresses[type eq "work"].streetAddress: '[StreetAddress]'
  addresses[type eq "work"].locality: '[City]'
  addresses[type eq "work"].postalCode: '[PostalCode]'
  addresses[type eq "work"].country: '[Country]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: '[WorkerID]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: '[Department]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division: '[Division]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter: '[CostCenter]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization: '[Company]'
  urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: '[ManagerID]'
  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate: 'FormatDateTime([HireDate], , "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ssZ")'
  urn:ietf:params:scim:schemas:extension:contoso:1.0:User:EmployeeType: '[EmployeeType]'
`

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Edsger',
  'Barbara',
  'Margaret',
  'John',
  'Katherine',
  'Dennis',
  'Frances',
  'Zoë',
  'José'
]
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Dijkstra',
  'Liskov',
  'Hamilton',
  'Backus',
  'Johnson',
  'Ritchie',
  'Allen'
]
const CITIES = ['London', 'New York', 'Zürich', 'São Paulo', 'Tokyo', 'Berlin', 'Paris', 'Madrid']
const DEPARTMENTS = ['Engineering', 'Research, Analytics', 'Operations', 'Finance', 'Sales', 'People']

function quote(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export async function generateHrCsv(file: string, rows: number): Promise<number> {
  const out = createWriteStream(file)
  let bytes = 0
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, 'drain')
  }
  await write(BENCH_COLUMNS.join(',') + '\n')
  let block = ''
  for (let i = 0; i < rows; i++) {
    const first = FIRST[i % FIRST.length] as string
    const last = LAST[(i * 7) % LAST.length] as string
    const id = `W${String(i).padStart(7, '0')}`
    const manager = i === 0 ? '' : `W${String(Math.floor((i - 1) / 8)).padStart(7, '0')}`
    const month = String((i % 12) + 1).padStart(2, '0')
    const day = String((i % 28) + 1).padStart(2, '0')
    const street = i % 50 === 0 ? `${i % 300} Main Street\nBuilding ${i % 9}` : `${i % 300} Main Street`
    const fields = [
      id,
      `${first}.${last}${i}`.replace(/[ëé]/g, 'e'),
      i % 20 === 0 ? 'Terminated' : i % 33 === 0 ? 'Leave' : 'Active',
      first,
      last,
      i % 5 === 0 ? `${first[0]}.` : '',
      `${first} ${last}`,
      i % 40 === 0 ? 'Engineer, "Systems"' : 'Engineer',
      `${first}.${last}${i}@contoso.com`.toLowerCase(),
      `+1 555 ${String(i % 10000).padStart(4, '0')}`,
      `+1 555 ${String((i * 3) % 10000).padStart(4, '0')}`,
      street,
      CITIES[i % CITIES.length] as string,
      String(10000 + (i % 89999)),
      'US',
      DEPARTMENTS[i % DEPARTMENTS.length] as string,
      `Division ${i % 7}`,
      `CC-${i % 97}`,
      'Contoso',
      manager,
      `20${String(10 + (i % 15)).padStart(2, '0')}-${month}-${day}`,
      i % 9 === 0 ? 'Contractor' : 'Employee'
    ]
    block += fields.map(quote).join(',') + '\n'
    if (block.length > 1 << 20) {
      await write(block)
      block = ''
    }
  }
  await write(block)
  out.end()
  await once(out, 'finish')
  return bytes
}
