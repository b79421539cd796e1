import type { DeploymentIntent } from '@forge/core'
import { z } from 'zod'
import type { Host } from '../../host.js'
import { MissingEnvValues } from '../../store/env.js'
import { HttpError } from '../errors.js'
import type { RouteTable } from '../route.js'
import { findWorkload } from './workloads.js'

const deployBody = z.object({
  tag: z.string().min(1).nullish(),
  ref: z.string().min(1).nullish(),
  force: z.boolean().optional(),
})

const envBody = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env keys are letters, digits and _'),
  z.object({
    value: z
      .string()
      .max(64 * 1024)
      .optional(),
    secret: z.boolean().default(false),
  }),
)

export function workloadActionRoutes(routes: RouteTable, host: Host): void {
  const enqueue = (workloadId: string, intent: DeploymentIntent) =>
    host.queue.enqueue(workloadId, intent).deploy.id

  routes.add({
    method: 'post',
    path: '/api/workloads/:id/deploy',
    summary: 'Manual deploy → 202 { deployId }',
    body: deployBody,
    handler(ctx, body) {
      const workload = findWorkload(host, ctx.params.id as string)
      ctx.status = 202
      ctx.body = {
        deployId: enqueue(workload.id, {
          reason: 'manual',
          tag: body.tag ?? null,
          ref: body.ref ?? null,
          force: body.force ?? false,
        }),
      }
    },
  })
  for (const action of ['rollback', 'promote'] as const) {
    routes.add({
      method: 'post',
      path: `/api/workloads/:id/${action}`,
      summary:
        action === 'rollback'
          ? 'Go back to the previous release → 202 { deployId }'
          : "Take the parent workload's running release → 202 { deployId }",
      handler(ctx) {
        const workload = findWorkload(host, ctx.params.id as string)
        const source = host.registry.find('source', workload.source.kind)
        if (!source?.capabilities?.[action])
          throw new HttpError(
            409,
            'FORGE_NOT_SUPPORTED',
            `The ${workload.source.kind} source cannot ${action}.`,
          )
        if (action === 'promote' && !workload.parentId)
          throw new HttpError(
            409,
            'FORGE_NO_PARENT',
            `Workload ${workload.name} has no parent to promote from.`,
            {
              hint: 'Set parentId on the workload first.',
            },
          )
        ctx.status = 202
        ctx.body = {
          deployId: enqueue(workload.id, {
            reason: action,
            force: true,
            ...(action === 'promote' ? parentRelease(host, workload) : {}),
          }),
        }
      },
    })
  }
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/env',
    summary: 'The environment; secret values are never returned',
    handler(ctx) {
      const workload = findWorkload(host, ctx.params.id as string)
      ctx.body = host.store.env.view(workload.id)
    },
  })
  routes.add({
    method: 'put',
    path: '/api/workloads/:id/env',
    summary:
      'Replace the environment { KEY: { value, secret } }; a secret without value keeps its value',
    body: envBody,
    handler(ctx, body) {
      const workload = findWorkload(host, ctx.params.id as string)
      try {
        host.store.env.replace(workload.id, body)
      } catch (error) {
        if (!(error instanceof MissingEnvValues)) throw error
        throw new HttpError(400, 'FORGE_REQUEST_INVALID', error.message, {
          issues: error.keys.map((k) => ({
            path: `${k}.value`,
            message: 'required for a new key',
          })),
        })
      }
      ctx.body = host.store.env.view(workload.id)
    },
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/containers',
    summary: "The workload's rows of the containers index",
    handler(ctx) {
      const workload = findWorkload(host, ctx.params.id as string)
      ctx.body = host.store.containers.list({ workloadId: workload.id })
    },
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/deploys',
    summary: "The workload's deploys, newest first",
    handler(ctx) {
      const workload = findWorkload(host, ctx.params.id as string)
      ctx.body = host.store.deploys.forWorkload(workload.id)
    },
  })
}

/**
 * Promote deploys what the parent runs: the digest (and tag, commit) of the release its newest
 * successful deploy reported. A parent that has never deployed has nothing to promote.
 */
function parentRelease(host: Host, workload: { name: string; parentId: string | null }) {
  const release = host.store.deploys.currentRelease(workload.parentId!)
  if (!release)
    throw new HttpError(
      409,
      'FORGE_NO_PARENT_RELEASE',
      `The parent of workload ${workload.name} has no successful deploy to promote.`,
      { hint: 'Deploy the parent workload first.' },
    )
  const field = (key: string) =>
    typeof release[key] === 'string' ? (release[key] as string) : null
  return { digest: field('digest'), tag: field('tag'), commit: field('commit') }
}
