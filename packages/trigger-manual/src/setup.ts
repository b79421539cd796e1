import type { TriggerSetup, TriggerSetupContext } from '@forge/core'

/** How to call a manual trigger: a curl for a script or a CI job, with the real URL and token. */
export function manualSetup(ctx: TriggerSetupContext): TriggerSetup[] {
  const url = ctx.webhookUrl
  const token = ctx.signingSecret ?? "<this trigger's signing secret>"
  const auth =
    ctx.requireSignature || ctx.signingSecret ? ` -H 'Authorization: Bearer ${token}'` : ''
  return [
    {
      vendor: 'manual',
      title: 'A deploy button, a script or a CI job',
      canSign: true,
      steps: [
        `Redeploy what is configured: curl -fsS -X POST '${url}'${auth}`,
        `Deploy a given tag, saying who asked: curl -fsS -X POST '${url}'${auth} -H 'Content-Type: application/json' -d '{"tag":"v2","actor":"ada"}'`,
        ctx.requireSignature
          ? 'The token is required: send it as Authorization: Bearer <token> or X-Forge-Token: <token>; without it the request is refused with 401.'
          : 'This trigger accepts requests without a token: the secret part of the URL is then the only secret, so keep the URL private. A token that is sent must match.',
        'Forge answers 202 with the deploy it queued for each bound workload.',
      ],
    },
  ]
}
