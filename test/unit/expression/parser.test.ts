/**
 * Parsing: the tree, attribute lists, syntax errors at exact offsets, static errors (unknown functions, arity,
 * comparisons outside conditions, flow keywords, constant formats and regexes) and the warnings of expressions.md §8.4.
 */
import { describe, expect, test } from '@jest/globals'
import { parseExpression, type ExpressionProblem } from '../../../src/mapping/expression/index.ts'

function errors(source: string): ExpressionProblem[] {
  const result = parseExpression(source)
  expect(result.expression).toBeUndefined()
  return result.problems.filter((p) => p.severity === 'error')
}

function warnings(source: string): ExpressionProblem[] {
  const result = parseExpression(source)
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([])
  expect(result.expression).toBeDefined()
  return result.problems.filter((p) => p.severity === 'warning')
}

describe('parse tree', () => {
  test('a call with attribute, string, number, hex and omitted arguments', () => {
    const { expression, problems } = parseExpression('Replace([mail], "@contoso.com", , ,"", ,)')
    expect(problems).toEqual([])
    expect(expression?.root).toMatchObject({
      kind: 'call',
      name: 'Replace',
      offset: 0,
      args: [
        { kind: 'attribute', name: 'mail', offset: 8 },
        { kind: 'string', value: '@contoso.com', offset: 16 },
        undefined,
        undefined,
        { kind: 'string', value: '' },
        undefined,
        undefined
      ]
    })
  })

  test('numbers stay as written; VB hex literals become decimal strings', () => {
    const { expression } = parseExpression('Join(",", 7, -10, 42568.75, &HF7)')
    expect(expression?.root).toMatchObject({
      args: [{}, { value: '7' }, { value: '-10' }, { value: '42568.75' }, { kind: 'number', value: '247' }]
    })
  })

  test('attributes: distinct, in first-appearance order, with SCIM paths and nested brackets', () => {
    const { expression } = parseExpression(
      'Join(" ", [b], [a], [b], [urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode], [emails[type eq "work"].value])'
    )
    expect(expression?.attributes).toEqual([
      'b',
      'a',
      'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode',
      'emails[type eq "work"].value'
    ])
  })

  test('escapes: \\" and \\\\ are decoded', () => {
    const { expression, problems } = parseExpression('"Company name: \\"Contoso\\" \\\\ end"')
    expect(problems).toEqual([])
    expect(expression?.root).toMatchObject({ kind: 'string', value: 'Company name: "Contoso" \\ end' })
  })

  test('whitespace and newlines between tokens, and between a function name and "("', () => {
    const { expression, problems } = parseExpression('\n  Join (""\n , [LastName],\t[FirstName] )  ')
    expect(problems).toEqual([])
    expect(expression?.attributes).toEqual(['LastName', 'FirstName'])
  })

  test('flags: secret (Redact), nondeterministic (Now, Guid, RandomString), functions used', () => {
    const secret = parseExpression('Redact(RandomString(6,3,0,0,3))').expression
    expect(secret).toMatchObject({
      secret: true,
      nondeterministic: true,
      functions: ['Redact', 'RandomString']
    })
    expect(parseExpression('ToLower([a])').expression).toMatchObject({
      secret: false,
      nondeterministic: false
    })
  })

  test('keywords are values', () => {
    expect(parseExpression('IgnoreObjectFlow').expression?.root).toEqual({
      kind: 'keyword',
      name: 'IgnoreObjectFlow',
      offset: 0,
      end: 16
    })
  })
})

