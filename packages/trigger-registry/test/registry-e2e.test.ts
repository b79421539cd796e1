/**
 * A real `docker push` to a real CNCF registry whose notifications reach a listener here: every
 * request the registry sends goes through parse + match as the host would run them.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isSkip, type MatchResult, type ParseResult } from '@forge/core'
import { validateConfig } from '@forge/core/host'
import {
  distributionYaml,
  registryTrigger,
  registryTriggerConfigSchema,
} from '@forge/trigger-registry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { BUSYBOX_IMAGE, docker, requireDocker } from '../../../test-support/docker.js'
import { waitFor } from '../../../test-support/ports.js'
import { type RunningRegistry, startRegistry } from '../../../test-support/registry.js'

const TOKEN = 'e2e-registry-token'

interface Received {
  headers: Record<string, string>
  body: Uint8Array
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

describe('a docker push to a real registry', () => {
  const received: Received[] = []
  let listener: Server
  let registry: RunningRegistry
  let image = ''

  beforeAll(async () => {
    await requireDocker()
    listener = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        received.push({
          headers: flatHeaders(req.headers),
          body: new Uint8Array(Buffer.concat(chunks)),
        })
        res.writeHead(202).end()
      })
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    const { port } = listener.address() as AddressInfo
    // The registry is configured from what the trigger's setup tells a user to paste.
    const yaml = distributionYaml({
      webhookUrl: `http://127.0.0.1:${port}/api/webhook/triggers/e2e`,
      signingSecret: TOKEN,
      requireSignature: true,
    })
    const endpoint = parseYaml(yaml).notifications.endpoints[0] as {
      url: string
      headers: Record<string, string[]>
    }
    registry = await startRegistry({
      notifyUrl: endpoint.url,
      headers: Object.fromEntries(Object.entries(endpoint.headers).map(([k, [v]]) => [k, v ?? ''])),
    })
    image = `${registry.host}/demo/web:v1`
    await docker(['tag', BUSYBOX_IMAGE, image])
    await docker(['push', image])
    // The registry notifies asynchronously: wait for the manifest push, then a little for stragglers.
    await waitFor(
      `the registry on ${registry.host} to notify the manifest push`,
      async () => received.some((r) => /"tag":\s*"v1"/.test(new TextDecoder().decode(r.body))),
      20_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; ${received.length} request(s) received. Registry output:\n${registry.output().slice(-2000)}`,
      )
    })
    await new Promise((r) => setTimeout(r, 500))
  })

  afterAll(async () => {
    if (image) await docker(['rmi', image]).catch(() => undefined)
    await registry?.stop()
    await new Promise((resolve) => listener?.close(resolve))
  })

  it('yields exactly one image.push for the tag, and ignores the blob notifications', async () => {
    const checked = await validateConfig(registryTriggerConfigSchema, {
      image: `${registry.host}/demo/web`,
    })
    if (!checked.ok) throw new Error(checked.error.message)
    const verify = { secret: TOKEN, requireSignature: true }
    const results: ParseResult[] = []
    for (const request of received) results.push(await registryTrigger.parse(request, verify))

    // Every request is a real registry notification, authenticated by the header setup gave.
    expect(received.length).toBeGreaterThan(1)
    for (const request of received) {
      expect(request.headers['content-type']).toMatch(
        /^application\/vnd\.docker\.distribution\.events\.v\d\+json/,
      )
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)
    }
    for (const result of results)
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true, verified: true })

    const accepted = results.filter((r) => r.ok)
    const events = accepted.flatMap((r) => r.events)
    expect(events).toHaveLength(1)
    const [event] = events
    if (event?.type !== 'image.push')
      throw new Error(`expected an image.push, got ${JSON.stringify(event)}`)
    expect(event.vendor).toBe('distribution')
    expect(event.registry).toBe(registry.host)
    expect(event.repository).toBe('demo/web')
    expect(event.tag).toBe('v1')
    expect(event.digest).toMatch(/^sha256:[0-9a-f]{64}$/)

    // The layer and config blobs were notified too, and each such request yielded nothing.
    const blobOnly = accepted.filter((r) => r.events.length === 0)
    expect(blobOnly.length).toBeGreaterThanOrEqual(1)
    for (const r of blobOnly) expect(r.note).toMatch(/not manifest pushes/)

    const intents: MatchResult[] = events.map((e) =>
      registryTrigger.match(e, checked.value, {
        id: '00000000-0000-4000-8000-00000000e2e0',
        name: 'web',
        source: { kind: 'image', config: {} },
        appId: null,
        parentId: null,
      }),
    )
    expect(intents).toEqual([{ reason: 'image.push', tag: 'v1', digest: event.digest }])

    // The digest is the one the registry serves for the tag.
    const head = await fetch(`http://${registry.host}/v2/demo/web/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    })
    expect(head.headers.get('docker-content-digest')).toBe(event.digest)
  })

  it('the same notifications are refused with 401 under another secret', async () => {
    const verify = { secret: 'not-the-token', requireSignature: true }
    for (const request of received) {
      const result = await registryTrigger.parse(request, verify)
      expect(result).toMatchObject({ ok: false, status: 401 })
    }
  })

  it('another image watched by a binding is skipped with a readable reason', async () => {
    const manifestPush = received
      .map((r) => registryTrigger.parse(r, { requireSignature: false }))
      .flatMap((r) => ('events' in r ? r.events : []))[0]
    if (!manifestPush) throw new Error('no event received')
    const result = registryTrigger.match(
      manifestPush,
      { image: `${registry.host}/demo/api` },
      undefined as never,
    )
    expect(isSkip(result) && result.skip).toBe(
      `push of ${registry.host}/demo/web, this trigger watches ${registry.host}/demo/api`,
    )
  })
})
