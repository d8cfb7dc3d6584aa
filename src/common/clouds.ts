/**
 * Per-cloud hosts and the GitHub OIDC audience for the token exchange (docs/service-facts.md, "National clouds"). Login, Graph,
 * `Location` and `@odata.nextLink` must all stay on one cloud's hosts.
 */
export type CloudName = 'public' | 'usgov' | 'usgovdod' | 'china'

export interface Cloud {
  name: CloudName
  /** https origin of the Entra sign-in service. */
  authorityHost: string
  /** https origin of Microsoft Graph. */
  graphBaseUrl: string
  /** `aud` of the GitHub ID token; the federated credential must list the same value. */
  audience: string
}

export const CLOUDS: Readonly<Record<CloudName, Cloud>> = {
  public: {
    name: 'public',
    authorityHost: 'https://login.microsoftonline.com',
    graphBaseUrl: 'https://graph.microsoft.com',
    audience: 'api://AzureADTokenExchange'
  },
  usgov: {
    name: 'usgov',
    authorityHost: 'https://login.microsoftonline.us',
    graphBaseUrl: 'https://graph.microsoft.us',
    audience: 'api://AzureADTokenExchangeUSGov'
  },
  usgovdod: {
    name: 'usgovdod',
    authorityHost: 'https://login.microsoftonline.us',
    graphBaseUrl: 'https://dod-graph.microsoft.us',
    audience: 'api://AzureADTokenExchangeUSGov'
  },
  china: {
    name: 'china',
    authorityHost: 'https://login.chinacloudapi.cn',
    graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn',
    audience: 'api://AzureADTokenExchangeChina'
  }
}

export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[]

/**
 * The token scope is the cloud's Graph resource, even when graph-url points elsewhere (an emulator): the token's
 * audience is Graph's identity, not the address it is sent to.
 */
export function graphScope(cloud: Cloud): string {
  return `${cloud.graphBaseUrl}/.default`
}