describe('syntax errors at exact offsets', () => {
  test.each([
    ['Join("a, [b])', 5, 'unterminated string: the closing " is missing'],
    ['Join("a", [b]', 4, 'unbalanced parentheses: the "(" of Join is never closed'],
    ['Join("a", [b]))', 14, 'unbalanced parentheses: this ")" has no matching "("'],
    ['Append([b, "x")', 7, 'unbalanced brackets: this "[" is never closed'],
    ['[a]]', 3, 'unbalanced brackets: this "]" has no matching "["'],
    ['Join("a" "b")', 9, `unexpected '"' after argument 1 of Join: expected "," or ")"`],
    ['[a] [b]', 4, 'unexpected "[" after the end of the expression'],
    ['', 0, 'the expression is empty'],
    ['Join("", [])', 9, 'empty attribute reference "[]"'],
    ['Foo', 0, 'unknown name "Foo"'],
    ['Left', 0, 'Left is a function: write Left(…)'],
    ['[a] & [b]', 4, '"&" is not an operator'],
    ['IIF([a]="x" AND [b]="y", "1", "0")', 12, 'there is no AND operator'],
    ['IIF([a]="x" or [b]="y", "1", "0")', 12, 'there is no OR operator'],
    ['IIF([a] == "x", "1", "0")', 8, '"==" is not an operator here; write "="'],
    ['IIF([a] = "x" = "y", "1", "0")', 14, 'only one comparison is allowed'],
    ['IIF(True, "1", "0")', 4, '"True" is not a keyword; write a string such as "True"']
  ])('%s → offset %d', (source, offset, message) => {
    const [problem, ...others] = errors(source)
    expect(others).toEqual([])
    expect(problem?.offset).toBe(offset)
    expect(problem?.message).toContain(message)
  })

  test('an expression longer than 10,000 characters', () => {
    const source = `"${'x'.repeat(10001)}"`
    const [problem] = errors(source)
    expect(problem).toEqual({
      severity: 'error',
      message: 'the expression is 10003 characters long; Entra allows at most 10000',
      offset: 10000,
      length: 3
    })
  })

  test('exactly 10,000 characters is allowed', () => {
    expect(parseExpression(`"${'x'.repeat(9998)}"`).expression).toBeDefined()
  })
})

