// How does ingest grow with the number of bindings? One signed GitHub push to a git trigger bound
// to 1, 100 and 1000 test-app workloads: every binding merges its config, matches, and queues a
// deploy (a row), all before the 202. Each POST is timed alone, after the previous fan-out's
// deploys have finished, so one sample never pays for another's background work. Baselines: the
// 1-binding ingest, and a bare Koa app that reads the body and answers 202 JSON. Linearity: the
// cost per binding (time beyond the 1-binding ingest, divided by the extra bindings) at 1000
// against the same at 100.
import {
  fmt,
  gitTriggerWithBindings,
  median,
  now,
  PUSH,
  pushHeaders,
  queueIdle,
  startBareKoa,
  startForge,
} from './support.mjs'

const SIZES = [1, 100, 1000]
const SAMPLES = 9 // rounds; each has 5 bare Koa POSTs, 3 per 1 binding, 2 per 100, 1 per 1000

async function post(url) {
  const start = now()
  const res = await fetch(url, { method: 'POST', headers: pushHeaders(), body: PUSH.body })
  const body = await res.json()
  const elapsed = now() - start
  if (res.status !== 202) throw new Error(`POST ${url} answered ${res.status}`)
  return { elapsed, body }
}

const forge = await startForge()
const koa = await startBareKoa()
try {
  const urls = {}
  for (const size of SIZES) {
    const { trigger } = await gitTriggerWithBindings(forge, `fan${size}`, size)
    urls[size] = trigger.webhookUrl
    const { body } = await post(trigger.webhookUrl) // warm up, and check it really fans out
    const queued = body.outcomes.filter((o) => o.outcome === 'queued').length
    if (queued !== size)
      throw new Error(`${size} bindings queued ${queued}: ${JSON.stringify(body)}`)
    await queueIdle(forge)
  }
  // The baselines are single small requests: warmed until V8 has optimized their code, or the
  // 1-binding figure (the denominator) measures the JIT.
  for (let i = 0; i < 200; i++) await post(`${koa.url}/hook`)
  for (let i = 0; i < 200; i++) await post(urls[1])
  await queueIdle(forge)

  const samples = { koa: [], ...Object.fromEntries(SIZES.map((s) => [s, []])) }
  for (let i = 0; i < SAMPLES; i++) {
    // The cheap cases are sampled more often: their medians are the baselines.
    for (let j = 0; j < 5; j++) samples.koa.push((await post(`${koa.url}/hook`)).elapsed)
    for (const size of SIZES) {
      for (let j = 0; j < (size === 1 ? 3 : size === 100 ? 2 : 1); j++) {
        samples[size].push((await post(urls[size])).elapsed)
        await queueIdle(forge)
      }
    }
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
  for (const size of SIZES.slice(1))
    console.log(
      `fan-out to ${size} bindings: ${fmt(m[size] / m[1])}x the 1-binding ingest (time to the 202, median over ${SAMPLES} rounds; ${fmt(m[size] / m.koa)}x bare Koa)`,
    )
  const perBinding = (size) => (m[size] - m[1]) / (size - 1)
  console.log(
    `fan-out cost per binding at 1000: ${fmt(perBinding(1000) / perBinding(100))}x the cost per binding at 100 (${fmt(perBinding(1000) * 1000)} µs vs ${fmt(perBinding(100) * 1000)} µs a binding)`,
  )
  console.log(
    `fan-out to 1 binding: ${fmt(m[1] / m.koa)}x bare Koa (median latency over ${SAMPLES} rounds)`,
  )
} finally {
  await koa.close()
  await forge.stop()
}
