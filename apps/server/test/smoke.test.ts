import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServer, type TestServer } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

it('boots with the test plugin and creates and deploys a workload', async () => {
  const plugins = await server.api('GET', '/api/plugins')
  expect(plugins.status).toBe(200)
  const created = await server.api('POST', '/api/workloads', {
    name: 'web',
    source: { kind: 'test-app', config: { image: 'x' } },
  })
  expect(created.status).toBe(201)
  const dep = await server.api('POST', `/api/workloads/${created.body.id}/deploy`, { tag: 'v1' })
  expect(dep.status).toBe(202)
})
