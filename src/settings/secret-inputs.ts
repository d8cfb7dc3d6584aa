/**
 * The secrets among the inputs, to register with the runner's masking (`::add-mask::`) as soon as settings are
 * read. The runner masks secrets it knows (repository secrets passed as inputs), but a value can reach an input in
 * other ways (a variable, a file read by an earlier step), and masking it again costs nothing.
 */
import type { ApplySettings } from './settings.ts'

/** Shorter lines of a PEM are not worth masking alone (and would blank out common text). */
const MIN_LINE = 8

/**
 * client-secret and client-certificate: the whole value, and each line of a multi-line value (the runner matches
 * masks line by line, so a multi-line value is masked only through its lines). PEM boundary lines are public.
 */
export function secretValues(apply: ApplySettings | undefined): string[] {
  const values: string[] = []
  for (const value of [apply?.clientSecret, apply?.clientCertificate]) {
    if (!value) continue
    values.push(value)
    const lines = value.split(/\r\n|\n|\r/).map((line) => line.trim())
    if (lines.length > 1)
      values.push(...lines.filter((line) => line.length >= MIN_LINE && !line.startsWith('-----')))
  }
  return values
}
