import { describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { call } from './test-helpers.ts'
import type { Emulator } from './index.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('npm run emulator', () => {
  it('starts from a config file, prints the variables and inputs for the action, serves them, and stops on Ctrl-C', async () => {
    const began = performance.now()
    const child = spawn(process.execPath, ['test/emulator/cli.ts', 'test/emulator/example-config.json'], {
      cwd: root
    })
    let out = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('Press Ctrl-C')) resolve()
      })
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)))
    })
    const readyMs = performance.now() - began
    console.log(
      `CLI ready ${readyMs.toFixed(0)} ms after spawn (${/ready (\d+) ms/.exec(out)![1]} ms after its process start)`
    )
    expect(readyMs).toBeLessThan(5000)

    const vars = Object.fromEntries(
      out
        .split('\n')
        .filter((l) => /^[A-Z_-]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    )
    expect(Object.keys(vars)).toEqual([
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'NODE_EXTRA_CA_CERTS',
      'INPUT_TENANT-ID',
      'INPUT_CLIENT-ID',
      'INPUT_SERVICE-PRINCIPAL-ID',
      'INPUT_JOB-ID',
      'INPUT_AUTHORITY-HOST',
      'INPUT_GRAPH-URL',
      'ENTRA_HR_SYNC_LOG_WINDOW_MS'
    ])
    expect(vars.ENTRA_HR_SYNC_LOG_WINDOW_MS).toBe('10000')
    expect(vars.ACTIONS_ID_TOKEN_REQUEST_URL).toContain('?api-version=2.0')
    expect(vars['INPUT_TENANT-ID']).toBe('b16687d3-8faf-42ad-b298-92cdcaf01c6e')

    const ca = readFileSync(vars.NODE_EXTRA_CA_CERTS!, 'utf8')
    const emu = { ca } as Emulator
    const oidc = await call(
      emu,
      'GET',
      `${vars.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api%3A%2F%2FAzureADTokenExchange`,
      {
        headers: { Authorization: `Bearer ${vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
      }
    )
    expect(oidc.status).toBe(200)
    const conf = await call(
      emu,
      'GET',
      `${vars['INPUT_AUTHORITY-HOST']}/${vars['INPUT_TENANT-ID']}/v2.0/.well-known/openid-configuration`
    )
    expect(conf.status).toBe(200)

    // The printed command runs the bundled action in apply mode against this emulator, end to end.
    const command = out.split('\n').find((line) => line.startsWith('cd ') && line.includes('dist/index.js'))
    expect(command).toBeDefined()
    const action = spawnSync('bash', ['-c', command as string], { encoding: 'utf8', timeout: 60_000 })
    expect(action.status).toBe(0)
    expect(action.stdout).toContain('Signed in')
    expect(action.stdout).toMatch(/10 records: 10 created/)

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  }, 90_000)
})
