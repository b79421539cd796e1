import { createHash, createHmac } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readRecordedDeliveries } from '@forge/testing'
import fc from 'fast-check'
import { WEBHOOK_FIXTURES } from '../../../../test-support/shared.js'
import type { Json } from '../helpers.js'

/**
 * The requests the webhook fuzz sends: real pushes (templates from the corpora, each with its own
 * commit or tag, signed with the trigger's secret) that must deploy, and garbage made from both
 * corpora — mutated, truncated and random bodies, wrong content types, huge headers, bad
 * signatures, unknown secrets, wrong methods — none of which may deploy. The one rule that keeps
 * the count of expected deploys exact: garbage never carries a credential that is valid for its
 * exact bytes, except where its body cannot match a binding (another repository) or its content
 * type must be refused (415).
 */

export type Kind = 'git' | 'registry' | 'manual' | 'test-hook'

export interface Target {
  kind: Kind
  /** `/api/webhook/triggers/<secret>` */
  path: string
  signingSecret: string
}

export type Expectation =
  /** A real, validly signed push matching one binding: exactly one `queued` outcome. */
  | { kind: 'deploy'; workload: string }
  /** The same bytes as an accepted real push: answered `duplicate: true`, nothing queued. */
  | { kind: 'duplicate' }
  /** Anything else: below 500 and nothing queued; `status` when the answer is fixed. */
  | { kind: 'no-deploy'; status?: number }

export interface FuzzRequest {
  category: string
  target: Kind | 'unknown'
  method: string
  path: string
  headers: Record<string, string>
  body: Uint8Array
  /** Send without content-length, in two chunks (the streaming body limit). */
  chunked?: boolean
  expect: Expectation
}

interface Seed {
  name: string
  headers: Record<string, string>
  body: Uint8Array
  /** `git`, `registry` or null when the corpus does not say. */
  kind: string | null
}

const encoder = new TextEncoder()
const json = (value: unknown) => encoder.encode(JSON.stringify(value))
const hmacHex = (secret: string, body: Uint8Array) =>
  createHmac('sha256', secret).update(body).digest('hex')
const hex = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').repeat(2).slice(0, length)
const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))

/** Both corpora: go-playground (raw bytes, manifest headers) and vendors/ (recorded deliveries). */
export function loadSeeds(): Seed[] {
  const manifest = JSON.parse(readFileSync(join(WEBHOOK_FIXTURES, 'manifest.json'), 'utf8')) as {
    files: Record<string, { headers: Record<string, string> }>
  }
  const playground = readdirSync(WEBHOOK_FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(WEBHOOK_FIXTURES, d.name))
        .filter((f) => f.endsWith('.json'))
        .map((f): Seed => {
          const name = `${d.name}/${f}`
          return {
            name: `go-playground/${name}`,
            headers: {
              'content-type': 'application/json',
              ...lower(manifest.files[name]?.headers ?? {}),
            },
            body: new Uint8Array(readFileSync(join(WEBHOOK_FIXTURES, name))),
            kind: d.name === 'docker' ? 'registry' : 'git',
          }
        }),
    )
  const vendors = readRecordedDeliveries(join(dirname(WEBHOOK_FIXTURES), 'vendors')).map(
    (d): Seed => ({
      name: `vendors/${d.name}`,
      headers: { ...d.request.headers },
      body: d.request.body,
      kind: d.kind,
    }),
  )
  if (playground.length < 100 || vendors.length < 50)
    throw new Error(
      `The webhook corpora look incomplete (${playground.length} go-playground, ${vendors.length} vendor payloads): see ${WEBHOOK_FIXTURES}`,
    )
  return [...playground, ...vendors]
}

const PLAYGROUND = (path: string) =>
  JSON.parse(readFileSync(join(WEBHOOK_FIXTURES, path), 'utf8')) as Json
const VENDOR = (path: string) =>
  (
    JSON.parse(readFileSync(join(dirname(WEBHOOK_FIXTURES), 'vendors', path), 'utf8')) as {
      body: Json
    }
  ).body

/** Repositories and images no corpus payload names: only the templates below can match them. */
export const FUZZ_REPOS = {
  github: 'forge-fuzz/github',
  gitlab: 'forge-fuzz/gitlab',
  gitea: 'forge-fuzz/gitea',
} as const
export const FUZZ_IMAGE = 'registry.fuzz.test/forge-fuzz/web'

