import { definePlugin, defineSource } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { type ImageConfig, imageConfigSchema } from './config.js'
import { deployImage } from './deploy.js'
import { whileDeploying } from './orphans.js'
import { reconcileImage } from './reconcile.js'
import { teardownImage } from './teardown.js'

export type { Face, ImageConfig, ImageConfigInput } from './config.js'
export { imageConfigSchema, memoryBytes } from './config.js'
export { faceHost, faceRouteId, faceRoutes } from './faces.js'
export type { ActiveContainer, ImageState, Release, Role } from './releases.js'
export { readState, runningDigest, withRelease } from './releases.js'

/** The `image` source kind: one Docker image, blue-green behind the proxy. */
export const imageSource = defineSource<ImageConfig>({
  kind: 'image',
  title: 'Docker image',
  description: 'Runs one image; redeploys blue-green behind the proxy without losing a request.',
  configSchema: imageConfigSchema,
  sample: imageConfigSchema.parse({
    image: 'ghcr.io/acme/web',
    tag: 'latest',
    port: 8080,
    healthcheck: { path: '/healthz' },
    faces: [{ host: 'web' }],
  }),
  capabilities: { rollback: true, promote: true, zeroDowntime: true },
  deploy: (ctx, intent) => whileDeploying(ctx.workload.id, () => deployImage(ctx, intent)),
  teardown: teardownImage,
  reconcile: reconcileImage,
})

export default definePlugin({ name: pkg.name, version: pkg.version, sources: [imageSource] })
