import type { TriggerSetup, TriggerSetupContext } from '@forge/core'

/** What to paste where in Azure DevOps to point a Code pushed service hook at this trigger. */
export function azureDevOpsSetup(ctx: TriggerSetupContext): TriggerSetup[] {
  const secret = ctx.signingSecret ?? "<the trigger's signing secret>"
  // Azure DevOps sends basic authentication only to https:// URLs; a custom header goes anywhere.
  const https = /^https:\/\//i.test(ctx.webhookUrl)
  const credentials = https
    ? [
        `Basic authentication username: forge (any name: Forge checks the password). Basic authentication password: ${secret}`,
        `Or, instead of basic authentication, HTTP headers: X-Forge-Token:${secret}`,
      ]
    : [
        `HTTP headers: X-Forge-Token:${secret} (Azure DevOps sends basic authentication only to https:// URLs, and over http:// the header travels in clear: serve Forge over HTTPS where you can)`,
      ]
  if (!ctx.requireSignature)
    credentials.push(
      'This trigger also accepts requests without credentials (requireSignature is false); a wrong credential is always refused.',
    )
  return [
    {
      vendor: 'azure-devops',
      title: 'Azure DevOps (service hook: Web Hooks, Code pushed)',
      steps: [
        'In Azure DevOps, open Project settings → Service hooks and select Create subscription (+).',
        'Service: Web Hooks. Next.',
        'Trigger on this type of event: Code pushed. Repository and Branch: the ones to deploy from, or [Any] (the trigger filters again by its config). Next.',
        `URL: ${ctx.webhookUrl}`,
        ...credentials,
        'Resource details to send: All (Minimal and None leave out the refs that were pushed). Messages and Detailed messages to send: any. Resource version: 1.0.',
        'Select Test: Azure DevOps sends its sample push (Fabrikam-Fiber-Git), which Forge records and skips as another repository. Then Finish.',
      ],
      canSign: true,
    },
  ]
}
