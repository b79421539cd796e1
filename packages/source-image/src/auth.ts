import { ForgeError, type SourceContext } from '@forge/core'
import { type RegistryAuth, registryCredentials } from '@forge/docker'
import type { ImageConfig } from './config.js'

/**
 * The credentials for pulling `ref`, or undefined when the config names none. The password comes
 * from the workload's (encrypted) env, never from the config.
 */
export function registryAuthFor(
  ctx: SourceContext<ImageConfig>,
  ref: string,
): RegistryAuth | undefined {
  const auth = ctx.workload.source.config.registryAuth
  const credentials = registryCredentials(auth, ctx.env, ref)
  if (credentials === null && auth) {
    throw new ForgeError(
      'FORGE_IMAGE_REGISTRY_PASSWORD_MISSING',
      `Workload ${ctx.workload.name} pulls ${ref} as ${auth.username}, but its env has no value for ${auth.passwordEnv} (registryAuth.passwordEnv).`,
      `Set the registry password as a secret env value: PUT /api/workloads/${ctx.workload.id}/env { "${auth.passwordEnv}": { "value": "...", "secret": true } }, then deploy again.`,
      { path: 'source.config.registryAuth.passwordEnv' },
    )
  }
  return credentials ?? undefined
}