/** Where each git vendor's push names its repository and commit, and the headers it sends. */
const GIT_TEMPLATES = {
  github: {
    file: 'github/push.json',
    repository: 'repository.full_name',
    commit: ['after', 'head_commit.id'],
    event: ['x-github-event', 'push'],
    delivery: 'x-github-delivery',
  },
  gitlab: {
    file: 'gitlab/push-event.json',
    repository: 'project.path_with_namespace',
    commit: ['after', 'checkout_sha'],
    event: ['x-gitlab-event', 'Push Hook'],
    delivery: 'x-gitlab-event-uuid',
  },
  gitea: {
    file: 'gitea/push-event.json',
    repository: 'repository.full_name',
    commit: ['after', 'head_commit.id'],
    event: ['x-gitea-event', 'push'],
    delivery: 'x-gitea-delivery',
  },
} as const

function setAt(target: Json, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop() as string
  let at = target
  for (const key of keys) at = at[key]
  at[last] = value
}

/** Which workload (by name) each real push deploys. */
export const TEMPLATE_WORKLOADS = {
  github: 'fuzz-github',
  gitlab: 'fuzz-gitlab',
  gitea: 'fuzz-gitea',
  registry: 'fuzz-registry',
  manual: 'fuzz-manual',
  'test-hook': 'fuzz-hook',
} as const
type Template = keyof typeof TEMPLATE_WORKLOADS

const TEMPLATE_KIND: Record<Template, Kind> = {
  github: 'git',
  gitlab: 'git',
  gitea: 'git',
  registry: 'registry',
  manual: 'manual',
  'test-hook': 'test-hook',
}

/** A deterministic PRNG (mulberry32): a run is replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    chance: (p: number) => next() < p,
    ascii(length: number, alphabet = ' !#$%&()*+,-./0123456789:;<=>?@ABCXYZ[]^_abcxyz{|}~') {
      let out = ''
      for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)]
      return out
    },
    bytes(length: number) {
      const out = new Uint8Array(length)
      for (let i = 0; i < length; i++) out[i] = int(256)
      return out
    },
  }
}
type Rand = ReturnType<typeof prng>

const HMAC_HEADERS = [
  'x-hub-signature-256',
  'x-hub-signature',
  'x-gitea-signature',
  'x-forgejo-signature',
  'x-gogs-signature',
  'x-test-signature',
  'x-forge-signature',
]
const TOKEN_HEADERS = ['x-gitlab-token', 'authorization', 'x-forge-token']
const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'text/html; charset=utf-8',
  'application/octet-stream',
  'multipart/form-data; boundary=forge',
  'image/png',
]
const EVENT_HEADERS: Record<string, string[]> = {
  'x-github-event': ['push', 'ping', 'package', 'registry_package', 'create', 'release'],
  'x-gitea-event': ['push', 'create', 'package'],
  'x-forgejo-event': ['push', 'package'],
  'x-gogs-event': ['push'],
  'x-gitlab-event': ['Push Hook', 'Tag Push Hook', 'System Hook'],
  'x-event-key': ['repo:push', 'repo:refs_changed', 'pr:opened'],
}

/** How a vendor signs a request with `secret`, told by its headers as the git trigger tells it. */
function signGit(headers: Record<string, string>, body: Uint8Array, secret: string) {
  const out = { ...headers }
  const mac = hmacHex(secret, body)
  if (out['x-forgejo-event']) out['x-forgejo-signature'] = mac
  else if (out['x-gitea-event']) out['x-gitea-signature'] = mac
  else if (out['x-gogs-event']) out['x-gogs-signature'] = mac
  else if (out['x-github-event']) out['x-hub-signature-256'] = `sha256=${mac}`
  else if (out['x-gitlab-event']) out['x-gitlab-token'] = secret
  else if (out['x-event-key']) out['x-hub-signature'] = `sha256=${mac}`
  else out['x-forge-signature'] = `sha256=${mac}`
  return out
}

/** Signs as the target's kind expects: what a correctly configured sender does. */
function sign(kind: Kind, headers: Record<string, string>, body: Uint8Array, secret: string) {
  switch (kind) {
    case 'git':
      return signGit(headers, body, secret)
    case 'registry':
    case 'manual':
      return { ...headers, authorization: `Bearer ${secret}` }
    case 'test-hook':
      return { ...headers, 'x-test-signature': `sha256=${hmacHex(secret, body)}` }
  }
}

/**
 * Spoils every credential of a request whose body changed: HMAC headers keep their value (made
 * over other bytes, so now wrong), tokens become wrong tokens. With `always`, HMACs are replaced
 * too (the body did not change).
 */
