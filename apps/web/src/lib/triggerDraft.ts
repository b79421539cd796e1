/** What the trigger form collects, and the POST /api/triggers body it makes. */
export interface TriggerDraft {
  kind: string
  name: string
  config: Record<string, unknown>
  /** `generate`: the server makes a signing secret and answers it once. */
  secret: 'generate' | 'paste' | 'none'
  signingSecret: string
}

export const emptyTriggerDraft = (kind = ''): TriggerDraft => ({
  kind,
  name: '',
  config: {},
  secret: 'generate',
  signingSecret: '',
})

export function triggerBody(draft: TriggerDraft) {
  return {
    name: draft.name.trim(),
    kind: draft.kind,
    config: draft.config,
    requireSignature: draft.secret !== 'none',
    ...(draft.secret === 'paste' ? { signingSecret: draft.signingSecret } : {}),
  }
}
