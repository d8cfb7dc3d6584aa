/**
 * GET …/synchronization/jobs/{jobId}/schema: the job's synchronization schema, for the mapping check. Needs only
 * Synchronization.Read.All (least privileged per Graph's reference); a refusal is not a reason to stop the run.
 */
import { GraphError, type GraphClient } from './http.ts'
import { jobPath, type JobTarget } from './provisioning.ts'

export const SCHEMA_READ_PERMISSION = 'Synchronization.Read.All'

export type SchemaRead =
  | { kind: 'read'; text: string }
  /** Graph answered, but not with the schema (403 without the permission, 404, …): the check is skipped. */
  | { kind: 'unavailable'; status: number | null; message: string }

export async function readJobSchema(client: GraphClient, target: JobTarget): Promise<SchemaRead> {
  try {
    const response = await client.request({ method: 'GET', path: `${jobPath(target)}/schema` })
    return { kind: 'read', text: response.text }
  } catch (error) {
    if (!(error instanceof GraphError)) throw error
    const where = `request-id ${error.requestId ?? '-'}`
    const message =
      error.status === 403
        ? `Graph refused to read the job's synchronization schema (403, ${where}): grant ${SCHEMA_READ_PERMISSION} to check the mapping against it.`
        : `Could not read the job's synchronization schema: ${error.message} (${where}).`
    return { kind: 'unavailable', status: error.status, message }
  }
}
