// What does a busy server hold, and how fast does it list? 1,000 workloads, each bound to one of
// ten triggers (1,000 bindings), then 100,000 webhook deliveries (real 8 KiB GitHub pushes to a
// branch no binding deploys, so each is a recorded delivery with its outcomes and no deploy),
// pruned as configured. Figures: the server's RSS after all that, beside a bare Koa's in the same
// process family; GET /api/workloads (every workload with its status, release and urls) at
// 1,000 workloads, and the first page of a trigger's deliveries (the UI's deliveries view: the
// newest 50 of the 1,000 each trigger keeps), each against a bare Koa answering the same JSON.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  fmt,
  gitTriggerWithBindings,
  median,
  now,
  PUSH,
  pushHeaders,
  startForge,
} from './support.mjs'

const WORKLOADS = 1000
const TRIGGERS = 10
const DELIVERIES = Number(process.env.FORGE_BENCH_DELIVERIES ?? 100_000)
const IN_FLIGHT = 8

if (process.argv[2] === 'bare-koa') {
  // The baseline process: a bare Koa app serving a fixed JSON body, reporting its RSS.
  const { default: Koa } = await import('koa')
  const bodies = await new Promise((resolve) => process.once('message', resolve))
  const app = new Koa()
  app.use((ctx) => {
    ctx.body = ctx.path === '/rss' ? { rss: process.memoryUsage().rss } : bodies[ctx.path]
  })
  const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }))
} else {
  const forge = await startForge()
  try {
    for (let t = 0; t < TRIGGERS; t++)
      await gitTriggerWithBindings(forge, `scale-${t}`, WORKLOADS / TRIGGERS)
    const triggers = await forge.api('GET', '/api/triggers')
    // Pushes to a branch no binding follows: recorded, matched, no deploy.
    const body = Buffer.from(
      PUSH.body.toString().replaceAll('refs/heads/master', 'refs/heads/elsewhere'),
    )
    const { createHmac } = await import('node:crypto')
    const signature = `sha256=${createHmac('sha256', PUSH.signingSecret).update(body).digest('hex')}`
    let sent = 0
    const started = now()
    const worker = async () => {
      while (sent < DELIVERIES) {
        const url = triggers[sent++ % TRIGGERS].webhookUrl
        const res = await fetch(url, {
          method: 'POST',
          headers: { ...pushHeaders(), 'x-hub-signature-256': signature },
          body,
        })
        await res.arrayBuffer()
        if (res.status !== 202) throw new Error(`a delivery answered ${res.status}`)
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    const seconds = (now() - started) / 1000
    global.gc?.()
    const rss = process.memoryUsage().rss

    const timed = async (get) => {
      const times = []
      let answer
      for (let i = 0; i < 15; i++) {
        const start = now()
        answer = await get()
        times.push(now() - start)
      }
      return { answer, ms: median(times) }
    }
    const list = await timed(() => forge.api('GET', '/api/workloads'))
    if (list.answer.length !== WORKLOADS) throw new Error(`listed ${list.answer.length} workloads`)
    const page = await timed(() => forge.api('GET', `/api/triggers/${triggers[0].id}/deliveries`))
    if (page.answer.length !== 50) throw new Error(`a deliveries page held ${page.answer.length}`)

    // The baseline: a bare Koa in its own process serving the same JSON, and its RSS.
    const child = fork(fileURLToPath(import.meta.url), ['bare-koa'], { stdio: 'ignore' })
    const listening = new Promise((resolve) => child.once('message', resolve))
    child.send({ '/workloads': list.answer, '/deliveries': page.answer })
    const { port } = await listening
    const bare = {}
    for (const path of ['/workloads', '/deliveries'])
      bare[path] = (
        await timed(() => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.json()))
      ).ms
    const bareRss = (await (await fetch(`http://127.0.0.1:${port}/rss`)).json()).rss
    child.kill()
    const mb = (bytes) => `${Math.round(bytes / 1048576)} MB`
    console.log(
      `server RSS with ${WORKLOADS} workloads, ${WORKLOADS} bindings and ${DELIVERIES} deliveries: ${mb(rss)} (${fmt(rss / bareRss)}x a bare Koa process's ${mb(bareRss)}; deliveries pruned to the configured 10000; ingested at ${Math.round(DELIVERIES / seconds)} req/s with ${IN_FLIGHT} in flight)`,
    )
    console.log(
      `workloads list at ${WORKLOADS} workloads: ${fmt(list.ms)} ms, ${fmt(list.ms / bare['/workloads'])}x a bare Koa answering the same JSON (median of 15)`,
    )
    console.log(
      `deliveries page at 10000 deliveries: ${fmt(page.ms)} ms, ${fmt(page.ms / bare['/deliveries'])}x a bare Koa answering the same JSON (the newest 50 of one trigger's ${10000 / TRIGGERS}; median of 15)`,
    )
  } finally {
    await forge.stop()
  }
}
