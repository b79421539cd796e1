import type { SourceContext } from '@forge/core'
import type { ImageConfig } from './config.js'

/** What ran once and can run again: the exact image, the environment and the config. */
export interface Release {
  id: string
  /** The reference deployed (`repo:tag` or `repo@sha256:...`). */
  image: string
  /** The local image id the container was created from. */
  imageId: string
  /** The registry digest, when the image came from a registry. */
  digest: string | null
  env: Record<string, string>
  config: ImageConfig
  deployedAt: string
}

export interface ActiveContainer {
  role: Role
  releaseId: string
  containerId: string
}

export type Role = 'blue' | 'green'

/** The source's part of the workload's state document. */
export interface ImageState {
  /** Newest first; the first one is what runs. */
  releases: Release[]
  active: ActiveContainer | null
  /** Proxy route ids this workload owns. */
  routes: string[]
}

export async function readState(ctx: SourceContext): Promise<ImageState> {
  const doc = await ctx.state.get()
  return {
    releases: Array.isArray(doc.releases) ? (doc.releases as Release[]) : [],
    active: (doc.active as ActiveContainer | undefined) ?? null,
    routes: Array.isArray(doc.routes) ? (doc.routes as string[]) : [],
  }
}

export function otherRole(role: Role | undefined): Role {
  return role === 'blue' ? 'green' : 'blue'
}

/** The digest (or image id) that identifies what runs, for promote and the deploy record. */
export function runningDigest(release: Release): string {
  return release.digest ?? release.imageId
}
