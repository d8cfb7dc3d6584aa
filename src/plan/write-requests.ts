/** Writes the bulk requests a plan would send, one JSON file each, byte for byte as they would be sent. */
import { constants } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import path from 'node:path'
import { confinePath } from '../common/confine.ts'
import { InputError } from '../common/diagnostics.ts'
import { createRequestRenderer } from './batches.ts'
import type { Plan } from './model.ts'

/**
 * `folder` is the `requests-dir` input (absolute); `roots` the folders it may lead into (workspace, RUNNER_TEMP).
 * A folder that is, or goes through, a symbolic link out of them is refused, and a request file that is a symbolic
 * link is never written through (a pull request could plant one to overwrite a file elsewhere).
 */
export async function writeRequests(plan: Plan, folder: string, roots: readonly string[]): Promise<string[]> {
  const real = await confinePath(folder, { roots, what: "Input 'requests-dir'" })
  await mkdir(real, { recursive: true })
  const width = Math.max(4, String(plan.batches.length).length)
  const written: string[] = []
  const render = createRequestRenderer(plan)
  for (const [index, batch] of plan.batches.entries()) {
    const name = `request-${String(index + 1).padStart(width, '0')}.json`
    await writeNoFollow(path.join(real, name), render(batch) + '\n', name)
    written.push(path.join(folder, name))
  }
  return written
}

async function writeNoFollow(file: string, text: string, name: string): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW
  const handle = await open(file, flags, 0o644).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ELOOP') throw error
    throw new InputError({
      severity: 'error',
      rule: 'path-outside-workspace',
      message: `Input 'requests-dir': '${name}' in it is a symbolic link; remove it (request files are never written through a link).`
    })
  })
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}