describe('static errors', () => {
  test('unknown function with a suggestion', () => {
    expect(errors('Joinn(",", [a])')).toEqual([
      { severity: 'error', message: 'unknown function "Joinn" (did you mean "Join"?)', offset: 0, length: 5 }
    ])
    expect(errors('Join("", Formatdatetme([a], , "d", "d"))')[0]).toMatchObject({
      message: 'unknown function "Formatdatetme" (did you mean "FormatDateTime"?)',
      offset: 9
    })
    expect(errors('Frobnicate([a])')[0]?.message).toBe('unknown function "Frobnicate"')
  })

  test.each([
    ['Join()', 'Join expects at least 1 argument, got 0', 0],
    ['Left("x")', 'Left expects 2 arguments, got 1', 0],
    ['Append("a", "b", "c")', 'Append expects 2 arguments, got 3', 0],
    ['InStr("a")', 'InStr expects 2 to 4 arguments, got 1', 0],
    ['Now(1)', 'Now expects 0 arguments, got 1', 0],
    ['FormatDateTime([d], "x")', 'FormatDateTime expects 3 to 4 arguments, got 2', 0],
    ['Switch([a], "d", "k")', 'Switch expects at least 4 arguments, got 3', 0],
    ['Switch([a], "d", "k", "v", "k2")', 'Switch expects an even number of arguments', 0],
    ['SelectUniqueValue([a])', 'SelectUniqueValue expects at least 2 arguments, got 1', 0],
    ['Join("", Mid([a], 1))', 'Mid expects 3 arguments, got 2', 9]
  ])('arity: %s', (source, message, offset) => {
    const [problem] = errors(source)
    expect(problem?.message).toContain(message)
    expect(problem?.offset).toBe(offset)
  })

  test('a required argument left empty', () => {
    expect(errors('Left(, 3)')).toEqual([
      {
        severity: 'error',
        message: 'Left: argument 1 (string) is required; only optional arguments may be left empty',
        offset: 5,
        length: 0
      }
    ])
    expect(errors('FormatDateTime([d], , , "yyyy")')[0]?.message).toContain(
      'argument 3 (inputFormat) is required'
    )
  })

  test('a comparison outside a condition', () => {
    expect(errors('Append([a] = "x", "y")')).toEqual([
      {
        severity: 'error',
        message:
          'comparison "=" is only allowed in a condition: the first argument of IIF or CBool (here it is an argument of Append)',
        offset: 11,
        length: 1
      }
    ])
    expect(errors('[a] <> "x"')[0]).toMatchObject({ offset: 4, length: 2 })
    expect(errors('IIF("x", [a] >= "1", "0")')[0]).toMatchObject({ offset: 13 })
  })

  test('comparisons are fine in the condition of IIF and CBool', () => {
    expect(parseExpression('IIF([a] >= 1, "y", "z")').problems).toEqual([])
    expect(parseExpression('CBool([a] <> [b])').problems).toEqual([])
  })

  test('functions not applicable to inbound provisioning', () => {
    for (const name of [
      'AppRoleAssignmentsComplex',
      'AssertiveAppRoleAssignmentsComplex',
      'SingleAppRoleAssignment'
    ]) {
      const [problem] = errors(`${name}([appRoleAssignments])`)
      expect(problem?.message).toContain('not applicable to API-driven inbound provisioning')
      expect(problem?.offset).toBe(0)
    }
  })

  test('Cloud Sync-only functions', () => {
    expect(errors('ConvertFromBase64([a])')[0]?.message).toBe(
      'ConvertFromBase64 is an Entra Cloud Sync function; app-provisioning attribute mappings do not have it'
    )
  })

  test('flow keywords and IgnoreFlowIfNullOrEmpty only as the result', () => {
    expect(errors('Join(",", IgnoreAttributeFlow)')[0]).toMatchObject({ offset: 10, length: 19 })
    expect(errors('Append(IgnoreFlowIfNullOrEmpty([a]), "x")')[0]).toMatchObject({ offset: 7 })
    expect(errors('IIF(IgnoreFlowIfNullOrEmpty([country]), "a", "b")')[0]?.offset).toBe(4)
    expect(parseExpression('IIF([a]="x", IgnoreObjectFlow, [b])').problems).toEqual([])
    expect(parseExpression('Switch([a], IgnoreAttributeFlow, "k", IgnoreObjectFlow)').problems).toEqual([])
    expect(parseExpression('IgnoreFlowIfNullOrEmpty(IIF([country]="USA",[region],""))').problems).toEqual([])
  })

  test('SelectUniqueValue only at the top level', () => {
    expect(errors('Join("", SelectUniqueValue([a], [b]))')[0]?.message).toContain('top level')
  })

  test('constant arguments are checked', () => {
    expect(errors('DateAdd("mm", 1, Now())')[0]).toMatchObject({ offset: 8, length: 4 })
    expect(errors('FormatDateTime([d], , "yyyy", "ffffffff")')[0]?.message).toContain('more than 7 digits')
    expect(errors('FormatDateTime([d], "Bogus", "yyyy", "yyyy")')[0]?.message).toContain('dateTimeStyles')
    expect(errors('Mid([a], 0, 2)')[0]).toMatchObject({
      offset: 9,
      message: expect.stringContaining('start')
    })
    expect(errors('Left("x", "a")')[0]?.message).toBe('Left: numChars must be a whole number')
    expect(errors('InStr([a], "b", 1, "x")')[0]?.message).toContain('compareType')
    expect(errors('ToUpper([a], "not a culture")')[0]?.message).toContain('is not a culture name')
  })

  test('Replace: the form must be recognisable', () => {
    expect(errors('Replace([a], , , , "x", , )')[0]?.message).toContain('cannot tell which form is meant')
    expect(errors('Replace([a], "x", "y", , "z", , )')[0]?.message).toContain(
      'cannot tell which form is meant'
    )
  })

  test('Replace: .NET constructs JavaScript cannot do are rejected at the pattern', () => {
    for (const pattern of [
      '(?>x)',
      '(?(x)a|b)',
      '\\\\Gx',
      'a(?i)b',
      '(?<a-b>x)',
      '[a-z-[aeiou]]',
      '(?x) a b'
    ]) {
      const source = `Replace([a], , "${pattern}", , "y", , )`
      const [problem] = errors(source)
      expect(problem?.offset).toBe(15)
      expect(problem?.message).toMatch(/^Replace: /)
    }
  })

  test('Replace: the group name must exist in a constant pattern', () => {
    expect(errors('Replace([a], , "(?<g>x)", "h", "y", , )')[0]).toMatchObject({
      message: 'Replace: the regular expression has no group named "h" (its named groups: g)',
      offset: 26
    })
  })

  test('several static errors are all reported', () => {
    const problems = errors('Join(Lft([a], 1), Mid([b]), [c] = "x")')
    expect(problems.map((p) => p.offset)).toEqual([5, 18, 32])
  })
})

