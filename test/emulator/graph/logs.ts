import type { EmulatorContext } from '../context.ts'
import { FilterError, evaluate, parseFilter, type FilterSchema, type PropertyType } from './filter.ts'
import { graphError, graphJson, type GraphCall } from './envelope.ts'

/** The v1.0 `provisioningObjectSummary` shape (CSDL), as the wire shows it. */
export type ProvisioningResult = 'success' | 'failure' | 'skipped' | 'warning'

export interface ProvisioningStep {
  name: string
  provisioningStepType: 'import' | 'scoping' | 'matching' | 'processing' | 'referenceResolution' | 'export'
  status: ProvisioningResult
  description: string
  details: Record<string, string>
}

export interface ProvisioningErrorInfo {
  errorCode: string
  reason: string
  additionalDetails: string | null
  errorCategory: 'failure' | 'nonServiceFailure'
  recommendedAction: string | null
}

export interface ProvisionedIdentity {
  id: string
  displayName: string
  identityType: string
  details: Record<string, string>
}

export interface ProvisioningObjectSummary {
  id: string
  activityDateTime: string
  tenantId: string
  jobId: string
  cycleId: string
  changeId: string
  provisioningAction: 'create' | 'update' | 'disable' | 'delete' | 'other'
  durationInMilliseconds: number
  initiatedBy: { id: string; displayName: string; initiatorType: 'system' }
  servicePrincipal: { id: string; displayName: string }
  sourceSystem: { id: string; displayName: string; details: Record<string, string> }
  targetSystem: { id: string; displayName: string; details: Record<string, string> }
  sourceIdentity: ProvisionedIdentity
  targetIdentity: ProvisionedIdentity
  provisioningStatusInfo: { status: ProvisioningResult; errorInformation: ProvisioningErrorInfo | null }
  provisioningSteps: ProvisioningStep[]
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[]
}

/** Log entries in creation order; an entry is listed only once the clock passes `visibleAt`. */
export type LogStore = { visibleAt: number; record: ProvisioningObjectSummary }[]

const PROPERTIES: Record<string, PropertyType> = {
  id: 'string',
  tenantId: 'string',
  jobId: 'string',
  changeId: 'string',
  cycleId: 'string',
  activityDateTime: 'date',
  provisioningAction: 'string',
  durationInMilliseconds: 'number',
  'provisioningStatusInfo/status': 'string',
  'sourceSystem/displayName': 'string',
  'targetSystem/displayName': 'string',
  'sourceIdentity/identityType': 'string',
  'targetIdentity/identityType': 'string',
  'sourceIdentity/id': 'string',
  'targetIdentity/id': 'string',
  'sourceIdentity/displayName': 'string',
  'targetIdentity/displayName': 'string',
  'servicePrincipal/id': 'string',
  'servicePrincipal/displayName': 'string',
  'initiatedBy/displayName': 'string'
}

function logFilterSchema(ctx: EmulatorContext, version: string): FilterSchema {
  return {
    resolve(name) {
      let lower = name.toLowerCase()
      // The deprecated beta name of provisioningStatusInfo (Postman collection).
      if (version === 'beta' && lower === 'statusinfo/status') lower = 'provisioningstatusinfo/status'
      const property = Object.keys(PROPERTIES).find((p) => p.toLowerCase() === lower)
      return property ? { property, type: PROPERTIES[property]! } : null
    },
    check(property, op) {
      const type = PROPERTIES[property]
      if (type === 'string' && !['eq', 'ne', 'contains', 'startswith'].includes(op))
        return `The operator '${op}' is not supported for the property '${property}'.`
      if (type !== 'string' && (op === 'contains' || op === 'startswith'))
        return `The function '${op}' is not supported for the property '${property}'.`
      if (property === 'activityDateTime' && ctx.config.logs.strictDateFilter && (op === 'ge' || op === 'le'))
        return `The operator '${op}' is not supported for the property 'activityDateTime'. Use 'gt' or 'lt'.`
      return null
    }
  }
}

interface PageState {
  filter: string
  desc: boolean
  top: number
  offset: number
  /** Snapshot time: later-visible entries stay out, so pages are stable. */
  at: number
}

const pathValue = (record: unknown, property: string): unknown =>
  property
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], record)

