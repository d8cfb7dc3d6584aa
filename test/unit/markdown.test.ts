import { describe, expect, test } from '@jest/globals'
import { blobUrl, cell, link, table, text } from '../../src/common/markdown.ts'

describe('escaping for job summaries', () => {
  test('escapes HTML, every pipe, and Markdown inline syntax', () => {
    expect(cell('<img src=x onerror=alert(1)> | a | b')).toBe(
      '&lt;img src=x onerror=alert(1)&gt; \\| a \\| b'
    )
    expect(text('**bold** _x_ `code` [link](u) ~~s~~ # h & "q"')).toBe(
      '\\*\\*bold\\*\\* \\_x\\_ \\`code\\` \\[link\\](u) \\~\\~s\\~\\~ \\# h &amp; &quot;q&quot;'
    )
  })

  test('keeps a cell on one line', () => {
    expect(cell('line 1\r\nline 2\nline 3')).toBe('line 1 line 2 line 3')
  })

  test('builds safe links to file lines', () => {
    const url = blobUrl(
      { serverUrl: 'https://github.com', repo: 'o/r', sha: 'abc' },
      'hr/my file (1).csv',
      12
    )
    expect(url).toBe('https://github.com/o/r/blob/abc/hr/my%20file%20(1).csv#L12')
    expect(link('hr/my file (1).csv:12', url)).toBe(
      '[hr/my file (1).csv:12](https://github.com/o/r/blob/abc/hr/my%20file%20%281%29.csv#L12)'
    )
  })

  test('renders tables with right-aligned numeric columns', () => {
    expect(table(['a', 'n'], [['x', '1']], [1])).toBe('| a | n |\n| --- | ---: |\n| x | 1 |')
  })
})
