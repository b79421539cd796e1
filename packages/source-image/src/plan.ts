import { type DeploymentIntent, ForgeError, type SourceContext } from '@forge/core'
import {
  inspectImage,
  newReleaseId,
  type PulledImage,
  type PullPolicy,
  pullImage,
  redact,
  redactError,
  releaseEnv,
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
  let ref: string
  let policy: PullPolicy = config.pull
  if (intent.reason === 'promote') {
    if (!intent.digest) {
      throw new ForgeError(
        'FORGE_IMAGE_PROMOTE_WITHOUT_DIGEST',
        `Promoting workload ${ctx.workload.name} needs the parent's running digest, and the intent carries none.`,
        'Promote from a parent workload that has a running release; the host passes its digest in intent.digest.',
      )
    }
    // A parent built from a local image has no registry digest: its image id names it.
    const localId =
      intent.digest.startsWith('sha256:') && (await inspectImage(docker, intent.digest))
    ref = localId ? intent.digest : imageRef(config.image, intent.digest)
    policy = 'missing'
  } else {
    ref = `${config.image}:${intent.tag ?? config.tag}`
    // A push notification means the tag moved: fetch it even when a copy is on the host.
    if (intent.reason === 'image.push' && policy === 'missing') policy = 'always'
  }
  const image = await pull(docker, ctx, ref, policy)
  return {
    release: {
      id: newReleaseId(),
      image: ref,
      imageId: image.id,
      digest: image.digest,
      env: releaseEnv(config.env, ctx.env, config.registryAuth),
      config,
      deployedAt: new Date().toISOString(),
    },
    fromHistory: false,
  }
}

/** `repo@sha256:..` is used as it is; a bare digest joins the configured repository. */
export function imageRef(image: string, digest: string): string {
  return digest.includes('@') ? digest : `${image}@${digest}`
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
