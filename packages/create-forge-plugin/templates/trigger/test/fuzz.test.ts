import { fuzzTrigger } from '@forge/testing'
import { expect, it } from 'vitest'
import { TOKEN_HEADER, trigger } from '../src/index.js'

const push = {
  repository: 'acme/web',
  branch: 'main',
  commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
}

it('parse never throws and always answers in the contract shape', async () => {
  const report = await fuzzTrigger(trigger, {
    // TODO: real requests your vendor sent: the fuzzer mutates these.
    seeds: [
      { body: push },
      { headers: { [TOKEN_HEADER]: 'test-secret' }, body: { ...push, pusher: 'ada' } },
      { body: { ...push, commit: undefined, deleted: true } },
    ],
    check: (result) => {
      for (const event of result.ok ? result.events : []) expect(event.type).toBe('git.push')
    },
  })
  expect(report.properties.every((property) => property.runs > 0)).toBe(true)
})
