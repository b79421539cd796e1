// What does Forge add to a webhook? A real GitHub push (8 KiB, signed) POSTed to
// /api/webhook/triggers/:secret of a git trigger with one binding — secret lookup, signature
// check, parse, delivery row, match, deploy row — against a bare Koa app that only reads the raw
// body and answers 202 JSON. Rounds alternate between the two so both see the same noise.
// The bound workload's deploy takes 2 s, as a real one waits that long or longer on Docker: while
// it runs, the round's pushes queue behind it and each supersedes the one before, as they do in
// production. (An instant deploy after every push would measure the test source, not ingest.)
// Both sides are warmed with 2,000 POSTs first: bare Koa's own code keeps getting faster for
// well over a thousand requests as V8 optimizes it (after 400 it was still 908 → 1,560 req/s
// over seven rounds of 100, while Forge's rate had settled), and a figure taken before that
// measures the JIT, not the server: a 20-POST warm-up printed anything from 0.66x to 0.92x for
// the same code, a 400-POST one 0.58x to 0.80x sequentially. Rounds are 300 POSTs.
// Sequentially it also measures the floor: a Koa that checks the signature and parses the body
// but records nothing. The target (0.7x bare Koa) sits at that floor (docs/benchmarks.md).
import {
  fmt,
  gitTriggerWithBindings,
  median,
  PUSH,
  postMany,
  pushHeaders,
  queueIdle,
  rate,
  startBareKoa,
  startForge,
  startVerifyingKoa,
} from './support.mjs'

const ROUNDS = 9
const PER_ROUND = 300
const WARM_UP = 2_000
const DEPLOY_MS = 2_000

const forge = await startForge()
const koa = await startBareKoa()
const verifying = await startVerifyingKoa()
try {
  const { trigger } = await gitTriggerWithBindings(forge, 'ingest', 1, { delayMs: DEPLOY_MS })
  const first = await fetch(trigger.webhookUrl, {
    method: 'POST',
    headers: pushHeaders(),
    body: PUSH.body,
  }).then((r) => r.json())
  if (first.outcomes?.[0]?.outcome !== 'queued')
    throw new Error(`The push did not queue a deploy: ${JSON.stringify(first)}`)

  for (const concurrency of [1, 8]) {
    // Sequentially, the floor too: a Koa that checks the signature and parses the body.
    const names = concurrency === 1 ? ['koa', 'verifying', 'forge'] : ['koa', 'forge']
    const targets = {
      forge: trigger.webhookUrl,
      koa: `${koa.url}/hook`,
      verifying: `${verifying.url}/hook`,
    }
    const medians = { forge: [], koa: [], verifying: [] }
    const rates = { forge: [], koa: [], verifying: [] }
    for (const name of names) await postMany(targets[name], WARM_UP, concurrency)
    await queueIdle(forge)
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of names) {
        const { latencies, perSecond } = await postMany(targets[name], PER_ROUND, concurrency)
        medians[name].push(median(latencies))
        rates[name].push(perSecond)
      }
      await queueIdle(forge) // the queued deploys of one round never run into the next
    }
    const label = concurrency === 1 ? '' : `, concurrency ${concurrency}`
    console.log(
      `webhook ingest throughput${label}: ${fmt(median(rates.forge) / median(rates.koa))}x bare Koa (${rate(median(rates.forge))} req/s vs ${rate(median(rates.koa))} req/s, median of ${ROUNDS} alternating rounds of ${PER_ROUND} POSTs, 1 binding; median latency ${fmt(median(medians.forge) / median(medians.koa))}x)`,
    )
    if (names.includes('verifying'))
      console.log(
        `webhook ingest floor: a Koa that checks the signature and parses the body, recording nothing, is ${fmt(median(rates.verifying) / median(rates.koa))}x bare Koa (${rate(median(rates.verifying))} req/s; Forge is ${fmt(median(rates.forge) / median(rates.verifying))}x it; same rounds)`,
      )
  }
} finally {
  await verifying.close()
  await koa.close()
  await forge.stop()
}
