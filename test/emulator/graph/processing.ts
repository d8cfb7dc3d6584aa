import type { EmulatorContext } from '../context.ts'
import { isoTime } from '../context.ts'
import { stableGuid } from '../ids.ts'
import type { DirectoryUser, UserValue } from './directory.ts'
import type { JobState, StagedOperation, TaskExecution } from './job.ts'
import type {
  ProvisioningErrorInfo,
  ProvisioningObjectSummary,
  ProvisioningResult,
  ProvisioningStep
} from './logs.ts'
import { payloadPaths, readSchemaRules, sourceValue, targetValue, type SchemaRules } from './mapping.ts'

/**
 * Provisioning cycles. An accepted upload schedules a cycle `processing.delayMs` later (if the job is
 * Active and none is pending); the cycle drains the queue, applies each record to the directory and
 * writes provisioningObjectSummary entries the way the service does (docs/emulator.md, "Log entries"): one per
 * record, then, for a record whose manager was only processed later in the same cycle, a second entry of the same
 * change (an `update` whose only step is `EntryExportUpdate`) that sets it 1–2 s later. A manager that cannot be
 * resolved is a skip step in an entry whose status stays `success`. Times are whole seconds, and many entries share
 * one. All are visible `logs.visibilityDelayMs` after the cycle.
 */
export function scheduleCycle(ctx: EmulatorContext, job: JobState): void {
  if (job.code !== 'Active' || job.cycleTimer !== null || job.queue.length === 0) return
  job.cycleTimer = ctx.clock.schedule(ctx.config.processing.delayMs, () => runCycle(ctx, job))
}

export function cancelCycle(ctx: EmulatorContext, job: JobState): void {
  if (job.cycleTimer !== null) ctx.clock.cancel(job.cycleTimer)
  job.cycleTimer = null
}

type Action = ProvisioningObjectSummary['provisioningAction']

/** Entries the service writes per second of a cycle [Inf: the capture shows several creates in one second]. */
const ENTRIES_PER_SECOND = 50
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

interface Outcome {
  externalId: string
  changeId: string
  /** The manager's externalId when it could not be resolved while the record was processed. */
  unresolvedManager: string | null
  displayName: string
  userName: string
  action: Action
  status: ProvisioningResult
  user: DirectoryUser | null
  steps: ProvisioningStep[]
  modified: ProvisioningObjectSummary['modifiedProperties']
  error: ProvisioningErrorInfo | null
}

function runCycle(ctx: EmulatorContext, job: JobState): void {
  job.cycleTimer = null
  if (job.code !== 'Active' || job.queue.length === 0) return
  const batch = job.queue.splice(0)
  if (ctx.config.processing.reverse) batch.reverse()
  if (ctx.config.processing.shuffle)
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(ctx.ids.random() * (i + 1))
      ;[batch[i], batch[j]] = [batch[j]!, batch[i]!]
    }
  const rules = readSchemaRules(job.schema)
  const cycleId = ctx.ids.guid()
  const began = ctx.clock.now()
  const perRequest = ctx.config.processing.duplicateScope === 'request'
  const dupKey = (op: StagedOperation): string =>
    `${externalIdOf(op)}\u0000${perRequest ? op.requestSeq : ''}`
  const seen = new Map<string, number>()
  for (const op of batch) if (externalIdOf(op)) seen.set(dupKey(op), (seen.get(dupKey(op)) ?? 0) + 1)

  const second = Math.floor(began / 1000) * 1000
  const outcomes = batch.map((op, i) => {
    const outcome = processRecord(ctx, job, rules, op, (seen.get(dupKey(op)) ?? 0) > 1)
    const at = second + Math.floor(i / ENTRIES_PER_SECOND) * 1000
    writeEntry(ctx, job, summary(ctx, job, outcome, cycleId, at), began)
    return outcome
  })
  setLateManagers(
    ctx,
    job,
    outcomes,
    cycleId,
    // The second of the cycle's last records: follow-ups come 1–2 s after it.
    second + Math.floor(Math.max(0, batch.length - 1) / ENTRIES_PER_SECOND) * 1000,
    began
  )
  recordExecution(ctx, job, cycleId, began, outcomes)
}

function writeEntry(
  ctx: EmulatorContext,
  job: JobState,
  record: ProvisioningObjectSummary,
  began: number
): void {
  ctx.logs.push({ visibleAt: began + ctx.config.logs.visibilityDelayMs, record })
}

