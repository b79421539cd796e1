import { type DeploymentIntent, ForgeError, type SourceContext } from '@forge/core'
import {
  digestReference,
  inspectImage,
  newReleaseId,
  type PulledImage,
  type PullPolicy,
  pullImage,
  redact,
  redactError,
  releaseEnv,
  repository,
  sameRelease as sameRun,
} from '@forge/docker'
import type Docker from 'dockerode'
import { registryAuthFor } from './auth.js'
import type { ImageConfig } from './config.js'
import type { ImageState, Release } from './releases.js'

/** What a deploy will run: a release, new or taken from the history. */
export interface Plan {
  release: Release
  /** True when the release is an earlier one (rollback). */
  fromHistory: boolean
}

/** Resolves the intent to a release: pulls the image for a new one, takes history for rollback. */
export async function planRelease(
  docker: Docker,
  ctx: SourceContext<ImageConfig>,
  intent: DeploymentIntent,
  state: ImageState,
): Promise<Plan> {
  const config = ctx.workload.source.config
  if (intent.reason === 'rollback') {
    const previous = state.releases[1]
    if (!previous) {
      throw new ForgeError(
        'FORGE_IMAGE_NO_PREVIOUS_RELEASE',
        `Workload ${ctx.workload.name} has no previous release to roll back to (${state.releases.length} kept).`,
        'Deploy at least twice before rolling back; keepReleases sets how many releases are kept.',
      )
    }
    // The image may have been pruned since: pull it back by digest when it came from a registry.
    if (!(await inspectImage(docker, previous.imageId))) {
      await pull(docker, ctx, previous.digest ?? previous.imageId, 'missing')
    }
    return { release: previous, fromHistory: true }
  }
  const target = await chooseImage(docker, ctx, intent)
  const image = await pull(docker, ctx, target.ref, target.policy)
  return {
    release: {
      id: newReleaseId(),
      image: target.ref,
      tag: target.tag,
      imageId: image.id,
      digest: image.digest,
      env: releaseEnv(config.env, ctx.env, config.registryAuth),
      config,
      deployedAt: new Date().toISOString(),
    },
    fromHistory: false,
  }
}

/**
 * The image a new release runs. A digest in the intent names it exactly: promote passes the
 * parent's, a registry push the one it pushed, and the host passes the current release's on a
 * plain deploy, so a redeploy keeps what runs (a rollback included) instead of taking whatever
 * the tag points at now. Without one, the tag (the intent's, else the config's) is resolved.
 */
async function chooseImage(
  docker: Docker,
  ctx: SourceContext<ImageConfig>,
  intent: DeploymentIntent,
): Promise<{ ref: string; tag: string | null; policy: PullPolicy }> {
  const config = ctx.workload.source.config
  if (intent.reason === 'promote' && !intent.digest) {
    throw new ForgeError(
      'FORGE_IMAGE_PROMOTE_WITHOUT_DIGEST',
      `Promoting workload ${ctx.workload.name} needs the parent's running digest, and the intent carries none.`,
      'Promote from a parent workload that has a running release; the host passes its digest in intent.digest.',
    )
  }
  const ref = await digestTarget(docker, ctx, intent)
  if (ref) {
    ctx.progress('image', `${ref}: the exact image the ${intent.reason} intent names`)
    return { ref, tag: intent.tag ?? null, policy: 'missing' }
  }
  const tag = intent.digest ? config.tag : (intent.tag ?? config.tag)
  // A push notification means the tag moved: fetch it even when a copy is on the host.
  const policy =
    intent.reason === 'image.push' && config.pull === 'missing' ? 'always' : config.pull
  return { ref: `${config.image}:${tag}`, tag, policy }
}

/**
 * The reference the intent's digest names, or null. A release built from a local image has no
 * registry digest: its image id names it. Outside a promote (whose parent may run another
 * repository), a digest of another repository than the config's image is ignored: the config has
 * moved to another image since, and a deploy applies it.
 */
async function digestTarget(
  docker: Docker,
  ctx: SourceContext<ImageConfig>,
  intent: DeploymentIntent,
): Promise<string | null> {
  const { digest, reason } = intent
  if (!digest) return null
  if (digest.startsWith('sha256:') && (await inspectImage(docker, digest))) return digest
  const { image, tag } = ctx.workload.source.config
  const ref = digestReference(image, digest)
  if (reason === 'promote' || repository(ref) === image) return ref
  ctx.progress(
    'image',
    `ignoring ${digest}: the config now names ${image}, so its tag ${tag} is deployed`,
  )
  return null
}

async function pull(
  docker: Docker,
  ctx: SourceContext<ImageConfig>,
  ref: string,
  policy: PullPolicy,
): Promise<PulledImage> {
  const auth = registryAuthFor(ctx, ref)
  ctx.progress('pull', `${ref} (policy ${policy}${auth ? `, as ${auth.username}` : ''})`)
  let image: PulledImage
  try {
    image = await pullImage(docker, ref, {
      policy,
      signal: ctx.signal,
      ...(auth ? { auth } : {}),
      onProgress: (line) => ctx.progress('pull', redact(line, auth)),
    })
  } catch (error) {
    throw redactError(error, auth)
  }
  ctx.progress(
    'pull',
    image.pulled ? `pulled ${image.digest ?? image.id}` : `using local ${image.id}`,
  )
  return image
}

/** Same image, env and config as what runs: nothing to deploy unless forced. */
export function sameRelease(a: Release | undefined, b: Release): boolean {
  return sameRun(a, b, (release) => release.imageId)
}
