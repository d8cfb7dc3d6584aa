/**
 * Regenerates the README's pictures from what the action really does:
 * - docs/images/job-summary.png: test/golden/e2e-plan-summary.md (the job summary of the end-to-end plan test,
 *   kept equal to a real run of dist/index.js by that test), rendered as GitHub renders Markdown;
 * - docs/images/annotation.png: the first error annotation of a fresh run of dist/index.js on the same fixture,
 *   shown on its line of the CSV file as GitHub shows annotations in a pull request's files.
 * Needs Chromium (Debian package `chromium`): npm run pictures
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { marked } from 'marked'
import { runAction } from '../test/helpers/run-action.ts'

const root = path.join(import.meta.dirname, '..')
const images = path.join(root, 'docs', 'images')
const scratch = mkdtempSync(path.join(tmpdir(), 'pictures-'))
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium'

const STYLE = `
  body { font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
         color: #1f2328; background: #fff; margin: 0; padding: 24px; }
  .frame { border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px 24px; max-width: 1100px; }
  h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin-top: 0; }
  h3 { font-size: 1.25em; }
  table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
  th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
  tr:nth-child(2n) td { background: #f6f8fa; }
  th { font-weight: 600; }
  a { color: #0969da; text-decoration: none; }
  details summary { cursor: pointer; margin: 8px 0; }
  sub { color: #59636e; }
  code, .code { font: 12px/20px ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, monospace; }
`

function screenshot(name: string, html: string, width: number, height: number): void {
  const page = path.join(scratch, `${name}.html`)
  writeFileSync(page, `<!doctype html><meta charset="utf-8"><style>${STYLE}</style>${html}`)
  mkdirSync(images, { recursive: true })
  execFileSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${path.join(scratch, 'profile')}`,
      `--window-size=${width},${height}`,
      `--screenshot=${path.join(images, `${name}.png`)}`,
      `file://${page}`
    ],
    { stdio: 'ignore' }
  )
  console.log(`docs/images/${name}.png`)
}

const escape = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)

// The job summary, as GitHub renders it.
const summary = readFileSync(path.join(root, 'test', 'golden', 'e2e-plan-summary.md'), 'utf8')
screenshot('job-summary', `<div class="frame">${await marked.parse(summary)}</div>`, 1180, 760)

// An annotation on its CSV line, from a real run on the same fixture.
const workspace = path.join(scratch, 'workspace')
cpSync(path.join(root, 'test', 'fixtures', 'e2e'), workspace, { recursive: true })
const run = await runAction({ workspace, inputs: { files: 'hr/*.csv', mapping: 'mapping.yml' } })
const annotation = run.annotations.find(
  (a) => a.severity === 'error' && a.properties.title === 'userName-format'
)
if (!annotation) throw new Error('the run gave no userName-format annotation')
const file = annotation.properties.file as string
const line = Number(annotation.properties.line)
const lines = readFileSync(path.join(workspace, file), 'utf8')
  .replace(/^\uFEFF/, '')
  .split(/\r?\n/)
const rows = [line - 2, line - 1, line, line + 1].map((n) => {
  const code = `<tr><td style="color:#59636e;text-align:right;border:0;padding:0 12px">${n}</td><td class="code" style="border:0;padding:0 8px;white-space:pre">${escape(lines[n - 1] ?? '')}</td></tr>`
  if (n !== line) return code
  return (
    code +
    `<tr><td colspan="2" style="border:0;padding:8px 12px"><div style="border:1px solid #d1242f;border-left-width:4px;border-radius:6px;padding:8px 12px;background:#fff">` +
    `<div style="color:#d1242f;font-weight:600">✖ Check failure on line ${n} in ${escape(file)}</div>` +
    `<div style="font-weight:600;margin-top:4px">${escape(annotation.properties.title ?? '')}</div>` +
    `<div>${escape(annotation.message)}</div></div></td></tr>`
  )
})
screenshot(
  'annotation',
  `<div class="frame" style="padding:0"><div style="background:#f6f8fa;border-bottom:1px solid #d1d9e0;padding:8px 16px" class="code">${escape(file)}</div>` +
    `<table style="display:table;width:100%;margin:8px 0">${rows.join('')}</table></div>`,
  1180,
  300
)
