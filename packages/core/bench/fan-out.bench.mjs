// How much does core add to a fan-out? For 500 bindings, merge the trigger config with each
// override and check the tag against its patterns — against a baseline of the one thing fan-out
// cannot avoid, a structuredClone of each config (mergeConfig must not alias its inputs).
import { mergeConfig } from '../dist/host.js'
import { matchPatterns } from '../dist/trigger.js'

const trigger = {
  image: '127.0.0.1:5000/demo/web',
  tags: ['^1.0.0', 'latest', '!*-rc*'],
  auth: null,
}
const overrides = Array.from({ length: 500 }, (_, i) => ({
  tags: i % 2 ? undefined : [`^${i % 7}.0.0`],
}))

function time(fn, rounds = 40) {
  for (let i = 0; i < 5; i++) fn() // warm up
  const samples = []
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint()
    fn()
    samples.push(Number(process.hrtime.bigint() - start))
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]
}

const baseline = time(() => {
  for (const o of overrides) structuredClone({ ...trigger, ...o })
})
const measured = time(() => {
  for (const o of overrides) {
    const config = mergeConfig(trigger, o)
    matchPatterns(config.tags, 'v1.4.2')
  }
})
console.log(
  `fan-out of 500 bindings (merge + tag match): ${(measured / baseline).toFixed(2)}x the baseline of 500 structuredClones (median of 40 rounds)`,
)
