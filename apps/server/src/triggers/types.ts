export interface Trigger {
  id: string
  name: string
  kind: string
  config: Record<string, unknown>
  enabled: boolean
  requireSignature: boolean
  hasSigningSecret: boolean
  createdAt: string
  updatedAt: string
}

export interface TriggerInput {
  name: string
  kind: string
  config: Record<string, unknown>
  enabled?: boolean
  requireSignature?: boolean
  /** undefined keeps the current signing secret, null clears it. */
  signingSecret?: string | null
}

export interface Binding {
  id: string
  triggerId: string
  workloadId: string
  config: Record<string, unknown>
  enabled: boolean
  createdAt: string
  updatedAt: string
}
