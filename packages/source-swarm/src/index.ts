import { definePlugin, defineSource } from '@forge/core'
import { whileDeploying } from '@forge/docker'
import pkg from '../package.json' with { type: 'json' }
import { type SwarmConfig, swarmConfigSchema } from './config.js'
import { deploySwarm } from './deploy.js'
import { reconcileSwarm } from './reconcile.js'
import { teardownSwarm } from './teardown.js'

export type { Healthcheck, SwarmConfig, SwarmConfigInput } from './config.js'
export { swarmConfigSchema } from './config.js'
export { SwarmErrors } from './errors.js'
export { RELEASE_LABEL, serviceName, taskUpstream } from './spec.js'
export type { Colour, SwarmRelease, SwarmState } from './state.js'
export { readState } from './state.js'

/** The `swarm` source kind: blue-green services on a Docker Swarm, across nodes. */
export const swarmSource = defineSource<SwarmConfig>({
  kind: 'swarm',
  title: 'Docker Swarm service',
  description:
    'Runs an image as replicated services on a Docker Swarm; redeploys blue-green across nodes behind a proxy on the overlay, without losing a request.',
  configSchema: swarmConfigSchema,
  sample: swarmConfigSchema.parse({
    image: 'registry.example.com/acme/web',
    tag: 'latest',
    port: 8080,
    replicas: 2,
    healthcheck: { path: '/healthz' },
    faces: [{ host: 'web' }],
  }),
  capabilities: { rollback: true, promote: true, zeroDowntime: true },
  deploy: (ctx, intent) => whileDeploying(ctx.workload.id, () => deploySwarm(ctx, intent)),
  teardown: teardownSwarm,
  reconcile: reconcileSwarm,
})

export default definePlugin({ name: pkg.name, version: pkg.version, sources: [swarmSource] })
