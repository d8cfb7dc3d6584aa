/**
 * The test vectors of docs/expression-facts.md ("Test vectors", all 30) and the supplementary documented cases, evaluated end to end
 * (parse, bind, evaluate). Outputs are Microsoft's documented outputs.
 */
import { describe, expect, test } from '@jest/globals'
import {
  IGNORE_ATTRIBUTE_FLOW,
  bindExpression,
  evaluateExpression,
  parseExpression,
  type ExpressionValue
} from '../../../src/mapping/expression/index.ts'

const context = { now: (): Date => new Date('2024-05-01T12:00:00Z') }
type Inputs = Record<string, string | null>

// [expression, input attributes, expected output]
const VECTORS: [string, Inputs, ExpressionValue][] = [
  [
    'Append([userPrincipalName], ".test")',
    { userPrincipalName: 'John.Doe@contoso.com' },
    'John.Doe@contoso.com.test'
  ],
  ['BitAnd(&HF, &HF7)', {}, '7'],
  ['CDate([StatusHireDate])', { StatusHireDate: '2020-03-16-07:00' }, '3/16/2020 7:00:00 AM'],
  ['CDate("2021-06-30+08:00")', {}, '6/29/2021 4:00:00 PM'],
  ['CDate("2009-06-15T01:45:30-07:00")', {}, '6/15/2009 8:45:30 AM'],
  [
    'Coalesce([mail],[userPrincipalName])',
    { mail: null, userPrincipalName: 'John.Doe@contoso.com' },
    'John.Doe@contoso.com'
  ],
  ['ConvertToBase64("Hello world!")', {}, 'SABlAGwAbABvACAAdwBvAHIAbABkACEA'],
  ['ConvertToUTF8Hex("Hello world!")', {}, '48656C6C6F20776F726C6421'],
  [
    'DateAdd("d", 7, CDate([StatusHireDate]))',
    { StatusHireDate: '2012-03-16-07:00' },
    '3/23/2012 7:00:00 AM'
  ],
  [
    'DateAdd("m", 10, CDate([StatusHireDate]))',
    { StatusHireDate: '2012-03-16-07:00' },
    '1/16/2013 7:00:00 AM'
  ],
  [
    'DateAdd("ww", 2, CDate([StatusHireDate]))',
    { StatusHireDate: '2012-03-16-07:00' },
    '3/30/2012 7:00:00 AM'
  ],
  ['DateDiff("d", CDate([d1]), CDate([d2]))', { d1: '2021-08-18+08:00', d2: '2021-08-31+08:00' }, '13'],
  [
    'DateDiff("ww", CDate([d1]), CDate([d2]))',
    { d1: '8/25/2021 5:41:18 PM', d2: '2012-03-16-07:00' },
    '-493'
  ],
  ['DateDiff("m", CDate([d1]), CDate([d2]))', { d1: '8/25/2021 5:41:18 PM', d2: '2012-03-16-07:00' }, '-113'],
  ['DateDiff("s", CDate([d1]), CDate([d2]))', { d1: '2021-08-24', d2: '2021-08-25' }, '86400'],
  [
    'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
    { extensionAttribute1: '20150123105347.1Z' },
    '2015-01-23'
  ],
  ['InStr("repEated","e",3,vbBinaryCompare)', {}, '7'],
  ['Left("John Doe", 3)', {}, 'Joh'],
  [
    'IIF(Len([LastName]) <= 5, Left(Join("",[LastName],[FirstName]),10), Join("", Mid([LastName],1,9), Mid([FirstName],1,1)))',
    { FirstName: 'John', LastName: 'Parker' },
    'ParkerJ'
  ],
  ['Join(", ", "", [surname], [givenName])', { givenName: 'John', surname: 'Doe' }, 'Doe, John'],
  ['NormalizeDiacritics([givenName])', { givenName: 'Zoë' }, 'Zoe'],
  ['PCase([firstName])', { firstName: 'PABLO GONSALVES (SECOND)' }, 'Pablo Gonsalves (Second)'],
  ['PCase([lastName]," \'-")', { lastName: "PINTO-DE'SILVA" }, "Pinto-De'Silva"],
  [
    'Replace([UserID],"<username>", , , , , "<username>@contoso.com")',
    { UserID: 'jsmith' },
    'jsmith@contoso.com'
  ],
  [
    'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )',
    { telephoneNumber: '+91 9998887777' },
    '9998887777'
  ],
  [
    'Replace([AddressLineData], ,"(?<streetNumber>^\\\\d*)","streetNumber", "888", , )',
    { AddressLineData: '545 Tremont Street' },
    '888 Tremont Street'
  ],
  [
    'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
    { telephoneNumber: '', mobile: '+91 8887779999' },
    '8887779999'
  ],
  [
    'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
    { state: 'QLD' },
    'Australia/Brisbane'
  ],
  [
    'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))',
    { PreferredFirstName: 'John', PreferredLastName: 'Smith' },
    'john.smith@contoso.com'
  ],
  ['Word("This,string!has&many separators",3,",!&#")', {}, 'has']
]

const SUPPLEMENTARY: [string, Inputs, ExpressionValue][] = [
  ['Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', { mailNickname: 'john_doe72' }, '72'],
  [
    'Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )',
    { userPrincipalName: 'jsmith@contoso.com' },
    'jsmith'
  ],
  ['Replace([mail], "@contoso.com", , ,"", ,)', { mail: 'john.doe@contoso.com' }, 'john.doe'],
  ['Replace([preferredLanguage], "-", , , "_", , )', { preferredLanguage: 'EN-US' }, 'EN_US'],
  ['InStr("The quick brown fox","quick")', {}, '5'],
  ['Word("The quick brown fox",3," ")', {}, 'brown'],
  ['Len(42568.75)', {}, '8'],
  ['DateDiff("h", CDate("2021-08-24"), CDate("2021-08-25"))', {}, '24'],
  ['Switch([Active], , "1", "False", "0", "True")', { Active: '0' }, 'True'],
  [
    'Replace([WorkerID], , "(?<leadingZeros>^0+)(?<actualValue>[a-zA-Z0-9]+)", , "${actualValue}", ,)',
    { WorkerID: '00012345' },
    '12345'
  ],
  [
    'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))',
    { prefix: '9999' },
    IGNORE_ATTRIBUTE_FLOW
  ]
]

describe('documented test vectors (docs/expression-facts.md)', () => {
  test('there are 30 of them', () => {
    expect(VECTORS).toHaveLength(30)
  })

  test.each(VECTORS)('%s', (expression, inputs, expected) => {
    const parsed = parseExpression(expression)
    expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([])
    expect(evaluateExpression(expression, inputs, context)).toEqual(expected)
  })
})

describe('supplementary documented cases', () => {
  test.each(SUPPLEMENTARY)('%s', (expression, inputs, expected) => {
    expect(evaluateExpression(expression, inputs, context)).toEqual(expected)
  })
})

describe('the vectors through bindExpression over positional CSV rows', () => {
  test.each(VECTORS.filter(([, inputs]) => Object.values(inputs).every((v) => v !== null)))(
    '%s',
    (expression, inputs, expected) => {
      const parsed = parseExpression(expression).expression
      if (!parsed) throw new Error('does not parse')
      const header = Object.keys(inputs).reverse()
      const row = header.map((name) => inputs[name] as string)
      const evaluate = bindExpression(
        parsed,
        (name) => (header.includes(name) ? header.indexOf(name) : undefined),
        context
      )
      expect(evaluate(row)).toEqual(expected)
    }
  )
})
