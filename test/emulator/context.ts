import type { Clock } from './clock.ts'
import type { EmulatorConfig } from './config.ts'
import type { KeyMaterial } from './certs.ts'
import type { FaultInjector } from './faults.ts'
import type { Ids } from './ids.ts'
import type { Recorder } from './recorder.ts'
import type { Directory } from './graph/directory.ts'
import type { JobState } from './graph/job.ts'
import type { LogStore } from './graph/logs.ts'
import type { Throttle } from './graph/throttle.ts'

/** The state every handler shares. `config` is the emulator's own copy; run-time helpers mutate it. */
export interface EmulatorContext {
  config: EmulatorConfig
  clock: Clock
  ids: Ids
  keys: KeyMaterial
  /** `https://127.0.0.1:PORT` (Entra + Graph) and `http://127.0.0.1:PORT` (GitHub OIDC). */
  baseUrl: string
  oidcUrl: string
  faults: FaultInjector
  recorder: Recorder
  directory: Directory
  jobs: Map<string, JobState>
  logs: LogStore
  throttle: Throttle
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString()
}