/** GET /auditLogs/provisioning[/{id}] with $filter, $top, $orderby and $skiptoken paging. */
export function handleLogs(call: GraphCall, id: string | undefined): void {
  const { ctx } = call
  const step = ctx.config.logs.clockStepPerQueryMs
  if (step > 0 && id === undefined && !call.ex.url.searchParams.has('$skiptoken')) ctx.clock.advance(step)
  const now = ctx.clock.now()
  const hidden = new Set(ctx.config.logs.hiddenSourceIds)
  const visible = (at: number): LogStore =>
    ctx.logs.filter((e) => e.visibleAt <= at && !hidden.has(e.record.sourceIdentity.id))
  if (id !== undefined) {
    const entry = visible(now).find((e) => e.record.id === id)
    if (!entry) return graphError(call, 404, 'ResourceNotFound', `Resource '${id}' does not exist.`)
    return graphJson(call, 200, {
      '@odata.context': `${contextUrl(call)}/$entity`,
      ...withVersionNames(entry.record, call.version)
    })
  }

  const q = call.ex.url.searchParams
  let state: PageState
  const token = q.get('$skiptoken')
  if (token !== null) {
    const decoded = decodeToken(token)
    if (!decoded) return graphError(call, 400, 'BadRequest', 'The $skiptoken is invalid or expired.')
    state = decoded
  } else {
    const { pageSize, maxTop, honourOrderBy } = ctx.config.logs
    const rawTop = q.get('$top')
    const top = rawTop === null ? pageSize : Number(rawTop)
    if (!Number.isInteger(top) || top < 1)
      return graphError(call, 400, 'BadRequest', `Invalid value '${rawTop}' for $top.`)
    const orderby = (q.get('$orderby') ?? '').trim()
    if (orderby && !/^activityDateTime( (asc|desc))?$/i.test(orderby))
      return graphError(call, 400, 'BadRequest', `Order by '${orderby}' is not supported.`)
    const asc = honourOrderBy && /asc$/i.test(orderby)
    state = { filter: q.get('$filter') ?? '', desc: !asc, top: Math.min(top, maxTop), offset: 0, at: now }
  }

  let rows = visible(state.at).map((e) => e.record)
  if (state.filter) {
    try {
      const tree = parseFilter(state.filter, logFilterSchema(ctx, call.version))
      rows = rows.filter((r) => evaluate(tree, (p) => pathValue(r, p)))
    } catch (e) {
      if (e instanceof FilterError)
        return graphError(call, 400, 'BadRequest', `Invalid filter clause: ${e.message}`)
      throw e
    }
  }
  // Stable order: by time, then by creation order.
  const order = rows.map((r, i) => ({ r, i, t: Date.parse(r.activityDateTime) }))
  order.sort((a, b) => (a.t - b.t || a.i - b.i) * (state.desc ? -1 : 1))
  const page = order
    .slice(state.offset, state.offset + state.top)
    .map((o) => withVersionNames(o.r, call.version))
  const body: Record<string, unknown> = { '@odata.context': contextUrl(call) }
  if (state.offset + state.top < order.length) {
    const nextState = { ...state, offset: state.offset + state.top }
    const params = new URLSearchParams({ $top: String(state.top) })
    if (state.filter) params.set('$filter', state.filter)
    params.set('$skiptoken', encodeToken(nextState))
    body['@odata.nextLink'] =
      `${ctx.baseUrl}/${call.version}/auditLogs/provisioning?${params.toString().replace(/%24/g, '$')}`
  }
  body.value = page
  graphJson(call, 200, body)
}

/** Beta lists the deprecated names next to the v1.0 ones (`action: "Create"`, `statusInfo`), as a beta capture shows. */
function withVersionNames(record: ProvisioningObjectSummary, version: string): Record<string, unknown> {
  if (version !== 'beta') return record as unknown as Record<string, unknown>
  const action = record.provisioningAction
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) {
    out[key] = value
    if (key === 'changeId') out.action = action.charAt(0).toUpperCase() + action.slice(1)
    if (key === 'provisioningStatusInfo') out.statusInfo = { status: record.provisioningStatusInfo.status }
  }
  return out
}

function contextUrl(call: GraphCall): string {
  return `${call.ctx.baseUrl}/${call.version}/$metadata#auditLogs/provisioning`
}

function encodeToken(state: PageState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url')
}

function decodeToken(token: string): PageState | null {
  try {
    const s = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageState
    const ok =
      typeof s.filter === 'string' &&
      typeof s.desc === 'boolean' &&
      Number.isInteger(s.top) &&
      Number.isInteger(s.offset) &&
      typeof s.at === 'number'
    return ok ? s : null
  } catch {
    return null
  }
}
