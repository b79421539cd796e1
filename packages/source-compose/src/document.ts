import { createHash } from 'node:crypto'
import type { WorkloadRef } from '@forge/core'
import { forgeError } from '@forge/core'
import { forgeLabels } from '@forge/docker'
import { isMap, LineCounter, parseDocument, stringify } from 'yaml'
import { ComposeErrors } from './errors.js'

export interface ServicePlan {
  name: string
  image: string | null
  /** The service declares a healthcheck (not disabled): wait for `healthy`, not only `running`. */
  healthcheck: boolean
}

export interface LabelledDocument {
  /** The rewritten document, ready for `docker compose -f`. */
  text: string
  /** sha256 of `text`: the document is written only when it changes. */
  hash: string
  services: ServicePlan[]
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Parses the YAML, reporting the first syntax error with its line and column. */
export function parseCompose(text: string): Json {
  // `merge: true` resolves `<<: *defaults`, which compose files use for shared service settings.
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { merge: true, prettyErrors: false, lineCounter })
  const error = doc.errors[0]
  if (error) {
    const pos = lineCounter.linePos(error.pos[0])
    const problem = error.message.split('\n')[0] ?? error.code
    throw forgeError(ComposeErrors.InvalidYaml, { line: pos.line, column: pos.col, problem })
  }
  if (!isMap(doc.contents)) {
    throw forgeError(ComposeErrors.InvalidDocument, {
      path: '(root)',
      problem: 'expected a map with a `services` key',
    })
  }
  return doc.toJS({ maxAliasCount: 1000 }) as Json
}

/**
 * Gives every service the fixed Forge labels, in the label form the service already uses (map or
 * `KEY=value` list), so the reconciler sees every container the stack starts.
 */
export function labelCompose(
  text: string,
  workload: Pick<WorkloadRef, 'id' | 'source'>,
): LabelledDocument {
  const doc = parseCompose(text)
  const services = doc.services
  if (!isObject(services) || Object.keys(services).length === 0) {
    throw forgeError(ComposeErrors.InvalidDocument, {
      path: 'services',
      problem: 'expected a map of at least one service',
    })
  }
  const plans: ServicePlan[] = []
  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) {
      throw forgeError(ComposeErrors.InvalidDocument, {
        path: `services.${name}`,
        problem: 'expected a map',
      })
    }
    if (service.image === undefined && service.build === undefined) {
      throw forgeError(ComposeErrors.InvalidDocument, {
        path: `services.${name}`,
        problem: 'a service needs an `image` or a `build`',
      })
    }
    service.labels = withLabels(
      service.labels,
      forgeLabels(workload, name),
      `services.${name}.labels`,
    )
    plans.push({
      name,
      image: typeof service.image === 'string' ? service.image : null,
      healthcheck: hasHealthcheck(service.healthcheck),
    })
  }
  const out = stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })
  return { text: out, hash: createHash('sha256').update(out).digest('hex'), services: plans }
}

function withLabels(labels: unknown, forge: Record<string, string>, path: string): unknown {
  if (labels === undefined || labels === null) return { ...forge }
  if (Array.isArray(labels)) {
    // List form: drop any entry that sets a Forge label, then append ours.
    const kept = labels.filter((item) => {
      const key = String(item).split('=')[0] ?? ''
      return !(key in forge)
    })
    return [...kept, ...Object.entries(forge).map(([k, v]) => `${k}=${v}`)]
  }
  if (isObject(labels)) return { ...labels, ...forge }
  throw forgeError(ComposeErrors.InvalidDocument, {
    path,
    problem: 'expected a map or a list of KEY=value strings',
  })
}

function hasHealthcheck(healthcheck: unknown): boolean {
  if (!isObject(healthcheck)) return false
  if (healthcheck.disable === true) return false
  const test = healthcheck.test
  return !(Array.isArray(test) && test[0] === 'NONE')
}
