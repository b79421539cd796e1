import { createHash } from 'node:crypto'
import type { SourceCheckIssue, WorkloadRef } from '@forge/core'
import { forgeError } from '@forge/core'
import { unknownFieldMessage } from '@forge/core/host'
import { forgeLabels } from '@forge/docker'
import { isMap, isScalar, LineCounter, parseDocument, stringify } from 'yaml'
import { ComposeErrors } from './errors.js'
import { bindPort, publishesPort } from './ports.js'

export interface ServicePlan {
  name: string
  image: string | null
  /** The service declares a healthcheck (not disabled): wait for `healthy`, not only `running`. */
  healthcheck: boolean
  /** The containers it runs (`scale`, else `deploy.replicas`, else 1); null when not a number. */
  replicas: number | null
}

export interface LabelledDocument {
  /** The rewritten document, ready for `docker compose -f`. */
  text: string
  /** sha256 of `text`: the document is written only when it changes. */
  hash: string
  services: ServicePlan[]
  /** Container ports Forge published on loopback for the proxy to reach a face's service. */
  facePorts: { service: string; port: number }[]
}

/** A face reaches one container port of one service. */
export interface ServicePort {
  service: string
  port: number
}

export interface LabelOptions {
  /** Where ports the document publishes without an address are bound; default 127.0.0.1. */
  publishHost?: string
  /** Service ports the proxy must reach: published on 127.0.0.1 when the document does not. */
  faces?: readonly ServicePort[]
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The top-level keys of the compose specification; `x-*` extensions are allowed too. */
export const TOP_LEVEL_KEYS = [
  'services',
  'volumes',
  'networks',
  'configs',
  'secrets',
  'name',
  'version',
] as const
const TOP_LEVEL_SCHEMA = { properties: Object.fromEntries(TOP_LEVEL_KEYS.map((k) => [k, {}])) }

type Read =
  | { ok: true; json: Json; keys: { key: string; line: number; column: number }[] }
  | { ok: false; path: string; line?: number; column?: number; problem: string }

// `merge: true` resolves `<<: *defaults`, which compose files use for shared service settings.
function readYaml(text: string): Read {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { merge: true, prettyErrors: false, lineCounter })
  const error = doc.errors[0]
  if (error) {
    const pos = lineCounter.linePos(error.pos[0])
    const problem = error.message.split('\n')[0] ?? error.code
    return { ok: false, path: '', line: pos.line, column: pos.col, problem }
  }
  if (!isMap(doc.contents))
    return { ok: false, path: '(root)', problem: 'expected a map with a `services` key' }
  const keys = doc.contents.items.flatMap((pair) => {
    if (!isScalar(pair.key)) return []
    const pos = lineCounter.linePos(pair.key.range?.[0] ?? 0)
    return [{ key: String(pair.key.value), line: pos.line, column: pos.col }]
  })
  return { ok: true, json: doc.toJS({ maxAliasCount: 1000 }) as Json, keys }
}

/** Parses the YAML, reporting the first syntax error with its line and column. */
export function parseCompose(text: string): Json {
  const read = readYaml(text)
  if (read.ok) return read.json
  if (read.line !== undefined) {
    throw forgeError(ComposeErrors.InvalidYaml, {
      line: read.line,
      column: read.column ?? 0,
      problem: read.problem,
    })
  }
  throw forgeError(ComposeErrors.InvalidDocument, { path: read.path, problem: read.problem })
}

/** What is wrong with the services of a parsed document, each at its dotted path. */
function serviceProblems(doc: Json): { path: string; problem: string }[] {
  const services = doc.services
  if (!isObject(services) || Object.keys(services).length === 0)
    return [{ path: 'services', problem: 'expected a map of at least one service' }]
  const problems: { path: string; problem: string }[] = []
  for (const [name, service] of Object.entries(services)) {
    const at = `services.${name}`
    if (!isObject(service)) problems.push({ path: at, problem: 'expected a map' })
    else if (service.image === undefined && service.build === undefined)
      problems.push({ path: at, problem: 'a service needs an `image` or a `build`' })
    else if (service.labels != null && !Array.isArray(service.labels) && !isObject(service.labels))
      problems.push({
        path: `${at}.labels`,
        problem: 'expected a map or a list of KEY=value strings',
      })
    else if (service.ports != null && !Array.isArray(service.ports))
      problems.push({ path: `${at}.ports`, problem: 'expected a list' })
  }
  return problems
}

