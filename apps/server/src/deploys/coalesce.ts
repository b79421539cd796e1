import type { DeploymentIntent } from '@forge/core'

/** Two intents that would deploy the same thing (a multi-arch push fires once per platform). */
export function sameIntent(a: DeploymentIntent, b: DeploymentIntent): boolean {
  return (
    a.reason === b.reason &&
    (a.tag ?? null) === (b.tag ?? null) &&
    (a.digest ?? null) === (b.digest ?? null) &&
    (a.commit ?? null) === (b.commit ?? null) &&
    (a.ref ?? null) === (b.ref ?? null) &&
    Boolean(a.force) === Boolean(b.force)
  )
}