function spoil(headers: Record<string, string>, rand: Rand, always: boolean) {
  const out = { ...headers }
  for (const name of TOKEN_HEADERS)
    if (out[name] !== undefined)
      out[name] =
        name === 'authorization' ? `Bearer wrong-${rand.ascii(12)}` : `wrong-${rand.int(1e9)}`
  if (always)
    for (const name of HMAC_HEADERS)
      if (out[name] !== undefined) out[name] = `sha256=${hex(`wrong-${rand.next()}`, 64)}`
  return out
}

export interface Plan {
  seed: number
  /** The next request to send; `completed`: recent real pushes already answered 202. */
  next(completed: readonly FuzzRequest[]): FuzzRequest
}

/**
 * The request mix: 15% real pushes (each a deploy: enough deploys for the memory bound to see what
 * a deploy leaves behind), 1% replays of them, the rest garbage of every category, for every kind.
 */
export function planRequests(targets: Record<Kind, Target>, seed: number): Plan {
  const rand = prng(seed)
  const seeds = loadSeeds()
  const randomJson = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed, numRuns: 400 })
  const headerNames = new Set<string>(Object.keys(EVENT_HEADERS))
  const headerValues = new Set<string>(Object.values(EVENT_HEADERS).flat())
  for (const s of seeds)
    for (const [name, value] of Object.entries(s.headers)) {
      headerNames.add(name)
      headerValues.add(value)
    }
  const names = [...headerNames, ...[...headerNames].map((n) => n.toUpperCase())]
  const values = [...headerValues]
  const kinds = Object.keys(targets) as Kind[]
  const templatesOf = (kind: Kind) =>
    (Object.keys(TEMPLATE_KIND) as Template[]).filter((t) => TEMPLATE_KIND[t] === kind)
  let pushes = 0

  // Real pushes: a corpus payload pointed at the fuzz repository or image, with a fresh commit
  // (or tag, digest) and delivery id, signed as the vendor signs it.
  function realPush(template: Template): FuzzRequest {
    const n = ++pushes
    const id = `${hex(`delivery-${seed}-${n}`, 8)}-${hex(`d${n}`, 4)}-4${hex(`e${n}`, 3)}-8${hex(`f${n}`, 3)}-${hex(`g${n}`, 12)}`
    const commit = hex(`commit-${seed}-${n}`, 40)
    const target = targets[TEMPLATE_KIND[template]]
    let headers: Record<string, string>
    let body: Uint8Array
    switch (template) {
      case 'github':
      case 'gitlab':
      case 'gitea': {
        const git = GIT_TEMPLATES[template]
        const payload = PLAYGROUND(git.file)
        setAt(payload, git.repository, FUZZ_REPOS[template])
        for (const path of git.commit) setAt(payload, path, commit)
        body = json(payload)
        headers = {
          'content-type': 'application/json',
          [git.event[0]]: git.event[1],
          [git.delivery]: id,
        }
        break
      }
      case 'registry': {
        const payload = VENDOR('distribution/keel-erxes-manifest-push.json')
        const event = payload.events[0]
        event.id = id
        event.target.repository = 'forge-fuzz/web'
        event.target.tag = `t${n}`
        event.target.digest = `sha256:${hex(`digest-${seed}-${n}`, 64)}`
        event.request.host = 'registry.fuzz.test'
        body = json(payload)
        headers = { 'content-type': 'application/vnd.docker.distribution.events.v1+json' }
        break
      }
      case 'manual':
        body = json({ tag: `m${n}`, actor: 'fuzz' })
        headers = { 'content-type': 'application/json' }
        break
      case 'test-hook':
        body = json({ deliveryId: id, events: [{ tag: `v${n}` }] })
        headers = { 'content-type': 'application/json' }
        break
    }
    return {
      category: `real push (${template})`,
      target: target.kind,
      method: 'POST',
      path: target.path,
      headers: sign(target.kind, headers, body, target.signingSecret),
      body,
      expect: { kind: 'deploy', workload: TEMPLATE_WORKLOADS[template] },
    }
  }

  /** A seed for garbage: any corpus payload, or a real push of the target's kind. */
  function baseFor(kind: Kind): { headers: Record<string, string>; body: Uint8Array } {
    if (rand.chance(0.3)) {
      const push = realPush(rand.pick(templatesOf(kind)))
      pushes-- // never sent as it is: its commit number is free again
      return push
    }
    const s = rand.pick(seeds)
    return { headers: sign(kind, s.headers, s.body, targets[kind].signingSecret), body: s.body }
  }

  const garbage = (
    kind: Kind,
    category: string,
    headers: Record<string, string>,
    body: Uint8Array,
    expect: Expectation = { kind: 'no-deploy' },
  ): FuzzRequest => ({
    category,
    target: kind,
    method: 'POST',
    path: targets[kind].path,
    headers,
    body,
    expect,
  })

  const differs = (a: Uint8Array, b: Uint8Array) =>
    a.length !== b.length || a.some((byte, i) => byte !== b[i])

  function flipped(kind: Kind): FuzzRequest {
    const base = baseFor(kind)
    let body = new Uint8Array(base.body)
    const flips = 1 + rand.int(8)
    for (let i = 0; i < flips && body.length; i++) body[rand.int(body.length)]! ^= 1 + rand.int(255)
    if (rand.chance(0.3)) body = body.slice(0, rand.int(body.length + 1))
    if (!differs(body, base.body)) body = body.slice(0, Math.max(0, body.length - 1))
    return garbage(kind, 'mutated bytes', spoil(base.headers, rand, false), body)
  }

  function truncated(kind: Kind): FuzzRequest {
    const base = baseFor(kind)
    const body = base.body.slice(0, rand.int(Math.max(1, base.body.length)))
    return garbage(kind, 'truncated body', spoil(base.headers, rand, false), body)
  }

  function editedJson(kind: Kind): FuzzRequest {
    const base = baseFor(kind)
    let value: unknown
    try {
      value = JSON.parse(new TextDecoder().decode(base.body))
    } catch {
      return flipped(kind)
    }
    const slots: [Record<string, unknown> | unknown[], string | number][] = []
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach((item, i) => {
          slots.push([v, i])
          walk(item)
        })
      } else if (v && typeof v === 'object') {
        for (const [k, item] of Object.entries(v)) {
          slots.push([v as Record<string, unknown>, k])
          walk(item)
        }
      }
    }
    walk(value)
    for (let i = 0, edits = 1 + rand.int(4); i < edits && slots.length; i++) {
      const [container, key] = rand.pick(slots)
      const replacement = rand.chance(0.3) ? undefined : rand.pick(randomJson)
      if (replacement === undefined) {
        if (Array.isArray(container)) container.splice(key as number, 1)
        else delete container[key as string]
      } else (container as Record<string | number, unknown>)[key] = structuredClone(replacement)
    }
    const body = json(value)
    if (!differs(body, base.body)) return flipped(kind)
    return garbage(kind, 'edited JSON', spoil(base.headers, rand, false), body)
  }

  function randomHeaders(): Record<string, string> {
    const headers: Record<string, string> = {}
    for (let i = 0, n = rand.int(7); i < n; i++) {
      const name = rand.chance(0.8)
        ? rand.pick(names)
        : `x-${rand.ascii(1 + rand.int(12), 'abcdefghijklmnopqrstuvwxyz0123456789-')}`
      headers[name.toLowerCase()] = rand.chance(0.8) ? rand.pick(values) : rand.ascii(rand.int(80))
    }
    if (rand.chance(0.5))
      headers['content-type'] = rand.pick(['application/json', ...WRONG_CONTENT_TYPES])
    return spoil(headers, rand, true)
  }

  function randomBody(kind: Kind): FuzzRequest {
    return garbage(kind, 'random bytes', randomHeaders(), rand.bytes(rand.int(4096)))
  }

  function randomJsonBody(kind: Kind): FuzzRequest {
    const s = rand.pick(seeds)
    const headers = spoil(sign(kind, s.headers, s.body, targets[kind].signingSecret), rand, true)
    return garbage(kind, 'random JSON', headers, json(rand.pick(randomJson)))
  }

  // Wrong content types: on a real push with a valid credential the JSON triggers answer 415
  // (the test-hook trigger reads any content type, so its credential is spoiled instead).
  function wrongContentType(kind: Kind): FuzzRequest {
    const real = kind !== 'test-hook'
    const base = real ? realPush(rand.pick(templatesOf(kind))) : baseFor(kind)
    if (real) pushes--
    const headers = { ...(real ? base.headers : spoil(base.headers, rand, true)) }
    headers['content-type'] = rand.pick(WRONG_CONTENT_TYPES)
    return garbage(
      kind,
      'wrong content type',
      headers,
      base.body,
      real ? { kind: 'no-deploy', status: 415 } : { kind: 'no-deploy' },
    )
  }

  function hugeHeaders(kind: Kind): FuzzRequest {
    const base = baseFor(kind)
    const headers = spoil(base.headers, rand, true)
    if (rand.chance(0.05)) {
      // Over Node's 16 KiB header limit: a 431 answer, not a dropped connection.
      headers['x-fuzz-pad'] = rand.ascii(20_000, 'abcdefghij')
      return garbage(kind, 'headers over 16 KiB', headers, base.body, {
        kind: 'no-deploy',
        status: 431,
      })
    }
    if (rand.chance(0.5)) headers['x-fuzz-pad'] = rand.ascii(2_000 + rand.int(10_000), 'abcdefghij')
    else for (let i = 0; i < 200; i++) headers[`x-fuzz-${i}`] = rand.ascii(30)
    return garbage(kind, 'huge headers', headers, base.body)
  }

  // A signature by another secret, or every credential header replaced by a malformed value.
  function badSignature(kind: Kind): FuzzRequest {
    const base = baseFor(kind)
    if (rand.chance(0.5)) {
      const headers = sign(kind, base.headers, base.body, `not-the-secret-${rand.int(1e6)}`)
      return garbage(kind, 'bad signature', headers, base.body)
    }
    const malformed = () =>
      rand.pick([
        '',
        ' ',
        'sha256=',
        `sha256=${'z'.repeat(64)}`,
        `sha256=${hex(`short${rand.next()}`, 63)}`,
        `sha1=${hex(`sha1${rand.next()}`, 40)}`,
        `SHA256=${hex(`upper${rand.next()}`, 64).toUpperCase()}`,
        'Bearer',
        'Bearer ',
        `Bearer ${'x'.repeat(4000)}`,
        rand.ascii(rand.int(200)),
      ])
    const headers = { ...base.headers }
    for (const name of [...HMAC_HEADERS, ...TOKEN_HEADERS])
      if (headers[name] !== undefined) headers[name] = malformed()
    return garbage(kind, 'malformed signature', headers, base.body)
  }

  // Real deliveries of other repositories and images, validly signed: accepted, never deployed.
  function signedCorpus(kind: 'git' | 'registry'): FuzzRequest {
    const pool = seeds.filter((s) => s.kind === kind)
    const s = rand.pick(pool)
    return garbage(
      kind,
      'signed corpus payload',
      sign(kind, s.headers, s.body, targets[kind].signingSecret),
      s.body,
    )
  }

  function oversize(kind: Kind): FuzzRequest {
    const request = garbage(
      kind,
      'body over 1 MiB',
      randomHeaders(),
      rand.bytes(1024 * 1024 + 1 + rand.int(65_536)),
      {
        kind: 'no-deploy',
        status: 413,
      },
    )
    request.chunked = rand.chance(0.5)
    return request
  }

  function unknownSecret(): FuzzRequest {
    const secret = rand.pick([
      rand.ascii(
        1 + rand.int(64),
        'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_',
      ),
      '%',
      '%zz',
      '%E0%A4%A',
      '%00',
      `..%2F..%2F${rand.ascii(8, 'abc')}`,
      'x'.repeat(4000 + rand.int(4000)),
    ])
    const s = rand.pick(seeds)
    return {
      category: 'unknown secret',
      target: 'unknown',
      method: 'POST',
      path: `/api/webhook/triggers/${secret}`,
      headers: { ...s.headers },
      body: s.body,
      expect: { kind: 'no-deploy', status: 404 },
    }
  }

  function wrongMethod(kind: Kind): FuzzRequest {
    return {
      category: 'wrong method',
      target: kind,
      method: rand.pick(['GET', 'PUT', 'PATCH', 'DELETE']),
      path: targets[kind].path,
      headers: {},
      body: new Uint8Array(),
      expect: { kind: 'no-deploy', status: 405 },
    }
  }

  const categories: [number, (kind: Kind) => FuzzRequest][] = [
    [14, flipped],
    [8, truncated],
    [14, editedJson],
    [10, randomBody],
    [8, randomJsonBody],
    [8, wrongContentType],
    [6, hugeHeaders],
    [12, badSignature],
    [6, (kind) => signedCorpus(kind === 'registry' ? 'registry' : 'git')],
    [0.3, oversize],
    [4, () => unknownSecret()],
    [2, wrongMethod],
    [2, (kind) => garbage(kind, 'empty body', randomHeaders(), new Uint8Array())],
  ]
  const total = categories.reduce((n, [w]) => n + w, 0)

  return {
    seed,
    next(completed) {
      const roll = rand.next()
      if (roll < 0.15) return realPush(rand.pick(Object.keys(TEMPLATE_KIND) as Template[]))
      // Replays of recent real pushes (dedupe by delivery id; the manual trigger has none).
      if (roll < 0.16) {
        const recent = completed.filter((r) => r.target !== 'manual')
        if (recent.length) {
          const original = rand.pick(recent)
          return { ...original, category: 'replayed real push', expect: { kind: 'duplicate' } }
        }
      }
      let pick = rand.next() * total
      const kind = rand.pick(kinds)
      for (const [weight, make] of categories) {
        pick -= weight
        if (pick <= 0) return make(kind)
      }
      return flipped(kind)
    },
  }
}
