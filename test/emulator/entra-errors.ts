import type { ServerResponse } from 'node:http'
import { sendJson } from './http.ts'

/**
 * The AADSTS errors the token endpoint emits: OAuth `error`, HTTP status and message text modelled on
 * the real ones (reference-error-codes and widely published samples).
 */
const LEARN = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation'
const CASE = 'Please note that the matching is done using a case-sensitive comparison.'
const CHECK =
  'Check your federated identity credential Subject, Audience and Issuer against the presented assertion.'

type P = Record<string, string>
const CATALOGUE: Record<number, { error: string; status: number; text: (p: P) => string }> = {
  90002: {
    error: 'invalid_tenant',
    status: 400,
    text: (p) =>
      `Tenant '${p.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`
  },
  9001023: {
    error: 'invalid_request',
    status: 400,
    text: () =>
      'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.'
  },
  900144: {
    error: 'invalid_request',
    status: 400,
    text: (p) => `The request body must contain the following parameter: '${p.param}'.`
  },
  900561: {
    error: 'invalid_request',
    status: 400,
    text: (p) => `The endpoint only accepts POST, OPTIONS requests. Received a ${p.method} request.`
  },
  70003: {
    error: 'unsupported_grant_type',
    status: 400,
    text: (p) => `The app requested an unsupported grant type '${p.grant}'.`
  },
  700016: {
    error: 'unauthorized_client',
    status: 400,
    text: (p) =>
      `Application with identifier '${p.clientId}' was not found in the directory '${p.tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
  },
  7000112: {
    error: 'unauthorized_client',
    status: 400,
    text: (p) => `Application '${p.clientId}'(${p.appName}) is disabled.`
  },
  70011: {
    error: 'invalid_scope',
    status: 400,
    text: (p) =>
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${p.scope} is not valid.`
  },
  7000218: {
    error: 'invalid_client',
    status: 401,
    text: () =>
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
  },
  50027: { error: 'invalid_request', status: 400, text: () => 'JWT token is invalid or malformed.' },
  700027: {
    error: 'invalid_client',
    status: 401,
    text: () => 'Client assertion failed signature validation.'
  },
  70025: {
    error: 'invalid_client',
    status: 400,
    text: (p) => `The client '${p.clientId}'(${p.appName}) has no configured federated identity credentials.`
  },
  70021: {
    error: 'invalid_request',
    status: 400,
    text: (p) =>
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${p.iss}'. Assertion Subject: '${p.sub}'. Assertion Audience: '${p.aud}'. ${LEARN}`
  },
  700211: {
    error: 'invalid_client',
    status: 400,
    text: (p) =>
      `No matching federated identity record found for presented assertion issuer '${p.iss}'. ${CASE} ${CHECK} ${LEARN}`
  },
  700212: {
    error: 'invalid_client',
    status: 400,
    text: (p) =>
      `No matching federated identity record found for presented assertion audience '${p.aud}'. ${CASE} ${CHECK} ${LEARN}`
  },
  700213: {
    error: 'invalid_client',
    status: 400,
    text: (p) =>
      `No matching federated identity record found for presented assertion subject '${p.sub}'. ${CASE} ${CHECK} ${LEARN}`
  },
  700024: {
    error: 'invalid_client',
    status: 400,
    text: (p) =>
      `Client assertion is not within its valid time range. Current time: ${p.now}, assertion valid from ${p.nbf}, expiry time of assertion ${p.exp}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`
  },
  7000215: {
    error: 'invalid_client',
    status: 401,
    text: (p) =>
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${p.clientId}'.`
  },
  7000222: {
    error: 'invalid_client',
    status: 401,
    text: (p) =>
      `The provided client secret keys for app '${p.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds`
  }
}

export interface AadstsContext {
  nowMs: number
  traceId: string
  correlationId: string
  errorUriBase: string
}

/** Writes `{error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri}`. */
export function sendAadsts(res: ServerResponse, code: number, params: P, c: AadstsContext): void {
  const entry = CATALOGUE[code] ?? { error: 'invalid_request', status: 400, text: () => 'Injected failure.' }
  const timestamp = new Date(c.nowMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
  const description =
    `AADSTS${code}: ${entry.text(params)}\r\nTrace ID: ${c.traceId}\r\n` +
    `Correlation ID: ${c.correlationId}\r\nTimestamp: ${timestamp}`
  sendJson(res, entry.status, {
    error: entry.error,
    error_description: description,
    error_codes: [code],
    timestamp,
    trace_id: c.traceId,
    correlation_id: c.correlationId,
    error_uri: `${c.errorUriBase}/error?code=${code}`
  })
}
