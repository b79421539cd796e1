import type { SourceContext } from '@forge/core'
import { referenceTag, sameRelease as sameRun } from '@forge/docker'
import type { SwarmConfig } from './config.js'

export type Colour = 'blue' | 'green'

/** What ran once and can run again: the exact image, the environment and the config. */
export interface SwarmRelease {
  id: string
  /** The reference deployed (`repo:tag` or `repo@sha256:...`). */
  image: string
  /** The tag it was deployed as; null for a digest given without one. Older releases read `image`. */
  tag?: string | null
  /** What the service runs: `repo@sha256:...`, or the local reference on a one-node swarm. */
  pinned: string
  /** The registry digest (`sha256:...`), or null for an image only the manager has. */
  digest: string | null
  env: Record<string, string>
  config: SwarmConfig
  deployedAt: string
}

/** The source's part of the workload's state document. */
export interface SwarmState {
  /** Newest first; the first one is what runs. */
  releases: SwarmRelease[]
  /** The colour whose service serves, and its release. */
  active: { colour: Colour; releaseId: string } | null
  /** Proxy route ids this workload owns. */
  routes: string[]
  /** The node volumes keep the workload on, chosen at the first deploy that had volumes. */
  pinnedNode: { id: string; hostname: string } | null
}

export async function readState(ctx: SourceContext): Promise<SwarmState> {
  const doc = await ctx.state.get()
  return {
    releases: Array.isArray(doc.releases) ? (doc.releases as SwarmRelease[]) : [],
    active: (doc.active as SwarmState['active'] | undefined) ?? null,
    routes: Array.isArray(doc.routes) ? (doc.routes as string[]) : [],
    pinnedNode: (doc.pinnedNode as SwarmState['pinnedNode'] | undefined) ?? null,
  }
}

export function otherColour(colour: Colour | undefined): Colour {
  return colour === 'blue' ? 'green' : 'blue'
}

/** Same pinned image, env and config as what runs: nothing to deploy unless forced. */
export function sameRelease(a: SwarmRelease | undefined, b: SwarmRelease): boolean {
  return sameRun(a, b, (release) => release.pinned)
}

/**
 * The release a deploy reports: the host keeps the newest as the workload's current release and
 * passes its `tag` and `digest` back to keep it on a plain deploy (and to promote). `digest` is
 * what runs, `repo@sha256:...`; null for an image only the manager has, which no digest names.
 */
export function summary(release: SwarmRelease): {
  id: string
  image: string
  tag: string | null
  digest: string | null
} {
  return {
    id: release.id,
    image: release.image,
    tag: release.tag !== undefined ? release.tag : referenceTag(release.image),
    digest: release.digest ? release.pinned : null,
  }
}