describe('warnings (expressions.md §8.4)', () => {
  test('non-canonical function-name case', () => {
    expect(warnings('switch([a], "d", "k", "v")')).toEqual([
      {
        severity: 'warning',
        message: 'function name "switch" should be written "Switch" (Entra\'s canonical case)',
        offset: 0,
        length: 6
      }
    ])
    expect(warnings('Join("", Instr([a], "x"))')[0]).toMatchObject({ offset: 9, length: 5 })
    expect(warnings('InStr("a", "b", 1, vbtextcompare)')[0]?.message).toBe(
      '"vbtextcompare" should be written "vbTextCompare"'
    )
  })

  test('single-quoted strings', () => {
    const [warning] = warnings("Switch([a], 'x', 'Workers past Last Day of Work', 'y')")
    expect(warning).toMatchObject({ offset: 12, message: expect.stringContaining('single-quoted') })
  })

  test('unknown escapes are kept and warned about', () => {
    const result = parseExpression(
      'Replace([p], , "\\+(?<isdCode>49|44)(?<phoneNumber>.*)", , "${phoneNumber}", , )'
    )
    const root = result.expression?.root
    expect(root?.kind === 'call' && root.args[2]).toMatchObject({
      value: '\\+(?<isdCode>49|44)(?<phoneNumber>.*)'
    })
    expect(result.problems).toEqual([
      {
        severity: 'warning',
        message: expect.stringContaining('unknown escape "\\+" is kept as the two characters'),
        offset: 16,
        length: 2
      }
    ])
  })

  test('legacy 3-argument FormatDateTime', () => {
    expect(warnings('FormatDateTime([d], "yyyy-MM-dd", "yyyyMMdd")')[0]?.message).toContain('legacy form')
  })

  test('IIF over an attribute compared with ""', () => {
    expect(warnings('IIF([country]="","Other",[country])')[0]?.message).toContain(
      'Switch([country], [country], "", "fallback")'
    )
  })

  test('IsPresent as the source of Switch', () => {
    expect(warnings('Switch(IsPresent([a]), "x", "True", [a])')[0]).toMatchObject({ offset: 7 })
  })

  test('SelectUniqueValue without a uniqueness lookup', () => {
    expect(warnings('SelectUniqueValue([a], [b])')[0]?.message).toContain('first rule with a value')
  })

  test('extensions that are not Entra app-provisioning functions', () => {
    expect(warnings('Trim([a])')[0]?.message).toContain('will not work if copied into the Entra portal')
    expect(warnings('IsNullOrWhiteSpace([a])')[0]?.offset).toBe(0)
  })

  test('a clean expression has no problems', () => {
    expect(parseExpression('Join("@", ToLower([UserID]), "contoso.com")').problems).toEqual([])
  })
})

describe('hostile nesting', () => {
  test('1,500 nested calls get a located error at the call past the limit, not a stack overflow', () => {
    const source = 'Trim('.repeat(1500) + '[a]' + ')'.repeat(1500)
    const problems = errors(source)
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', offset: 500, length: 4 })])
    expect(problems[0]?.message).toContain('nested more than 100 levels deep')
  })

  test('100 levels are still accepted', () => {
    const source = 'Trim('.repeat(100) + '[a]' + ')'.repeat(100)
    expect(parseExpression(source).problems.filter((p) => p.severity === 'error')).toEqual([])
  })
})
