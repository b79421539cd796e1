import type { SourceContext } from '@forge/core'
import { referenceTag } from '@forge/docker'
import type { ImageConfig } from './config.js'

/** What ran once and can run again: the exact image, the environment and the config. */
export interface Release {
  id: string
  /** The reference deployed (`repo:tag` or `repo@sha256:...`). */
  image: string
  /**
   * The tag it was deployed as (`v2`), null for a digest no tag was given with. Releases written
   * before this field was kept read it from `image`.
   */
  tag?: string | null
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

/** The tag of a release: recorded, or the one its reference names (`repo:v2`). */
export function releaseTag(release: Pick<Release, 'image' | 'tag'>): string | null {
  return release.tag !== undefined ? release.tag : referenceTag(release.image)
}

/**
 * What a deploy reports as its release: the host keeps the newest as the workload's current
 * release (`tag`, `digest`) and passes them back to keep it on a plain deploy.
 */
export function releaseSummary(release: Release): {
  id: string
  image: string
  tag: string | null
  digest: string
} {
  return {
    id: release.id,
    image: release.image,
    tag: releaseTag(release),
    digest: runningDigest(release),
  }
}
