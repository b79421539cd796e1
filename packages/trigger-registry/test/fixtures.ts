import { createHmac } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { TriggerRequest } from '@forge/core'
import { readRecordedDeliveries } from '@forge/testing'
import { WEBHOOK_FIXTURES } from '../../../test-support/shared.js'

export const LOCAL = join(import.meta.dirname, 'fixtures')
export const DOCKER_HUB_FIXTURE = join(WEBHOOK_FIXTURES, 'docker/docker_hub_build_notice.json')

if (!existsSync(DOCKER_HUB_FIXTURE)) {
  throw new Error(`The shared webhook fixtures are missing: expected ${DOCKER_HUB_FIXTURE}`)
}

export const DISTRIBUTION_TYPE = 'application/vnd.docker.distribution.events.v1+json'
export const GITHUB_SECRET = 'IsWishesWereHorsesWedAllBeEatingSteak!'
export const REGISTRY_TOKEN = 'tok'

export const bytesOf = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(path.startsWith('/') ? path : join(LOCAL, path)))

export const hmacHex = (secret: string, body: Uint8Array) =>
  createHmac('sha256', secret).update(body).digest('hex')

/** The request each vendor makes with a fixture: its content type, event headers, signature. */
export function requestFor(path: string): TriggerRequest {
  const body = bytesOf(path)
  const vendor = path.startsWith('/') ? 'dockerhub' : path.split('/')[0]!
  const json = { 'content-type': 'application/json' }
  switch (vendor) {
    case 'distribution':
      return {
        headers: { 'content-type': DISTRIBUTION_TYPE, authorization: `Bearer ${REGISTRY_TOKEN}` },
        body,
      }
    case 'github': {
      const event = path.includes('registry-package') ? 'registry_package' : 'package'
      return {
        headers: {
          ...json,
          'x-github-event': event,
          'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
          'x-hub-signature-256': `sha256=${hmacHex(GITHUB_SECRET, body)}`,
        },
        body,
      }
    }
    case 'gitea':
      return {
        headers: {
          ...json,
          'x-gitea-event': 'package',
          'x-github-event': 'package',
          'x-gitea-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
          'x-gitea-signature': hmacHex(GITHUB_SECRET, body),
        },
        body,
      }
    case 'harbor':
      return { headers: { ...json, authorization: `Bearer ${REGISTRY_TOKEN}` }, body }
    default:
      return { headers: json, body }
  }
}

/** Every local fixture path, plus the shared Docker Hub one. */
export function allFixtures(): string[] {
  const local = readdirSync(LOCAL, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(LOCAL, d.name))
        .filter((f) => f.endsWith('.json'))
        .map((f) => `${d.name}/${f}`),
    )
  return [...local, DOCKER_HUB_FIXTURE]
}

/** The registry deliveries of the vendor corpus beside go-playground, with the events they must yield. */
export const vendorDeliveries = () =>
  readRecordedDeliveries(join(dirname(WEBHOOK_FIXTURES), 'vendors'), { kind: 'registry' })