/**
 * Everything wrong with a compose document that Forge can tell without running compose, as issues
 * inside the source config (`compose`, `compose.<key>`, `compose.services.web`): the YAML parses
 * (else the line and column), it names only top-level keys of the compose specification, every
 * service has an image or a build, and every face names a service of the document.
 */
export function checkCompose(text: string, faces: readonly ServicePort[] = []): SourceCheckIssue[] {
  const read = readYaml(text)
  if (!read.ok) {
    const where = read.line === undefined ? '' : ` at line ${read.line}, column ${read.column}`
    return [{ path: 'compose', message: `not valid YAML${where}: ${read.problem}` }]
  }
  const issues: SourceCheckIssue[] = []
  for (const { key, line, column } of read.keys) {
    if ((TOP_LEVEL_KEYS as readonly string[]).includes(key) || key.startsWith('x-')) continue
    const meant = /did you mean (.+)\?$/.exec(unknownFieldMessage(TOP_LEVEL_SCHEMA, [], key))?.[1]
    issues.push({
      path: `compose.${key}`,
      message: `unknown top-level key (line ${line}, column ${column}); ${
        meant
          ? `did you mean ${meant}?`
          : `compose knows ${TOP_LEVEL_KEYS.join(', ')} and x-* extensions`
      }`,
    })
  }
  for (const { path, problem } of serviceProblems(read.json))
    issues.push({ path: `compose.${path}`, message: problem })
  const services = isObject(read.json.services) ? Object.keys(read.json.services) : []
  faces.forEach((face, i) => {
    if (services.length > 0 && !services.includes(face.service))
      issues.push({
        path: `faces.${i}.service`,
        message: `no service ${face.service} in the compose document (it has ${services.join(', ')})`,
      })
  })
  return issues
}

/**
 * Gives every service the fixed Forge labels, in the label form the service already uses (map or
 * `KEY=value` list), so the reconciler sees every container the stack starts; binds published
 * ports without an address to `publishHost`; publishes on loopback the ports faces reach.
 */
export function labelCompose(
  text: string,
  workload: Pick<WorkloadRef, 'id' | 'source'>,
  options: LabelOptions = {},
): LabelledDocument {
  const doc = parseCompose(text)
  const [problem] = serviceProblems(doc)
  if (problem) throw forgeError(ComposeErrors.InvalidDocument, problem)
  const address = options.publishHost?.trim() || '127.0.0.1'
  const plans: ServicePlan[] = []
  const facePorts: ServicePort[] = []
  for (const [name, service] of Object.entries(doc.services as Record<string, Json>)) {
    service.labels = withLabels(service.labels, forgeLabels(workload, name))
    const ports = ((service.ports as unknown[] | undefined) ?? []).map((p) => bindPort(p, address))
    for (const face of options.faces ?? []) {
      if (
        face.service !== name ||
        facePorts.some((f) => f.service === name && f.port === face.port)
      )
        continue
      if (ports.some((p) => publishesPort(p, face.port))) continue
      ports.push(`127.0.0.1::${face.port}`)
      facePorts.push({ service: name, port: face.port })
    }
    if (ports.length > 0) service.ports = ports
    plans.push({
      name,
      image: typeof service.image === 'string' ? service.image : null,
      healthcheck: hasHealthcheck(service.healthcheck),
      replicas: replicasOf(service),
    })
  }
  const out = stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })
  return {
    text: out,
    hash: createHash('sha256').update(out).digest('hex'),
    services: plans,
    facePorts,
  }
}

/** How many containers compose runs for a service; null for what is only known once interpolated. */
function replicasOf(service: Json): number | null {
  const deploy = isObject(service.deploy) ? service.deploy : {}
  const n = service.scale ?? deploy.replicas ?? 1
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null
}

function withLabels(labels: unknown, forge: Record<string, string>): unknown {
  if (labels === undefined || labels === null) return { ...forge }
  if (Array.isArray(labels)) {
    // List form: drop any entry that sets a Forge label, then append ours.
    const kept = labels.filter((item) => {
      const key = String(item).split('=')[0] ?? ''
      return !(key in forge)
    })
    return [...kept, ...Object.entries(forge).map(([k, v]) => `${k}=${v}`)]
  }
  return { ...(labels as Json), ...forge }
}

function hasHealthcheck(healthcheck: unknown): boolean {
  if (!isObject(healthcheck)) return false
  if (healthcheck.disable === true) return false
  const test = healthcheck.test
  return !(Array.isArray(test) && test[0] === 'NONE')
}
