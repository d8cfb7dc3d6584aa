import { describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseLogEntry } from '../../src/graph/logs.ts'
import { toOutcome, type RecordOutcome } from '../../src/outcomes/outcome.ts'
import {
  renderWritebackCsv,
  selectWriteback,
  spreadsheetCell,
  writeback,
  writeWritebackFile
} from '../../src/outcomes/writeback.ts'

const outcome = (
  fields: Partial<RecordOutcome> & Pick<RecordOutcome, 'externalId' | 'outcome'>
): RecordOutcome => ({
  file: 'hr/people.csv',
  line: 2,
  sentAt: 0,
  resubmitted: 0,
  ...fields
})

const OUTCOMES: RecordOutcome[] = [
  outcome({
    externalId: 'E3',
    line: 4,
    outcome: 'updated',
    targetId: 'id-3',
    userPrincipalName: 'c@contoso.example'
  }),
  outcome({
    externalId: 'E1',
    line: 2,
    outcome: 'created',
    targetId: 'id-1',
    userPrincipalName: 'a@contoso.example',
    mail: 'a@contoso.example'
  }),
  outcome({
    externalId: 'E2',
    line: 3,
    outcome: 'skipped',
    targetId: 'id-2',
    userPrincipalName: 'b@contoso.example'
  }),
  outcome({
    externalId: 'E4',
    line: 5,
    outcome: 'warning',
    targetId: 'id-4',
    userPrincipalName: 'd@contoso.example'
  }),
  outcome({ externalId: 'E5', line: 6, outcome: 'failed', errorCode: 'UpnConflict' }),
  outcome({ externalId: 'E6', line: 7, outcome: 'not-seen' }),
  outcome({ externalId: 'C1', file: 'hr/contractors.csv', line: 9, outcome: 'created', targetId: 'id-9' })
]

describe('selectWriteback', () => {
  test('changed: the records Entra wrote in this run, in file and line order', () => {
    expect(selectWriteback(OUTCOMES, 'changed').map((o) => o.externalId)).toEqual(['C1', 'E1', 'E3', 'E4'])
  })

  test('all: every record the logs showed, whatever happened to it', () => {
    expect(selectWriteback(OUTCOMES, 'all').map((o) => o.externalId)).toEqual([
      'C1',
      'E1',
      'E2',
      'E3',
      'E4',
      'E5'
    ])
  })
})

describe('renderWritebackCsv', () => {
  test('keyed by externalId with the HR file and line, object id, UPN, mail where known and the outcome', () => {
    expect(renderWritebackCsv(selectWriteback(OUTCOMES, 'changed'))).toBe(
      [
        'externalId,file,line,objectId,userPrincipalName,mail,outcome',
        'C1,hr/contractors.csv,9,id-9,,,created',
        'E1,hr/people.csv,2,id-1,a@contoso.example,a@contoso.example,created',
        'E3,hr/people.csv,4,id-3,c@contoso.example,,updated',
        'E4,hr/people.csv,5,id-4,d@contoso.example,,warning',
        ''
      ].join('\n')
    )
  })

  const CELLS: Array<[string, string]> = [
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['a,b', '"a,b"'],
    ['E1', 'E1']
  ]
  test.each(CELLS)('spreadsheet-safe cell: %j → %j', (value, cell) => {
    expect(spreadsheetCell(value)).toBe(cell)
  })

  test('a row with formula-like values runs no formula', () => {
    const csv = renderWritebackCsv([
      outcome({ externalId: '=1+1', outcome: 'created', userPrincipalName: '@x' })
    ])
    expect(csv.split('\n')[1]).toBe("'=1+1,hr/people.csv,2,,'@x,,created")
  })
})

describe('from the provisioning logs to the writeback row', () => {
  test('the object id and UPN come from targetIdentity, mail from what the export step wrote', () => {
    const entry = parseLogEntry({
      id: 'log-1',
      activityDateTime: '2026-11-30T10:00:00Z',
      provisioningAction: 'create',
      provisioningStatusInfo: { status: 'success' },
      sourceIdentity: { id: 'E1', details: {} },
      targetIdentity: {
        id: '9f1c0000-0000-4000-8000-000000000001',
        identityType: 'User',
        details: { id: '9f1c0000-0000-4000-8000-000000000001', UserPrincipalName: 'ada@contoso.example' }
      },
      provisioningSteps: [
        { name: 'EntryImportAdd', provisioningStepType: 'import', status: 'success', details: {} },
        {
          name: 'EntryExportAdd',
          provisioningStepType: 'export',
          status: 'success',
          details: {
            userPrincipalName: 'ada@contoso.example',
            mail: 'ada.l@contoso.example',
            employeeId: 'E1'
          }
        }
      ]
    })
    expect(entry).toBeDefined()
    const result = toOutcome({ file: 'hr/a.csv', line: 7, externalId: 'E1', sentAt: 0 }, [entry!])
    expect(renderWritebackCsv(selectWriteback([result], 'changed')).split('\n')[1]).toBe(
      'E1,hr/a.csv,7,9f1c0000-0000-4000-8000-000000000001,ada@contoso.example,ada.l@contoso.example,created'
    )
  })
})

describe('writeWritebackFile', () => {
  test('writes inside the allowed folders, readable by the owner only', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'writeback-'))
    const file = path.join(root, 'out', 'writeback.csv')
    await writeWritebackFile(file, selectWriteback(OUTCOMES, 'changed'), [root])
    expect(readFileSync(file, 'utf8')).toContain('E1,hr/people.csv,2,id-1')
    expect(statSync(file).mode & 0o077).toBe(0)
  })

  test('refuses a folder that leads elsewhere through a symbolic link, and says so without failing silently', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'writeback-'))
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'elsewhere-'))
    mkdirSync(path.join(root, 'ws'))
    symlinkSync(elsewhere, path.join(root, 'ws', 'link'))
    const file = path.join(root, 'ws', 'link', 'writeback.csv')
    await expect(writeWritebackFile(file, [], [path.join(root, 'ws')])).rejects.toThrow(
      /outside the workspace/
    )
    const annotations: unknown[] = []
    const result = await writeback({ file, records: 'changed' }, OUTCOMES, [path.join(root, 'ws')], {
      info: () => undefined,
      annotate: (a) => annotations.push(a)
    })
    expect(result.failure).toMatch(/not written/)
    expect(result.outputs).toEqual({})
    expect(annotations).toHaveLength(1)
  })

  test('logs counts only, never the personal data it writes', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'writeback-'))
    const lines: string[] = []
    const result = await writeback({ file: path.join(root, 'w.csv'), records: 'all' }, OUTCOMES, [root], {
      info: (line) => lines.push(line),
      annotate: () => undefined
    })
    expect(result.outputs['writeback-file']).toBe(path.join(root, 'w.csv'))
    expect(lines.join('\n')).toContain('6 records (all)')
    expect(lines.join('\n')).not.toMatch(/@contoso/)
  })
})
