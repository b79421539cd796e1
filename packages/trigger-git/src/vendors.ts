/**
 * Which provider sent a request, told by its headers. Order matters: Forgejo also sends the Gitea
 * headers, and Gitea also sends `X-GitHub-Event` and `X-Gogs-Event` for compatibility.
 */
export const VENDORS = [
  'forgejo',
  'gitea',
  'gogs',
  'github',
  'gitlab',
  'bitbucket',
  'bitbucket-server',
  'generic',
] as const
export type Vendor = (typeof VENDORS)[number]

/** How a vendor proves a request came from it. The first header present is the one checked. */
export type SignatureCheck =
  | { header: string; scheme: 'hmac'; prefix: string }
  | { header: string; scheme: 'token' }
  | { header: string; scheme: 'bearer' }

export interface VendorSpec {
  vendor: Vendor
  /** Header whose value names the event (`push`, `Push Hook`, `repo:push`). */
  eventHeader: string | null
  deliveryHeaders: readonly string[]
  signatures: readonly SignatureCheck[]
}

const hmac = (header: string, prefix = ''): SignatureCheck => ({ header, scheme: 'hmac', prefix })

export const VENDOR_SPECS: Record<Vendor, VendorSpec> = {
  forgejo: {
    vendor: 'forgejo',
    eventHeader: 'x-forgejo-event',
    deliveryHeaders: ['x-forgejo-delivery', 'x-gitea-delivery'],
    signatures: [hmac('x-forgejo-signature'), hmac('x-gitea-signature')],
  },
  gitea: {
    vendor: 'gitea',
    eventHeader: 'x-gitea-event',
    deliveryHeaders: ['x-gitea-delivery'],
    signatures: [hmac('x-gitea-signature'), hmac('x-hub-signature-256', 'sha256=')],
  },
  gogs: {
    vendor: 'gogs',
    eventHeader: 'x-gogs-event',
    deliveryHeaders: ['x-gogs-delivery'],
    signatures: [hmac('x-gogs-signature')],
  },
  github: {
    vendor: 'github',
    eventHeader: 'x-github-event',
    deliveryHeaders: ['x-github-delivery'],
    signatures: [hmac('x-hub-signature-256', 'sha256=')],
  },
  gitlab: {
    vendor: 'gitlab',
    eventHeader: 'x-gitlab-event',
    deliveryHeaders: ['x-gitlab-event-uuid'],
    signatures: [{ header: 'x-gitlab-token', scheme: 'token' }],
  },
  bitbucket: {
    vendor: 'bitbucket',
    eventHeader: 'x-event-key',
    deliveryHeaders: ['x-request-uuid'],
    signatures: [hmac('x-hub-signature', 'sha256=')],
  },
  'bitbucket-server': {
    vendor: 'bitbucket-server',
    eventHeader: 'x-event-key',
    deliveryHeaders: ['x-request-id'],
    signatures: [hmac('x-hub-signature', 'sha256=')],
  },
  generic: {
    vendor: 'generic',
    eventHeader: null,
    deliveryHeaders: ['x-request-id'],
    signatures: [
      hmac('x-forge-signature', 'sha256='),
      { header: 'authorization', scheme: 'bearer' },
    ],
  },
}

/** Listed in `unknown_vendor` messages. */
export const DETECTED_HEADERS = [
  'x-github-event',
  'x-gitea-event',
  'x-forgejo-event',
  'x-gogs-event',
  'x-gitlab-event',
  'x-event-key (Bitbucket)',
  'x-forge-signature or authorization (generic JSON)',
]

/** The vendor named by the headers, or null (then the body may still be a generic request). */
export function detectVendor(headers: Record<string, string>): Vendor | null {
  for (const vendor of ['forgejo', 'gitea', 'gogs', 'github', 'gitlab'] as const) {
    if (headers[VENDOR_SPECS[vendor].eventHeader!]) return vendor
  }
  const key = headers['x-event-key']
  if (key) {
    // Bitbucket Cloud stamps every request with hook and request UUIDs; Data Center does not.
    const cloud = Boolean(headers['x-hook-uuid'] || headers['x-request-uuid'])
    return cloud || key === 'repo:push' ? 'bitbucket' : 'bitbucket-server'
  }
  if (headers['x-forge-signature'] || headers.authorization) return 'generic'
  return null
}

export function deliveryIdOf(
  spec: VendorSpec,
  headers: Record<string, string>,
): string | undefined {
  for (const name of spec.deliveryHeaders) {
    const value = headers[name]?.trim()
    if (value) return value
  }
  return undefined
}
