/**
 * The real payloads in shared/fixtures/webhooks/go-playground (beside the repository) with the headers their
 * provider sent (manifest.json). Where the manifest has no signature for a vendor whose provider
 * signs (GitHub, GitLab, Bitbucket Cloud), or no entry at all, the request is completed the way
 * the provider would: the signature is computed here with node:crypto, independently of core.
 */
import { createHmac } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { TriggerRequest } from '@forge/core'
import { readRecordedDeliveries } from '@forge/testing'
import { WEBHOOK_FIXTURES } from '../../../test-support/shared.js'

export const FIXTURES = WEBHOOK_FIXTURES
export const SUPPORTED = ['github', 'gitea', 'gogs', 'gitlab', 'bitbucket', 'bitbucket-server']

interface Manifest {
  files: Record<string, { headers: Record<string, string>; vendor: string }>
  secrets: Record<string, string | null>
}

if (!existsSync(join(FIXTURES, 'manifest.json'))) {
  throw new Error(`Webhook fixtures are missing: expected ${FIXTURES}/manifest.json`)
}
const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'))

/** Bitbucket Cloud's secret is null in the manifest (its fixtures are unsigned): sign with this. */
export const BITBUCKET_CLOUD_SECRET = 'bitbucket-cloud-test-secret'

export function secretOf(vendor: string): string {
  return manifest.secrets[vendor] ?? BITBUCKET_CLOUD_SECRET
}

export const hmacHex = (secret: string, body: Uint8Array) =>
  createHmac('sha256', secret).update(body).digest('hex')

// Event headers for the files the manifest does not list, as GitLab and Bitbucket name them.
function missingHeaders(path: string): Record<string, string> {
  if (path === 'gitlab/job-event.json') return { 'X-Gitlab-Event': 'Job Hook' }
  if (path.startsWith('gitlab/system-')) return { 'X-Gitlab-Event': 'System Hook' }
  if (path === 'bitbucket-server/pr-comment-added.json')
    return { 'X-Event-Key': 'pr:comment:added' }
  throw new Error(`No manifest entry and no known headers for fixture ${path}`)
}

export interface Fixture {
  path: string
  vendor: string
  request: TriggerRequest
  secret: string
}

export const readFixtureBody = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)))

export function loadFixture(path: string): Fixture {
  const vendor = path.split('/')[0]!
  const body = readFixtureBody(path)
  const raw = manifest.files[path]?.headers ?? missingHeaders(path)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  for (const [name, value] of Object.entries(raw)) headers[name.toLowerCase()] = value
  const secret = secretOf(vendor)
  if (vendor === 'github') headers['x-hub-signature-256'] = `sha256=${hmacHex(secret, body)}`
  if (vendor === 'gitlab') headers['x-gitlab-token'] = secret
  if (vendor === 'bitbucket') headers['x-hub-signature'] = `sha256=${hmacHex(secret, body)}`
  if (vendor === 'bitbucket-server' && !headers['x-hub-signature']) {
    headers['x-hub-signature'] = `sha256=${hmacHex(secret, body)}`
  }
  return { path, vendor, request: { headers, body }, secret }
}

export function fixturePaths(vendors: readonly string[] = SUPPORTED): string[] {
  return vendors.flatMap((vendor) =>
    readdirSync(join(FIXTURES, vendor))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => `${vendor}/${file}`),
  )
}

/** The git deliveries of the vendor corpus beside go-playground, with the events they must yield. */
export const vendorDeliveries = () =>
  readRecordedDeliveries(join(dirname(FIXTURES), 'vendors'), { kind: 'git' })
