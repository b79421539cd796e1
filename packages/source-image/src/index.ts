import { definePlugin, defineSource } from '@forge/core'
import { whileDeploying } from '@forge/docker'
import pkg from '../package.json' with { type: 'json' }
import { type ImageConfig, imageConfigSchema } from './config.js'
import { deployImage } from './deploy.js'
import { reconcileImage } from './reconcile.js'
import { teardownImage } from './teardown.js'

export { faceHost, faceRouteId, memoryBytes, withRelease } from '@forge/docker'
export type { Face, ImageConfig, ImageConfigInput } from './config.js'
export { imageConfigSchema } from './config.js'
export { faceRoutes } from './faces.js'
export type { ActiveContainer, ImageState, Release, Role } from './releases.js'
export { readState, runningDigest } from './releases.js'

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