/**
 * The second pass of a cycle: a record whose manager was processed after it gets the manager now, logged as an
 * `update` of the same change whose only step is the export, 1–2 s after the records.
 */
function setLateManagers(
  ctx: EmulatorContext,
  job: JobState,
  outcomes: Outcome[],
  cycleId: string,
  after: number,
  began: number
): void {
  let k = 0
  for (const o of outcomes) {
    const manager =
      o.unresolvedManager === null ? undefined : ctx.directory.get(job.anchors.get(o.unresolvedManager) ?? '')
    if (!manager || !o.user || o.status === 'failure') continue
    const old = o.user.props.manager ?? null
    o.user.props.manager = manager.id
    const followUp: Outcome = {
      ...o,
      action: 'update',
      status: 'success',
      error: null,
      steps: [
        step(
          'EntryExportUpdate',
          'export',
          'success',
          `${USER_LABEL} '${o.externalId}' was updated in Azure Active Directory`,
          { ReportableIdentifier: o.externalId }
        )
      ],
      modified: [{ displayName: 'manager', oldValue: show(old), newValue: manager.id }]
    }
    writeEntry(ctx, job, summary(ctx, job, followUp, cycleId, after + (1 + (k++ % 2)) * 1000), began)
  }
}

function externalIdOf(op: StagedOperation): string {
  return typeof op.data.externalId === 'string' ? op.data.externalId : ''
}

function step(
  name: string,
  type: ProvisioningStep['provisioningStepType'],
  status: ProvisioningResult,
  description: string,
  details: Record<string, string> = {}
): ProvisioningStep {
  return { name, provisioningStepType: type, status, description, details }
}

const USER_LABEL = 'Urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

/** The step the service logs when it cannot resolve a manager (status success: the rest of the record applies). */
function managerSkip(managerRef: string, upn: string): ProvisioningStep {
  return step(
    'EntrySynchronizationSkip',
    'processing',
    'success',
    `We were unable to assign ${managerRef} as the manager of ${upn}. In order to ensure that the references are updated properly, ensure that ${managerRef} is in scope for provisioning, then provision ${managerRef} and ${upn} again, or restart provisioning.`,
    {
      [managerRef]: 'manager Add',
      PropertyName: 'manager',
      SkipReason: 'UnableToResolveReferenceAttributeValue'
    }
  )
}

/** The import step's details: the payload's values keyed by their SCIM path with the punctuation removed. */
function importedValues(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const path of payloadPaths(data)) {
    const value = sourceValue(data, path)
    const text = value !== null && typeof value === 'object' ? (value as { value?: unknown }).value : value
    if (text !== undefined && text !== null && typeof text !== 'object')
      out[path.replace(/[^A-Za-z0-9]/g, '')] = String(text)
  }
  return out
}

const show = (v: UserValue | undefined): string | null =>
  v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 'True' : 'False') : v

/** The attributes a create wrote, as an export step's details (string values; nulls left out). */
function writtenAttributes(desired: Record<string, UserValue>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(desired)) {
    const shown = show(value)
    if (shown !== null && key !== 'manager') out[key] = shown
  }
  return out
}

function fail(
  o: Outcome,
  failing: ProvisioningStep,
  errorCode: string,
  reason: string,
  recommendedAction: string | null = null,
  errorCategory: ProvisioningErrorInfo['errorCategory'] = 'nonServiceFailure'
): Outcome {
  o.steps.push({ ...failing, status: 'failure', description: `${failing.description} ${reason}`.trim() })
  o.status = 'failure'
  o.error = { errorCode, reason, additionalDetails: null, errorCategory, recommendedAction }
  return o
}

