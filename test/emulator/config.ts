import type { FaultRule } from './faults.ts'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
export const ENTRA_AUDIENCE = 'api://AzureADTokenExchange'

export interface FederatedCredential {
  name: string
  issuer: string
  subject: string
  audiences: string[]
}

export interface ClientSecret {
  value: string
  /** ISO date; an expired secret answers AADSTS7000222. */
  expiresAt?: string
}

/** The GitHub Actions run whose OIDC tokens the emulator issues. */
export interface WorkflowRun {
  owner: string
  ownerId: number
  repo: string
  repoId: number
  ref: string
  sha: string
  /** Set for a job that targets an environment: `sub` then uses `:environment:NAME`. */
  environment: string | null
  eventName: string
  workflow: string
  workflowPath: string
  runId: number
  runNumber: number
  runAttempt: number
  actor: string
  actorId: number
  repositoryVisibility: 'public' | 'private' | 'internal'
  /** Immutable subjects (`repo:OWNER@ID/REPO@ID:…`), GitHub's format for repositories created after 2026-07-15. */
  immutableSubject: boolean
}

/** One SCIM→Entra attribute mapping (stored in the job schema's synchronization rule). */
export interface MappingRule {
  /** Source attribute as the API schema names it: `userName`, `name.givenName`, `emails[type eq "work"].value`, `urn:…:User:department`. */
  source: string
  /** Entra user property; nested Graph properties use `/`, e.g. `employeeOrgData/costCenter`. */
  target: string
  flowType?: 'Always' | 'ObjectAddOnly'
  /** 1 marks the matching pair (default `externalId` ↔ `employeeId`). */
  matchingPriority?: number
}

/** A scoping clause: the record is in scope only when the source attribute equals `equals`. */
export interface ScopingRule {
  source: string
  equals: string
}

/** A pre-existing directory user: Graph property names (flat, `/` for nested) plus an optional `id`. */
export type SeedUser = Record<string, string | boolean | null>

export type JobStatusCode = 'Active' | 'Paused' | 'Quarantine' | 'NotRun'

export interface EmulatorConfig {
  /** Fake clock (moves only on `advance`) and seeded ids. Off: wall clock and random ids. */
  deterministic: boolean
  seed: string
  /** Start of the fake clock (ISO); null = the wall-clock time at start-up, whole seconds. */
  startTime: string | null
  /** HTTPS port of Entra + Graph; 0 = ephemeral. */
  port: number
  /** HTTP port of the GitHub OIDC endpoint; 0 = ephemeral. */
  oidcPort: number

  tenantId: string
  /** Domain names also accepted as `{tenant}` in Entra URLs. */
  tenantDomains: string[]
  /** Verified domains: a UPN with any other suffix fails with "domain does not exist". */
  verifiedDomains: string[]

  clientId: string
  appDisplayName: string
  /** AADSTS7000112 when true. */
  appDisabled: boolean
  /** Application permissions granted with admin consent; they become the Graph token's `roles`. */
  roles: string[]
  /** Whether the calling app owns the provisioning app (what the `.OwnedBy` permissions need). */
  ownsProvisioningApp: boolean
  clientSecrets: ClientSecret[]
  federatedCredentials: FederatedCredential[]

  servicePrincipalId: string
  servicePrincipalDisplayName: string
  templateId: 'API2AAD' | 'API2AD'
  /** The job id is `{templateId}.{tenantId without hyphens}.{jobGuid}`, as Entra builds it. */
  jobGuid: string
  jobStatus: JobStatusCode
  /** Other jobs on the same service principal, e.g. `{ id: 'scim.….…', templateId: 'scim' }` to test 404s. */
  extraJobs: { id: string; templateId: string }[]

  oidc: {
    /** `iss` of the issued tokens; Entra trusts the emulator's GitHub keys for it. */
    issuer: string
    /** The value of ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
    requestToken: string
    lifetimeSec: number
    run: WorkflowRun
  }

  entra: {
    /** Resource of the Graph scope (`{resource}/.default`) and `aud` of the access tokens. */
    graphResource: string
    accessTokenLifetimeSec: number
    /** Tolerance on the assertion's exp/nbf. */
    assertionSkewSec: number
    /** `specific`: 700211/700213/700212 per mismatching claim; `generic`: AADSTS70021 for all. */
    ficErrors: 'specific' | 'generic'
  }

