import { type DeploymentIntent, ForgeError, forgeError, type SourceContext } from '@forge/core'
import {
  DockerErrors,
  digestReference,
  inspectImage,
  newReleaseId,
  type RegistryAuth,
  redact,
  registryCredentials,
  releaseEnv,
  repository,
  withDefaultTag,
} from '@forge/docker'
import type Docker from 'dockerode'
import type { Cluster } from './cluster.js'
import { reason } from './cluster.js'
import type { SwarmConfig } from './config.js'
import { SwarmErrors } from './errors.js'
import type { SwarmRelease, SwarmState } from './state.js'

type Ctx = SourceContext<SwarmConfig>

/** What a deploy will run, and the credentials the nodes pull it with. */
export interface Plan {
  release: SwarmRelease
  /** True when the release is an earlier one (rollback). */
  fromHistory: boolean
  auth: RegistryAuth | undefined
}

export async function planRelease(
  docker: Docker,
  ctx: Ctx,
  intent: DeploymentIntent,
  state: SwarmState,
  cluster: Cluster,
): Promise<Plan> {
  const config = ctx.workload.source.config
  if (intent.reason === 'rollback') {
    const previous = state.releases[1]
    if (!previous) {
      throw forgeError(SwarmErrors.NoPreviousRelease, {
        workload: ctx.workload.name,
        kept: state.releases.length,
      })
    }
    return { release: previous, fromHistory: true, auth: credentialsFor(ctx, previous.pinned) }
  }
  // A digest names the image exactly: promote passes the parent's, a registry push the one it
  // pushed, the host the current release's on a plain deploy (so a redeploy keeps what runs).
  if (intent.reason === 'promote' && !intent.digest) {
    throw forgeError(SwarmErrors.PromoteWithoutDigest, { workload: ctx.workload.name })
  }
  const named = pinnedByIntent(ctx, intent)
  const ref = named ?? withDefaultTag(`${config.image}:${intent.tag ?? config.tag}`)
  const tag = named ? (intent.tag ?? null) : intent.digest ? config.tag : (intent.tag ?? config.tag)
  const auth = credentialsFor(ctx, ref)
  const { pinned, digest } = await pinImage(docker, ctx, ref, auth, cluster)
  return {
    release: {
      id: newReleaseId(),
      image: ref,
      tag,
      pinned,
      digest,
      env: releaseEnv(config.env, ctx.env, config.registryAuth),
      config,
      deployedAt: new Date().toISOString(),
    },
    fromHistory: false,
    auth,
  }
}

/**
 * The reference the intent's digest names, or null. Outside a promote (whose parent may run
 * another repository), a digest of another repository than the config's image is ignored: the
 * config has moved to another image since, and a deploy applies it.
 */
function pinnedByIntent(ctx: Ctx, intent: DeploymentIntent): string | null {
  if (!intent.digest) return null
  const { image, tag } = ctx.workload.source.config
  const ref = digestReference(image, intent.digest)
  if (intent.reason === 'promote' || repository(ref) === image) {
    ctx.progress('image', `${ref}: the exact image the ${intent.reason} intent names`)
    return ref
  }
  ctx.progress(
    'image',
    `ignoring ${intent.digest}: the config now names ${image}, so its tag ${tag} is deployed`,
  )
  return null
}

/**
 * `repo@sha256:...` from the registry, so every node runs the same bytes whatever the tag does
 * meanwhile. With more than one node an image the registry does not have is refused before
 * anything starts: the other nodes could not pull it.
 */
async function pinImage(
  docker: Docker,
  ctx: Ctx,
  ref: string,
  auth: RegistryAuth | undefined,
  cluster: Cluster,
): Promise<{ pinned: string; digest: string | null }> {
  const { pull } = ctx.workload.source.config
  const nodes = cluster.nodes.length
  let cause: string
  if (pull === 'never') {
    cause = 'pull is "never", so Forge asks no registry'
  } else {
    ctx.progress('resolve', `${ref} at its registry${auth ? ` as ${auth.username}` : ''}`)
    try {
      const answer = (await docker
        .getImage(ref)
        .distribution(auth ? { authconfig: auth } : {})) as { Descriptor?: { digest?: string } }
      const digest = answer.Descriptor?.digest
      if (!digest) throw new Error('the registry answered without a digest')
      const pinned = `${repository(ref)}@${digest}`
      ctx.progress('resolve', `${ref} is ${digest}`)
      return { pinned, digest }
    } catch (error) {
      cause = redact(reason(error), auth)
    }
  }
  if (nodes > 1) throw forgeError(SwarmErrors.ImageNotInRegistry, { ref, nodes, cause })
  if (pull === 'always') throw forgeError(DockerErrors.PullFailed, { ref, cause })
  if (!(await inspectImage(docker, ref))) throw forgeError(SwarmErrors.ImageMissing, { ref, cause })
  ctx.log.warn(`${ref} is only on the manager's engine: fine on a one-node swarm, refused on more`)
  ctx.progress('resolve', `${ref} is only on the manager (${cause}); one node, so it is used as is`)
  return { pinned: ref, digest: null }
}

/** The credentials the nodes pull `ref` with; the password comes from the workload's env. */
export function credentialsFor(ctx: Ctx, ref: string): RegistryAuth | undefined {
  const config = ctx.workload.source.config.registryAuth
  const credentials = registryCredentials(config, ctx.env, ref)
  if (credentials === null && config) {
    const entry = SwarmErrors.RegistryPasswordMissing
    const { workload } = ctx
    throw new ForgeError(
      entry.code,
      entry.message({ workload: workload.name, ref, ...config }),
      `Set the registry password as a secret env value: PUT /api/workloads/${workload.id}/env { "${config.passwordEnv}": { "value": "...", "secret": true } }, then deploy again.`,
      { path: 'source.config.registryAuth.passwordEnv' },
    )
  }
  return credentials ?? undefined
}