function processRecord(
  ctx: EmulatorContext,
  job: JobState,
  rules: SchemaRules,
  op: StagedOperation,
  duplicate: boolean
): Outcome {
  const { data } = op
  const externalId = externalIdOf(op)
  const name = data.name as { formatted?: unknown } | undefined
  const displayName = String(data.displayName ?? name?.formatted ?? externalId)
  const o: Outcome = {
    externalId,
    changeId: ctx.ids.guid(),
    unresolvedManager: null,
    displayName,
    userName: typeof data.userName === 'string' ? data.userName : '',
    action: 'other',
    status: 'success',
    user: null,
    steps: [],
    modified: [],
    error: null
  }
  const applicable = rules.mappings.filter((m) => rules.sourceAttributes.has(m.source))
  // Payload attributes that are not in the schema or not mapped are ignored, and reported here.
  const used = new Set(applicable.map((m) => m.source))
  const ignored = payloadPaths(data).filter((p) => !used.has(p))
  const importDetails = importedValues(data)
  if (ignored.length) importDetails.IgnoredAttributes = ignored.join(', ')
  const importStep = step(
    'EntryImportAdd',
    'import',
    'success',
    `Received ${ENTERPRISE_USER} '${externalId}' change of type (Add) from API`,
    importDetails
  )

  if (!externalId)
    return fail(
      o,
      { ...importStep, description: 'Retrieved User from API.' },
      'ImportSkipped',
      "The record has no value for the matching attribute 'externalId'; scoping and matching were not evaluated.",
      'Send externalId in every record.'
    )
  o.steps.push(importStep)
  const transient = ctx.config.processing.transientFailures[externalId] ?? 0
  if (transient > 0) {
    ctx.config.processing.transientFailures[externalId] = transient - 1
    return fail(
      o,
      step('EntryExportAdd', 'export', 'success', `Export User '${externalId}'.`),
      'ServiceUnavailable',
      'The target directory was temporarily unavailable; the change was not applied.',
      'Send the record again.',
      'failure'
    )
  }
  const matchingStep = step('EntrySynchronizationMatch', 'matching', 'success', `Match User '${externalId}'.`)
  if (duplicate)
    return fail(
      o,
      matchingStep,
      'DuplicateSourceEntries',
      `More than one source record has the matching value '${externalId}'.`,
      'Send each externalId once per request.'
    )

  const inScope = rules.scoping.every((s) => String(sourceValue(data, s.source) ?? '') === s.equals)
  o.steps.push(
    step(
      'EntrySynchronizationScoping',
      'scoping',
      inScope ? 'success' : 'skipped',
      `Determine if ${ENTERPRISE_USER} in scope by evaluating against each scoping filter`,
      {
        'Active in the source system': data.active === false ? 'False' : 'True',
        'Scoping filter evaluation passed': inScope ? 'True' : 'False',
        ScopeEvaluationResult: '{}'
      }
    )
  )
  if (!inScope) {
    o.status = 'skipped'
    o.steps.push(
      step('EntrySynchronizationSkip', 'processing', 'skipped', `User '${externalId}' is out of scope.`, {
        SkipReason: 'NotEffectivelyEntitled'
      })
    )
    return o
  }

  const matching = applicable.find((m) => m.matchingPriority === 1) ?? {
    source: 'externalId',
    target: 'employeeId'
  }
  const matchValue = targetValue(matching.target, sourceValue(data, matching.source)) ?? externalId
  let user: DirectoryUser | undefined
  const anchor = job.anchors.get(externalId)
  if (anchor) {
    user = ctx.directory.get(anchor)
    if (!user)
      return fail(
        o,
        matchingStep,
        'InvalidAnchor',
        `The target User previously matched to '${externalId}' (${anchor}) no longer exists.`,
        'Restart the provisioning job to force re-matching.'
      )
  } else {
    const candidates = ctx.directory.findBy(matching.target, matchValue)
    if (candidates.length > 1)
      return fail(
        o,
        matchingStep,
        'DuplicateTargetEntries',
        `More than one User in Microsoft Entra ID has ${matching.target} '${String(matchValue)}'.`,
        'Make the matching attribute unique in the directory.'
      )
    user = candidates[0]
  }

  if (op.method === 'DELETE') return deleteUser(ctx, job, o, user)

  const desired: Record<string, UserValue> = {}
  for (const m of applicable) {
    if (m.target === 'manager' || (user && m.flowType === 'ObjectAddOnly')) continue
    const v = targetValue(m.target, sourceValue(data, m.source))
    if (v !== undefined) desired[m.target] = v
  }
  const managerRule = applicable.find((m) => m.target === 'manager')
  const managerRef = managerRule && targetValue('manager', sourceValue(data, managerRule.source))
  if (typeof managerRef === 'string') {
    // Only a manager the job has already processed (in scope, earlier in this or a past cycle) resolves now; one
    // processed later in this cycle is set by a second entry (setLateManagers).
    const manager = ctx.directory.get(job.anchors.get(managerRef) ?? '')
    if (manager) desired.manager = manager.id
    else o.unresolvedManager = managerRef
  }
  const referenceSkip = (upn: UserValue | undefined): void => {
    if (o.unresolvedManager !== null)
      o.steps.push(managerSkip(o.unresolvedManager, String(upn ?? externalId)))
  }

  if (!user) {
    o.action = 'create'
    desired.accountEnabled ??= true
    const upn = desired.userPrincipalName
    const exportStep = step(
      'EntryExportAdd',
      'export',
      'success',
      `User '${externalId}' was created in Microsoft Entra ID`,
      // The capture's export step lists the Entra attributes it wrote, by their Entra names.
      { ReportableIdentifier: externalId, ...writtenAttributes(desired) }
    )
    o.modified = Object.keys(desired)
      .sort()
      .map((k) => ({ displayName: k, oldValue: null, newValue: show(desired[k]) }))
    o.steps.push(
      step(
        'EntrySynchronizationAdd',
        'matching',
        'success',
        `User '${externalId}' will be created in Microsoft Entra ID (no matching User was found)`
      )
    )
    referenceSkip(upn)
    if (typeof upn !== 'string' || !upn)
      return fail(
        o,
        exportStep,
        'MandatoryFieldsMissing',
        'The required property userPrincipalName has no value.',
        'Map a value to userPrincipalName.'
      )
    const problem = upnProblem(ctx, upn, null)
    if (problem) return fail(o, exportStep, problem[0], problem[1], problem[2])
    o.user = ctx.directory.create(desired)
    job.anchors.set(externalId, o.user.id)
    o.steps.push(exportStep)
  } else {
    job.anchors.set(externalId, user.id)
    o.user = user
    const changed = Object.keys(desired)
      .filter((k) => user.props[k] !== desired[k])
      .sort()
    o.modified = changed.map((k) => ({
      displayName: k,
      oldValue: show(user.props[k]),
      newValue: show(desired[k])
    }))
    referenceSkip(user.props.userPrincipalName)
    if (changed.length === 0) {
      o.status = 'skipped'
      o.steps.push(
        step(
          'EntrySynchronizationSkip',
          'matching',
          'skipped',
          `User '${externalId}' is already up to date.`,
          { SkipReason: 'RedundantExport' }
        )
      )
    } else {
      o.action =
        user.props.accountEnabled !== false && desired.accountEnabled === false ? 'disable' : 'update'
      o.steps.push(
        step(
          'EntrySynchronizationUpdate',
          'matching',
          'success',
          `User '${externalId}' will be updated in Microsoft Entra ID`
        )
      )
      const exportStep = step(
        'EntryExportUpdate',
        'export',
        'success',
        `User '${externalId}' was updated in Microsoft Entra ID`,
        { ReportableIdentifier: externalId }
      )
      const upn = desired.userPrincipalName
      const problem =
        changed.includes('userPrincipalName') && typeof upn === 'string'
          ? upnProblem(ctx, upn, user.id)
          : null
      if (problem) return fail(o, exportStep, problem[0], problem[1], problem[2])
      for (const k of changed) user.props[k] = desired[k]!
      o.steps.push(exportStep)
    }
  }
  return o
}