  graph: {
    /** `aud` values Graph accepts. */
    acceptedAudiences: string[]
    /** `iss` Graph accepts; null means `https://sts.windows.net/{tenantId}/`. */
    tokenIssuer: string | null
    clockSkewSec: number
    maxOperations: number
    maxBodyBytes: number
    /** Accept the withdrawn `DELETE` method (soft-deletes the matched user). */
    legacyDelete: boolean
    rateLimit: { windowMs: number; maxCalls: number; dailyQuota: number }
    /** Staged operations the job's queue ("bucket") holds; more gives the bucket-full 500. */
    queueCapacity: number
    /** Capacity while the job is not Active; null = same as queueCapacity. 0 = bucket full at once. */
    queueCapacityWhenStopped: number | null
  }

  processing: {
    /** Delay between an accepted upload and the cycle that processes it. */
    delayMs: number
    mapping: MappingRule[]
    /** Source attributes of the API directory in the job schema (custom ones are added with PUT schema). */
    sourceAttributes: string[]
    scoping: ScopingRule[]
    /** Process each cycle's records in a seeded random order instead of upload order. */
    shuffle: boolean
    /**
     * Process each cycle's records in reverse upload order: the service does not document the order within a
     * request, so a manager sent before its report may still be processed after it.
     */
    reverse: boolean
    /** Where duplicate externalIds fail with DuplicateSourceEntries: within one request, or one cycle. */
    duplicateScope: 'request' | 'cycle'
    /**
     * externalId → how many times its processing fails with a service-side (transient) error, errorCategory
     * `failure`, before it succeeds: to test automatic re-submission. [Inf: the service's transient codes are
     * not documented.]
     */
    transientFailures: Record<string, number>
  }

  logs: {
    /** Lag between processing and an entry appearing in GET /auditLogs/provisioning. */
    visibilityDelayMs: number
    pageSize: number
    maxTop: number
    /** Reject `ge`/`le` on activityDateTime with 400, like the service one report describes. */
    strictDateFilter: boolean
    /** False: ignore `$orderby` (always newest first), to emulate its reported unreliability. */
    honourOrderBy: boolean
    /** externalIds whose entries never become visible (a record the client must report as not seen). */
    hiddenSourceIds: string[]
    /**
     * Each new log query (a GET without `$skiptoken`) first advances the clock by this much: an out-of-process
     * client's waits between polls, without real waiting. 0 = off.
     */
    clockStepPerQueryMs: number
  }

  seedUsers: SeedUser[]
  faults: FaultRule[]
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K]
}
export type EmulatorOptions = DeepPartial<EmulatorConfig>

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

export const DEFAULT_MAPPING: MappingRule[] = [
  { source: 'externalId', target: 'employeeId', matchingPriority: 1 },
  { source: 'userName', target: 'userPrincipalName' },
  { source: 'active', target: 'accountEnabled' },
  { source: 'displayName', target: 'displayName' },
  { source: 'name.givenName', target: 'givenName' },
  { source: 'name.familyName', target: 'surname' },
  { source: 'title', target: 'jobTitle' },
  { source: 'userType', target: 'employeeType' },
  { source: 'preferredLanguage', target: 'preferredLanguage' },
  { source: 'emails[type eq "work"].value', target: 'mail' },
  { source: 'phoneNumbers[type eq "mobile"].value', target: 'mobilePhone' },
  { source: 'addresses[type eq "work"].streetAddress', target: 'streetAddress' },
  { source: 'addresses[type eq "work"].locality', target: 'city' },
  { source: 'addresses[type eq "work"].region', target: 'state' },
  { source: 'addresses[type eq "work"].postalCode', target: 'postalCode' },
  { source: 'addresses[type eq "work"].country', target: 'country' },
  { source: `${ENTERPRISE}:department`, target: 'department' },
  { source: `${ENTERPRISE}:organization`, target: 'companyName' },
  { source: `${ENTERPRISE}:costCenter`, target: 'employeeOrgData/costCenter' },
  { source: `${ENTERPRISE}:division`, target: 'employeeOrgData/division' },
  // Entra has no employeeNumber property; the emulator parks it in an extension attribute [Inf].
  { source: `${ENTERPRISE}:employeeNumber`, target: 'onPremisesExtensionAttributes/extensionAttribute1' },
  { source: `${ENTERPRISE}:manager`, target: 'manager' }
]

