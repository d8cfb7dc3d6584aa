import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ActionIO } from '../../src/common/runner-port.ts'
import { ApplyStop } from '../../src/graph/errors.ts'
import { GraphError, type GraphClient, type GraphRequest } from '../../src/graph/http.ts'
import { loadMapping } from '../../src/mapping/load.ts'
import { prepareSchemaStage } from '../../src/apply/schema-preflight.ts'
import type { Annotation } from '../../src/common/runner-port.ts'
import { DiagnosticFactory } from '../../src/settings/diagnostic-factory.ts'

const schema = (attributes: string[], mapped: string[]): Record<string, unknown> => ({
  directories: [
    { name: 'API', objects: [{ name: 'User', attributes: attributes.map((name) => ({ name })) }] }
  ],
  synchronizationRules: [
    {
      sourceDirectoryName: 'API',
      objectMappings: [
        {
          enabled: true,
          sourceObjectName: 'User',
          attributeMappings: mapped.map((name) => ({
            targetAttributeName: `to-${name}`,
            flowType: 'Always',
            source: { name, type: 'Attribute' }
          }))
        }
      ]
    }
  ]
})

const mapping = loadMapping(
  `attributes:\n  externalId: '[Id]'\n  active: '"True"'\n  title: '[Job]'\n`,
  'm.yml'
)

function setup(answer: (request: GraphRequest) => string | GraphError, committed?: Record<string, unknown>) {
  const workspace = mkdtempSync(path.join(tmpdir(), 'schema-stage-'))
  if (committed) writeFileSync(path.join(workspace, 'schema.json'), JSON.stringify(committed))
  const annotations: Annotation[] = []
  const io = {
    info: () => undefined,
    annotate: (a: Annotation) => annotations.push(a)
  } as unknown as ActionIO
  const requests: GraphRequest[] = []
  const client = {
    origin: 'https://graph.example',
    assertSameOrigin: (url: string) => new URL(url),
    request: async (request: GraphRequest) => {
      requests.push(request)
      const result = answer(request)
      if (result instanceof GraphError) throw result
      return { status: 200, text: result }
    }
  } as unknown as GraphClient
  const stage = prepareSchemaStage({
    schemaFile: committed ? 'schema.json' : undefined,
    workspace,
    mappings: [mapping],
    factory: new DiagnosticFactory(new Map()),
    io,
    currentFile: path.join(workspace, 'current.json')
  })
  return { stage, client, annotations, requests, workspace }
}

const target = { servicePrincipalId: 'sp', jobId: 'API2AAD.x.y' }
const forbidden = new GraphError({
  kind: 'rejected',
  message: '403 Forbidden',
  status: 403,
  attempts: 1,
  at: 0
})

describe('schema stage', () => {
  test('apply: reads …/jobs/{jobId}/schema, stops the upload on an unknown attribute, writes the schema read', async () => {
    const tenant = schema(['externalId', 'active'], ['externalId', 'active'])
    const { stage, client, requests, workspace } = setup(() =>
      JSON.stringify({ '@odata.context': 'x', ...tenant })
    )
    const ready = await stage
    await expect(ready.preflight(client, target)).rejects.toThrow(ApplyStop)
    expect(requests[0]).toMatchObject({
      method: 'GET',
      path: '/servicePrincipals/sp/synchronization/jobs/API2AAD.x.y/schema'
    })
    expect(ready.result()?.diagnostics.map((d) => [d.rule, d.line])).toEqual([
      ['schema-unknown-attribute', 4]
    ])
    expect(JSON.parse(readFileSync(path.join(workspace, 'current.json'), 'utf8'))).toEqual(tenant)
  })

  test('apply without the permission: a notice, the committed file instead, and no stop for warnings', async () => {
    const { stage, client, annotations } = setup(
      () => forbidden,
      schema(['externalId', 'active', 'title'], ['externalId', 'active'])
    )
    const ready = await stage
    await ready.preflight(client, target)
    expect(annotations[0]).toMatchObject({
      severity: 'notice',
      title: 'Mapping not checked against the tenant'
    })
    expect(annotations[0]?.message).toMatch(/Synchronization\.Read\.All.*schema-file schema\.json instead/)
    expect(ready.result()?.diagnostics.map((d) => d.rule)).toEqual(['schema-unmapped-attribute'])
    expect(ready.result()?.outputs).toEqual({})
  })

  test('apply without the permission and without schema-file: a notice, nothing checked, the run goes on', async () => {
    const { stage, client, annotations } = setup(() => forbidden)
    const ready = await stage
    await ready.preflight(client, target)
    expect(annotations).toHaveLength(1)
    expect(ready.result()).toBeUndefined()
  })

  test('a schema-file that is not a synchronization schema stops the run naming the file', async () => {
    await expect(setup(() => '{}', { value: [] }).stage).rejects.toThrow(
      /schema-file.*schema\.json.*not a synchronizationSchema/
    )
  })
})
