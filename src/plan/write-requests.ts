/** Writes the bulk requests a plan would send, one JSON file each, byte for byte as they would be sent. */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createRequestRenderer } from '../scim/batch.ts'
import type { Plan } from './types.ts'

export async function writeRequests(plan: Plan, folder: string): Promise<string[]> {
  await mkdir(folder, { recursive: true })
  const width = Math.max(4, String(plan.batches.length).length)
  const written: string[] = []
  const render = createRequestRenderer(plan)
  for (const [index, batch] of plan.batches.entries()) {
    const file = path.join(folder, `request-${String(index + 1).padStart(width, '0')}.json`)
    await writeFile(file, render(batch) + '\n')
    written.push(file)
  }
  return written
}