const CORE_SOURCE_ATTRIBUTES = [
  'externalId',
  'userName',
  'active',
  'displayName',
  'nickName',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'profileUrl',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'name.middleName',
  'name.honorificPrefix',
  'name.honorificSuffix',
  'emails[type eq "work"].value',
  'emails[type eq "home"].value',
  'phoneNumbers[type eq "work"].value',
  'phoneNumbers[type eq "mobile"].value',
  'phoneNumbers[type eq "fax"].value',
  'addresses[type eq "work"].streetAddress',
  'addresses[type eq "work"].locality',
  'addresses[type eq "work"].region',
  'addresses[type eq "work"].postalCode',
  'addresses[type eq "work"].country',
  'addresses[type eq "work"].formatted'
]
const ENTERPRISE_SOURCE_ATTRIBUTES = [
  'employeeNumber',
  'costCenter',
  'organization',
  'division',
  'department',
  'manager'
].map((a) => `${ENTERPRISE}:${a}`)

function defaultConfig(): EmulatorConfig {
  const tenantId = 'b16687d3-8faf-42ad-b298-92cdcaf01c6e'
  return {
    deterministic: true,
    seed: 'entra-emulator',
    startTime: null,
    port: 0,
    oidcPort: 0,
    tenantId,
    tenantDomains: ['contoso.onmicrosoft.com'],
    verifiedDomains: ['contoso.onmicrosoft.com', 'contoso.example'],
    clientId: '3f6b6a1e-6a8e-4c55-9d55-8f0c1b2a7d10',
    appDisplayName: 'entra-hr-sync (GitHub Actions)',
    appDisabled: false,
    roles: [
      'SynchronizationData-User.Upload',
      'ProvisioningLog.Read.All',
      'Synchronization.ReadWrite.All',
      'User.Read.All'
    ],
    ownsProvisioningApp: true,
    clientSecrets: [],
    federatedCredentials: [
      {
        name: 'gh-main',
        issuer: GITHUB_ISSUER,
        subject: 'repo:contoso/hr-data:ref:refs/heads/main',
        audiences: [ENTRA_AUDIENCE]
      }
    ],
    servicePrincipalId: '8c1f2e3d-4b5a-4c6d-9e8f-0a1b2c3d4e5f',
    servicePrincipalDisplayName: 'HR API-driven provisioning',
    templateId: 'API2AAD',
    jobGuid: '1a03de52-b9c3-4e2c-a1e3-9145aaa8e530',
    jobStatus: 'Active',
    extraJobs: [],
    oidc: {
      issuer: GITHUB_ISSUER,
      requestToken: 'emulator-id-token-request-token',
      lifetimeSec: 300,
      run: {
        owner: 'contoso',
        ownerId: 1000001,
        repo: 'hr-data',
        repoId: 2000002,
        ref: 'refs/heads/main',
        sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
        environment: null,
        eventName: 'push',
        workflow: 'HR sync',
        workflowPath: '.github/workflows/hr-sync.yml',
        runId: 9000000001,
        runNumber: 1,
        runAttempt: 1,
        actor: 'octocat',
        actorId: 583231,
        repositoryVisibility: 'private',
        immutableSubject: false
      }
    },
    entra: {
      graphResource: 'https://graph.microsoft.com',
      accessTokenLifetimeSec: 3599,
      assertionSkewSec: 0,
      ficErrors: 'specific'
    },
    graph: {
      acceptedAudiences: ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'],
      tokenIssuer: null,
      clockSkewSec: 0,
      maxOperations: 50,
      maxBodyBytes: 1024 * 1024,
      legacyDelete: false,
      rateLimit: { windowMs: 5000, maxCalls: 40, dailyQuota: 2000 },
      queueCapacity: 10000,
      queueCapacityWhenStopped: null
    },
    processing: {
      delayMs: 5000,
      mapping: DEFAULT_MAPPING,
      sourceAttributes: [...CORE_SOURCE_ATTRIBUTES, ...ENTERPRISE_SOURCE_ATTRIBUTES],
      scoping: [],
      shuffle: false,
      reverse: false,
      duplicateScope: 'request',
      transientFailures: {}
    },
    logs: {
      visibilityDelayMs: 0,
      pageSize: 50,
      maxTop: 1000,
      strictDateFilter: false,
      honourOrderBy: true,
      hiddenSourceIds: [],
      clockStepPerQueryMs: 0
    },
    seedUsers: [],
    faults: []
  }
}

/** Deep-merges options into the defaults; arrays replace, objects merge. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  return merge(defaultConfig(), options) as EmulatorConfig
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base)
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over)
  const out: Record<string, unknown> = {}
  for (const key of new Set([...Object.keys(base), ...Object.keys(over)]))
    out[key] = merge(base[key], over[key])
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function jobIdOf(config: EmulatorConfig): string {
  return `${config.templateId}.${config.tenantId.replace(/-/g, '')}.${config.jobGuid}`
}
