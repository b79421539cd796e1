import {
  defineSource,
  defineTrigger,
  proxyService,
  type SourceSpec,
  type TriggerSpec,
} from '@forge/core'
import { hmacSha256Hex, verifyHmacSha256 } from '@forge/core/trigger'
import { z } from 'zod'

const sourceConfig = z.strictObject({ image: z.string().min(1), port: z.number().default(8080) })
type SourceConfig = z.infer<typeof sourceConfig>

/** A well-behaved source: one row per deploy, a proxy route when a proxy exists. */
export const goodSourceSpec: SourceSpec<SourceConfig> = {
  kind: 'memo',
  configSchema: sourceConfig,
  async deploy(ctx) {
    const routeId = `forge-${ctx.workload.id.slice(0, 8)}-web`
    const proxy = ctx.services.find(proxyService)
    await proxy?.upsertRoute({ id: routeId, hosts: ['memo.test'], upstream: '127.0.0.1:1' })
    await ctx.containers.upsert({ role: 'web', image: ctx.workload.source.config.image, routeId })
    await ctx.state.patch({ image: ctx.workload.source.config.image })
    ctx.progress('start', 'web')
    return { status: 'deployed', release: { id: 'r1' } }
  },
  async teardown(ctx) {
    for (const row of await ctx.containers.list()) {
      if (row.routeId) await ctx.services.find(proxyService)?.removeRoute(row.routeId)
      await ctx.containers.remove(row.role)
    }
  },
  async reconcile(ctx) {
    return { status: (await ctx.containers.list()).length ? 'running' : 'stopped' }
  },
}

export const source = (overrides: Partial<SourceSpec<SourceConfig>> = {}) =>
  defineSource({ ...goodSourceSpec, ...overrides })

const triggerConfig = z.object({ branches: z.array(z.string()).default([]) })
type TriggerConfig = z.infer<typeof triggerConfig>

export const SECRET = 'table-secret'

/** A small well-behaved trigger over `{ "branch": "...", "commit": "..." }`. */
export const goodTriggerSpec: TriggerSpec<TriggerConfig> = {
  kind: 'toy-git',
  configSchema: triggerConfig,
  parse(request, verify) {
    const signature = request.headers['x-toy-signature']
    if (verify.secret && (signature || verify.requireSignature)) {
      if (
        !verifyHmacSha256({
          secret: verify.secret,
          body: request.body,
          signature,
          prefix: 'sha256=',
        })
      )
        return { ok: false, status: 401, code: 'bad-signature', message: 'signature mismatch' }
    }
    let body: { branch?: unknown; commit?: unknown; ping?: unknown }
    try {
      body = JSON.parse(new TextDecoder().decode(request.body))
    } catch {
      return { ok: false, status: 400, code: 'invalid-json', message: 'body is not JSON' }
    }
    if (body.ping) return { ok: true, vendor: 'toy', events: [], note: 'ping' }
    if (typeof body.branch !== 'string' || typeof body.commit !== 'string')
      return {
        ok: false,
        status: 422,
        code: 'invalid-payload',
        message: 'branch and commit required',
      }
    return {
      ok: true,
      vendor: 'toy',
      events: [
        {
          type: 'git.push',
          vendor: 'toy',
          repository: 'acme/web',
          ref: `refs/heads/${body.branch}`,
          branch: body.branch,
          tag: null,
          commit: body.commit,
          pusher: null,
          deleted: false,
        },
      ],
    }
  },
  match(event, config) {
    if (event.type !== 'git.push') return { skip: `not a push (${event.type})` }
    if (config.branches.length && !config.branches.includes(event.branch ?? ''))
      return { skip: `branch ${event.branch} is not in ${config.branches.join(', ')}` }
    return { reason: 'git.push', commit: event.commit, ref: event.ref }
  },
}

export const trigger = (overrides: Partial<TriggerSpec<TriggerConfig>> = {}) =>
  defineTrigger({ ...goodTriggerSpec, ...overrides })

export const sign = (body: string) => `sha256=${hmacSha256Hex(SECRET, body)}`
