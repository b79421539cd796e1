import type { TriggerSetup, TriggerSetupContext } from '@forge/core'

/** The secret as the sender should send it: written out when Forge has it to show. */
function secret(ctx: TriggerSetupContext): string {
  return ctx.signingSecret ?? "<this trigger's signing secret>"
}

/**
 * For a sender that can neither sign nor send a header: the secret in the URL is then the only
 * one, and the trigger must not require a signature.
 */
function urlIsTheSecret(ctx: TriggerSetupContext, vendor: string): string {
  const now = ctx.requireSignature
    ? `This trigger requires a signature, so every ${vendor} delivery would be refused with 401: set requireSignature to false (PATCH /api/triggers/:id { "requireSignature": false }).`
    : 'This trigger does not require a signature, as it must not for this sender.'
  return `${vendor} can neither sign its requests nor send a header: the secret part of the URL is the only secret, so keep the URL private. ${now}`
}

/** The CNCF registry's `notifications` block, as YAML to paste into its config.yml. */
export function distributionYaml(ctx: TriggerSetupContext): string {
  return [
    'notifications:',
    '  endpoints:',
    '    - name: forge',
    `      url: ${ctx.webhookUrl}`,
    '      headers:',
    `        Authorization: [Bearer ${secret(ctx)}]`,
    '      timeout: 2s',
    '      threshold: 5',
    '      backoff: 1s',
    '      ignoredmediatypes: [application/octet-stream]',
  ].join('\n')
}

/** For each registry: what to paste where, with the trigger's URL and secret written out. */
export function registrySetup(ctx: TriggerSetupContext): TriggerSetup[] {
  const url = ctx.webhookUrl
  const key = secret(ctx)
  return [
    {
      vendor: 'distribution',
      title: 'CNCF distribution registry (registry:2, docker-registry)',
      canSign: true,
      steps: [
        "Add this to the registry's config.yml (header values are lists), then restart the registry:",
        distributionYaml(ctx),
        'The registry sends every push (and blob and pull events, which are ignored) with Authorization: Bearer <secret>; it retries until Forge answers.',
      ],
    },
    {
      vendor: 'harbor',
      title: 'Harbor (project webhook)',
      canSign: true,
      steps: [
        'Open the project → Webhooks → New webhook.',
        'Notify type: HTTP. Payload format: Default. Event type: "Artifact pushed".',
        `Endpoint URL: ${url}`,
        `Auth header: Bearer ${key} (Harbor sends it as the Authorization header).`,
        'Keep "Verify remote certificate" on for an https URL, then Add.',
      ],
    },
    {
      vendor: 'github',
      title: 'GitHub Packages, ghcr.io (repository or organization webhook)',
      canSign: true,
      steps: [
        'Open the repository (or organization) Settings → Webhooks → Add webhook.',
        `Payload URL: ${url}`,
        'Content type: application/json.',
        `Secret: ${key} (GitHub signs each delivery with it in X-Hub-Signature-256).`,
        'Which events: "Let me select individual events" → "Packages" only. Add webhook.',
      ],
    },
    ...(['gitea', 'forgejo'] as const).map((vendor) => {
      const name = vendor === 'gitea' ? 'Gitea' : 'Forgejo'
      return {
        vendor,
        title: `${name} packages (user or organization webhook)`,
        canSign: true,
        steps: [
          `Open the user or organization Settings → Webhooks → Add webhook → ${name}.`,
          `Target URL: ${url}`,
          'HTTP method: POST. POST content type: application/json.',
          `Secret: ${key} (${name} signs each delivery with it in X-${name}-Signature).`,
          'Trigger on: "Custom events" → "Package". Keep "Active" checked, then Add webhook.',
        ],
      }
    }),
    {
      vendor: 'quay',
      title: 'Quay (repository notification)',
      canSign: false,
      steps: [
        'Open the repository → Settings → Events and Notifications → Create notification.',
        'When this event occurs: "Push to Repository". Then issue a notification: "Webhook POST".',
        `Webhook URL: ${url}`,
        urlIsTheSecret(ctx, 'Quay'),
      ],
    },
    {
      vendor: 'dockerhub',
      title: 'Docker Hub (repository webhook)',
      canSign: false,
      steps: [
        'Open the repository → Webhooks.',
        `Webhook name: Forge. Webhook URL: ${url}. Create.`,
        urlIsTheSecret(ctx, 'Docker Hub'),
        'Docker Hub sends no digest: the source resolves the pushed tag itself.',
      ],
    },
    {
      vendor: 'generic',
      title: 'A CI job (generic JSON)',
      canSign: true,
      steps: [
        `After the push: curl -fsS -X POST '${url}' -H 'Content-Type: application/json' -H 'Authorization: Bearer ${key}' -d '{"image":"<registry>/<name>","tag":"<tag>","digest":"<sha256:...>"}'`,
      ],
    },
  ]
}
