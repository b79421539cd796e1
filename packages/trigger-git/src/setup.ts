import type { TriggerSetup, TriggerSetupContext } from '@forge/core'

/** What goes in the provider's secret field: the secret itself when Forge has it to show. */
function secret(ctx: TriggerSetupContext): string {
  if (ctx.signingSecret) return ctx.signingSecret
  return ctx.requireSignature
    ? "this trigger's signing secret (set one with PATCH /api/triggers/:id { signingSecret } if you no longer have it)"
    : 'empty, or a signing secret you also set on the trigger (PATCH /api/triggers/:id { signingSecret }); this trigger accepts unsigned deliveries'
}

/**
 * For each git provider: where its webhook form is and what goes in each field, with the
 * trigger's URL and secret written out. JSON is asked for everywhere: a form-encoded body (GitHub's
 * default) is read only through its `payload` field.
 */
export function gitSetup(ctx: TriggerSetupContext): TriggerSetup[] {
  const url = ctx.webhookUrl
  const key = secret(ctx)
  return [
    {
      vendor: 'github',
      title: 'GitHub (repository or organization webhook)',
      canSign: true,
      steps: [
        'Open the repository (or organization) Settings → Webhooks → Add webhook.',
        `Payload URL: ${url}`,
        'Content type: application/json (GitHub preselects application/x-www-form-urlencoded).',
        `Secret: ${key} (GitHub signs each delivery with it in X-Hub-Signature-256).`,
        'Which events: "Just the push event" (it covers branch and tag pushes). Keep "Active" checked, then Add webhook.',
        'GitHub sends a ping at once: the delivery list of the trigger shows it.',
      ],
    },
    ...(['gitea', 'forgejo'] as const).map((vendor) => {
      const name = vendor === 'gitea' ? 'Gitea' : 'Forgejo'
      return {
        vendor,
        title: `${name} (repository webhook)`,
        canSign: true,
        steps: [
          `Open the repository Settings → Webhooks → Add webhook → ${name}.`,
          `Target URL: ${url}`,
          'HTTP method: POST. POST content type: application/json.',
          `Secret: ${key} (${name} signs each delivery with it in X-${name}-Signature).`,
          'Trigger on: "Push events". Branch filter: * (the trigger picks branches itself). Keep "Active" checked, then Add webhook.',
        ],
      }
    }),
    {
      vendor: 'gogs',
      title: 'Gogs (repository webhook)',
      canSign: true,
      steps: [
        'Open the repository Settings → Webhooks → Add webhook → Gogs.',
        `Payload URL: ${url}`,
        'Content type: application/json.',
        `Secret: ${key} (Gogs signs each delivery with it in X-Gogs-Signature).`,
        'When should this webhook be triggered: "Just the push event". Keep "Active" checked, then Add webhook.',
      ],
    },
    {
      vendor: 'gitlab',
      title: 'GitLab (project or group webhook)',
      canSign: true,
      steps: [
        'Open the project (or group) Settings → Webhooks → Add new webhook.',
        `URL: ${url}`,
        `Secret token: ${key} (GitLab sends it as X-Gitlab-Token; it does not sign the body).`,
        'Trigger: "Push events" (all branches), and "Tag push events" if the trigger deploys tags.',
        'Keep SSL verification on, then Add webhook; "Test → Push events" sends a sample.',
      ],
    },
    {
      vendor: 'bitbucket',
      title: 'Bitbucket Cloud (repository webhook)',
      canSign: true,
      steps: [
        'Open the repository Repository settings → Webhooks → Add webhook.',
        'Title: Forge.',
        `URL: ${url}`,
        `Secret: ${key} (Bitbucket signs each delivery with it in X-Hub-Signature).`,
        'Status: Active. Triggers: "Repository push". Save.',
      ],
    },
    {
      vendor: 'bitbucket-server',
      title: 'Bitbucket Data Center (repository webhook)',
      canSign: true,
      steps: [
        'Open the repository Repository settings → Webhooks → Create webhook.',
        'Name: Forge.',
        `URL: ${url}`,
        `Secret: ${key} (Bitbucket signs each delivery with it in X-Hub-Signature).`,
        'Events: Repository → "Push". Active: on. Save; "Test connection" sends a ping.',
      ],
    },
    {
      vendor: 'generic',
      title: 'A CI script (generic JSON)',
      canSign: true,
      steps: [
        `POST ${url} with Content-Type: application/json and the body {"ref": "refs/heads/main", "commit": "<sha>", "repository": "<owner/name>"}.`,
        ctx.signingSecret
          ? `Authenticate with Authorization: Bearer ${ctx.signingSecret}, or sign the body: X-Forge-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>.`
          : "Authenticate with Authorization: Bearer <this trigger's signing secret>, or sign the body in X-Forge-Signature: sha256=<hex HMAC-SHA256>.",
      ],
    },
  ]
}
