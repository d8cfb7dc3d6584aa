/** What the emulator staged, asked of the emulator itself: externalId → how many bulkUpload calls it accepted (202). */
import type { Emulator } from '../emulator/index.ts'

export function acceptedByEmulator(emu: Emulator): Map<string, number> {
  const accepted = new Map<string, number>()
  for (const request of emu.inspect().requests) {
    if (request.endpoint !== 'graph.bulkUpload' || request.status !== 202) continue
    const body = JSON.parse(request.body) as { Operations: Array<{ data: { externalId: string } }> }
    for (const op of body.Operations)
      accepted.set(op.data.externalId, (accepted.get(op.data.externalId) ?? 0) + 1)
  }
  return accepted
}
