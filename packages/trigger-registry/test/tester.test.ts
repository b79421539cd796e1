/**
 * The trigger through @forge/testing's table tester, which runs it as the host does: config
 * validated, the binding's override merged and validated again, then parse and match.
 */
import { triggerTester } from '@forge/testing'
import { registryTrigger } from '@forge/trigger-registry'
import { expect, it } from 'vitest'
import { bytesOf, DISTRIBUTION_TYPE } from './fixtures.js'

const registryPush = {
  headers: { 'content-type': DISTRIBUTION_TYPE, authorization: 'Bearer tok' },
  body: bytesOf('distribution/push-manifest-v1.json'),
}

it('redeploys, ignores and rejects as the tables say', async () => {
  const tester = triggerTester(registryTrigger, {
    config: { image: '127.0.0.1:45123/demo/web' },
    verify: { secret: 'tok', requireSignature: true },
  })
  const { passed } = await tester.run({
    redeploy: [
      {
        name: 'a registry push of the watched image',
        request: registryPush,
        expect: { reason: 'image.push', tag: 'v1' },
        events: 1,
      },
      {
        name: "the workload's image when the trigger names none",
        config: {},
        workload: { source: { kind: 'image', config: { image: '127.0.0.1:45123/demo/web' } } },
        request: registryPush,
        expect: { reason: 'image.push', tag: 'v1' },
      },
    ],
    ignore: [
      {
        name: 'a binding override that limits tags to releases',
        override: { tags: ['^1.0.0'] },
        request: registryPush,
        reason: 'does not match tags [^1.0.0]',
      },
      {
        name: 'a binding override that watches another image',
        override: { image: '127.0.0.1:45123/demo/api' },
        request: registryPush,
        reason: 'this trigger watches 127.0.0.1:45123/demo/api',
      },
      {
        name: 'a blob push',
        request: { ...registryPush, body: bytesOf('distribution/push-blob.json') },
        reason: 'not manifest pushes',
      },
    ],
    reject: [
      {
        name: 'a push without the token',
        request: { ...registryPush, headers: { 'content-type': DISTRIBUTION_TYPE } },
        status: 401,
        code: 'auth_missing',
      },
      {
        name: 'a text body',
        request: { headers: { 'content-type': 'text/plain' }, body: 'hi' },
        status: 401,
      },
      {
        name: 'JSON in no known format',
        request: { headers: { authorization: 'Bearer tok' }, body: { hello: 'world' } },
        status: 422,
        code: 'unknown_format',
      },
    ],
  })
  expect(passed).toBe(8)
})
