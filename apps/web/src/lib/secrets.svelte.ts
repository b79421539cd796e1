/**
 * A generated signing secret is answered once, by the request that made it. It stays here, in
 * memory only, until the user has seen it and says so (or the tab closes).
 */
import type { VendorSetup } from './types'

export interface FreshSecret {
  triggerId: string
  triggerName: string
  signingSecret: string | null
  setup: VendorSetup[]
}

export const freshSecrets = $state<FreshSecret[]>([])

export function keepSecret(secret: FreshSecret): void {
  freshSecrets.push(secret)
}
export function forgetSecret(triggerId: string): void {
  const index = freshSecrets.findIndex((s) => s.triggerId === triggerId)
  if (index >= 0) freshSecrets.splice(index, 1)
}