/** Legacy DELETE (only with graph.legacyDelete): soft-deletes the matched user. */
function deleteUser(
  ctx: EmulatorContext,
  job: JobState,
  o: Outcome,
  user: DirectoryUser | undefined
): Outcome {
  if (!user) {
    o.status = 'skipped'
    o.steps.push(
      step('EntrySynchronizationSkip', 'matching', 'skipped', `No User matches '${o.externalId}'.`, {
        SkipReason: 'TargetEntryNotFound'
      })
    )
    return o
  }
  o.action = 'delete'
  o.user = user
  ctx.directory.remove(user.id)
  job.anchors.delete(o.externalId)
  o.steps.push(
    step('EntrySynchronizationDelete', 'matching', 'success', `User '${o.externalId}' will be deleted`)
  )
  o.steps.push(
    step(
      'EntryExportDelete',
      'export',
      'success',
      `User '${o.externalId}' was deleted in Microsoft Entra ID`,
      { ReportableIdentifier: o.externalId }
    )
  )
  return o
}

/** Why a UPN cannot be written: [errorCode, reason, recommendedAction], or null. */
function upnProblem(
  ctx: EmulatorContext,
  upn: string,
  selfId: string | null
): [string, string, string] | null {
  const at = upn.lastIndexOf('@')
  const local = upn.slice(0, at)
  const domain = upn.slice(at + 1)
  if (at < 1 || !domain || /[\s"(),:;<>[\]\\@]/.test(local))
    return [
      'AzureActiveDirectoryInvalidUserPrincipalName',
      `The userPrincipalName '${upn}' is not valid.`,
      'Fix the userName value or the userPrincipalName mapping.'
    ]
  if (!ctx.config.verifiedDomains.some((d) => d.toLowerCase() === domain.toLowerCase()))
    return [
      'AzureActiveDirectoryInvalidDomain',
      `The domain portion of the userPrincipalName '${upn}' is invalid: domain does not exist. Use one of the verified domains in the tenant.`,
      'Map userPrincipalName to a verified domain, for example with DefaultDomain().'
    ]
  const holder = ctx.directory.findUpn(upn)
  if (holder && holder.id !== selfId)
    return [
      'AzureActiveDirectoryInvalidUserPrincipalName',
      `Another object with the same value for property userPrincipalName '${upn}' already exists.`,
      'Make the userPrincipalName unique, for example with RandomString() on object creation only.'
    ]
  return null
}

/** An entry as the service writes it; `at` is a whole second. */
function summary(
  ctx: EmulatorContext,
  job: JobState,
  o: Outcome,
  cycleId: string,
  at: number
): ProvisioningObjectSummary {
  const { config } = ctx
  const spName = config.servicePrincipalDisplayName
  const target = o.status === 'failure' && o.action === 'create' ? null : o.user
  const targetName = String(target?.props.displayName ?? '')
  return {
    id: ctx.ids.guid(),
    activityDateTime: isoTime(at).replace(/\.\d{3}Z$/, 'Z'),
    tenantId: config.tenantId,
    jobId: job.id,
    cycleId,
    changeId: o.changeId,
    provisioningAction: o.action,
    durationInMilliseconds: 150 + Math.floor(ctx.ids.random() * 3500),
    initiatedBy: { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' },
    servicePrincipal: { id: config.servicePrincipalId, displayName: spName },
    sourceSystem: { id: stableGuid(`source:${job.id}`), displayName: 'API', details: {} },
    targetSystem: {
      id: stableGuid(`target:${job.id}`),
      displayName: 'Microsoft Entra ID',
      details: {
        ApplicationId: stableGuid(`app:${config.servicePrincipalId}`),
        ServicePrincipalId: config.servicePrincipalId,
        ServicePrincipalDisplayName: spName
      }
    },
    sourceIdentity: { id: o.externalId, displayName: '', identityType: ENTERPRISE_USER, details: {} },
    targetIdentity: {
      id: target?.id ?? '',
      displayName: targetName,
      identityType: 'User',
      details: target
        ? {
            id: target.id,
            odatatype: 'User',
            DisplayName: targetName,
            UserPrincipalName: String(target.props.userPrincipalName ?? '')
          }
        : {}
    },
    provisioningStatusInfo: { status: o.status, errorInformation: o.error },
    provisioningSteps: o.steps,
    modifiedProperties: o.modified
  }
}

function recordExecution(
  ctx: EmulatorContext,
  job: JobState,
  cycleId: string,
  began: number,
  outcomes: Outcome[]
): void {
  const failures = outcomes.filter((o) => o.status === 'failure').length
  const exported = outcomes.filter((o) => o.status !== 'failure' && o.action !== 'other').length
  const execution: TaskExecution = {
    activityIdentifier: cycleId,
    countEntitled: outcomes.length,
    countEntitledForProvisioning: outcomes.length,
    countEscrowed: failures,
    countEscrowedRaw: failures,
    countExported: exported,
    countExports: exported,
    countImported: outcomes.length,
    countImportedDeltas: outcomes.length,
    countImportedReferenceDeltas: 0,
    error: null,
    state: failures ? 'EntryLevelErrors' : 'Succeeded',
    timeBegan: isoTime(began),
    timeEnded: isoTime(began + outcomes.length)
  }
  job.lastExecution = execution
  if (failures < outcomes.length) {
    job.lastSuccessfulExecution = execution
    if (exported) job.lastSuccessfulExecutionWithExports = execution
    job.countSuccessiveCompleteFailures = 0
  } else job.countSuccessiveCompleteFailures++
}
