import { validateConfig } from '@forge/core'
import { z } from 'zod'
import { teardownWorkload } from '../../deploys/teardown.js'
import type { Host } from '../../host.js'
import type { Workload, WorkloadInput } from '../../store/workloads.js'
import { HttpError, notFound } from '../errors.js'
import type { RouteTable } from '../route.js'

const sourceSchema = z.object({
  kind: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
})

export const workloadBody = z.object({
  name: z.string().min(1).max(100),
  source: sourceSchema,
  appId: z.string().nullish(),
  parentId: z.string().nullish(),
  notificationUrl: z.url().nullish(),
  notificationSecret: z.string().min(8).nullish(),
})

const workloadPatch = workloadBody.partial()

export function findWorkload(host: Host, id: string): Workload {
  const workload = host.store.workloads.get(id)
  if (!workload) throw notFound('workload', id)
  return workload
}

/** Checks the source kind exists and its config is valid; returns the validated config. */
async function checkSource(host: Host, source: { kind: string; config: Record<string, unknown> }) {
  const definition = host.registry.find('source', source.kind)
  if (!definition) {
    const known = host.registry.list('source').map((k) => k.kind)
    throw new HttpError(
      400,
      'FORGE_KIND_UNKNOWN',
      `No source of kind "${source.kind}" is installed (known: ${known.join(', ') || 'none'}).`,
      {
        issues: [{ path: 'source.kind', message: `unknown source kind "${source.kind}"` }],
        hint: 'Install the plugin package that provides it and restart, or fix the kind.',
      },
    )
  }
  const result = await validateConfig(definition.configSchema, source.config, {
    at: 'source.config',
  })
  if (!result.ok) throw result.error
  return result.value as Record<string, unknown>
}

function checkReferences(host: Host, input: WorkloadInput, selfId?: string): void {
  if (input.appId && !host.store.apps.get(input.appId))
    throw new HttpError(400, 'FORGE_REFERENCE_INVALID', `No app with id "${input.appId}".`, {
      issues: [{ path: 'appId', message: 'unknown app' }],
    })
  if (input.parentId && (input.parentId === selfId || !host.store.workloads.get(input.parentId)))
    throw new HttpError(
      400,
      'FORGE_REFERENCE_INVALID',
      `Invalid parent workload "${input.parentId}".`,
      {
        issues: [{ path: 'parentId', message: 'unknown workload (or the workload itself)' }],
      },
    )
}

export function workloadRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'get',
    path: '/api/workloads',
    summary: 'List workloads',
    query: z.object({ appId: z.string().optional() }),
    handler(ctx) {
      const appId = typeof ctx.query.appId === 'string' ? ctx.query.appId : undefined
      ctx.body = host.store.workloads.list({ appId })
    },
  })
  routes.add({
    method: 'post',
    path: '/api/workloads',
    summary: 'Create a workload; its source config is validated against the kind schema',
    body: workloadBody,
    async handler(ctx, body) {
      const config = await checkSource(host, body.source)
      const input = { ...body, source: { kind: body.source.kind, config } }
      checkReferences(host, input)
      ctx.status = 201
      ctx.body = host.store.workloads.create(input)
    },
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id',
    summary: 'One workload',
    handler(ctx) {
      ctx.body = findWorkload(host, ctx.params.id as string)
    },
  })
  routes.add({
    method: 'patch',
    path: '/api/workloads/:id',
    summary: 'Change a workload (fields not given keep their value)',
    body: workloadPatch,
    async handler(ctx, body) {
      const current = findWorkload(host, ctx.params.id as string)
      const merged: WorkloadInput = {
        name: body.name ?? current.name,
        source: body.source ?? current.source,
        appId: body.appId === undefined ? current.appId : body.appId,
        parentId: body.parentId === undefined ? current.parentId : body.parentId,
        notificationUrl:
          body.notificationUrl === undefined ? current.notificationUrl : body.notificationUrl,
        notificationSecret: body.notificationSecret,
      }
      if (body.source && body.source.kind !== current.source.kind)
        throw new HttpError(
          400,
          'FORGE_SOURCE_KIND_CHANGE',
          'The source kind of a workload cannot change.',
          {
            issues: [
              {
                path: 'source.kind',
                message: `is ${current.source.kind}; create a new workload for another kind`,
              },
            ],
          },
        )
      const config = await checkSource(host, merged.source)
      checkReferences(host, merged, current.id)
      ctx.body = host.store.workloads.update(current.id, {
        ...merged,
        source: { ...merged.source, config },
      })
    },
  })
  routes.add({
    method: 'delete',
    path: '/api/workloads/:id',
    summary:
      'Tear the workload down (cancelling its deploys), then delete it; ?force=true deletes even if teardown fails',
    query: z.object({ force: z.string().optional() }),
    async handler(ctx) {
      const workload = findWorkload(host, ctx.params.id as string)
      try {
        await teardownWorkload(host, workload)
      } catch (error) {
        if (ctx.query.force !== 'true')
          throw new HttpError(
            502,
            'FORGE_TEARDOWN_FAILED',
            `Teardown of ${workload.name} failed: ${(error as Error).message}`,
            {
              hint: 'Fix the cause and retry, or DELETE with ?force=true to delete the record anyway (the reconciler then reports leftovers).',
            },
          )
        host.log.warn('Teardown failed; deleting anyway (force)', {
          workload: workload.id,
          error: String(error),
        })
      }
      host.store.workloads.remove(workload.id)
      ctx.status = 204
    },
  })
}
