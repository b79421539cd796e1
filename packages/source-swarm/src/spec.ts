import type { WorkloadRef } from '@forge/core'
import { forgeLabels, memoryBytes, resourceName } from '@forge/docker'
import type Docker from 'dockerode'
import type { Healthcheck, SwarmConfig } from './config.js'
import type { Colour, SwarmRelease } from './state.js'

/** Label carrying the release a service (and each of its tasks) runs. */
export const RELEASE_LABEL = 'forge.release'

const NS_PER_MS = 1_000_000

export function serviceName(workload: Pick<WorkloadRef, 'id'>, colour: Colour): string {
  return resourceName(workload, colour)
}

/** Where the proxy reaches a colour's healthy tasks: Swarm's DNS on the overlay. */
export function taskUpstream(service: string, port: number): string {
  return `tasks.${service}:${port}`
}

export interface ServiceSpecInput {
  workload: Pick<WorkloadRef, 'id' | 'source'>
  colour: Colour
  release: SwarmRelease
  replicas: number
  mounts: Docker.MountSettings[]
  /** A constraint added by Forge (volumes pin the workload to one node), or null. */
  pin: string | null
}

/**
 * The service of one colour. Forge's fixed labels go on the service only, never on its task
 * containers: the host's reconciler indexes labelled containers of its own engine, and these
 * tasks (on any node) are this source's rows. `dnsrr` and no published port: the proxy on the
 * overlay reaches healthy tasks by `tasks.<service>` (no routing mesh, no IPVS needed), and a
 * host-mode port would leave start-first tasks Pending forever on a one-node placement.
 */
export function serviceSpec(input: ServiceSpecInput): Docker.ServiceSpec {
  const { release, workload, colour } = input
  const config = release.config
  const healthCheck = healthcheckSpec(config.healthcheck, config.port)
  const memory = memoryBytes(config.memory)
  return {
    Name: serviceName(workload, colour),
    Labels: { ...forgeLabels(workload, colour), [RELEASE_LABEL]: release.id },
    TaskTemplate: {
      ContainerSpec: {
        Image: release.pinned,
        ...(config.command ? { Args: config.command } : {}),
        Env: Object.entries(release.env).map(([key, value]) => `${key}=${value}`),
        Labels: { [RELEASE_LABEL]: release.id },
        Init: config.init,
        StopGracePeriod: config.stopTimeout * 1000 * NS_PER_MS,
        Mounts: input.mounts,
        ...(healthCheck ? { HealthCheck: healthCheck } : {}),
      },
      Resources: {
        Limits: {
          ...(config.cpus ? { NanoCPUs: Math.round(config.cpus * 1e9) } : {}),
          ...(memory ? { MemoryBytes: memory } : {}),
        },
      },
      RestartPolicy: { Condition: 'any', Delay: 2000 * NS_PER_MS, MaxAttempts: 0 },
      Placement: placement(config, input.pin),
      Networks: [{ Target: config.network }],
    },
    Mode: { Replicated: { Replicas: input.replicas } },
    UpdateConfig: {
      Parallelism: config.update.parallelism,
      Delay: config.update.delay * NS_PER_MS,
      // Blue-green judges the new colour's tasks itself and never updates a serving service.
      FailureAction: config.strategy === 'rolling' ? 'rollback' : 'pause',
      Monitor: config.update.monitor * NS_PER_MS,
      MaxFailureRatio: config.update.maxFailureRatio,
      Order: 'start-first',
    },
    RollbackConfig: {
      Parallelism: config.rollback.parallelism,
      Delay: config.rollback.delay * NS_PER_MS,
      FailureAction: 'pause',
      Monitor: config.rollback.monitor * NS_PER_MS,
      MaxFailureRatio: config.rollback.maxFailureRatio,
      Order: 'start-first',
    },
    EndpointSpec: { Mode: 'dnsrr' },
  }
}

function placement(config: SwarmConfig, pin: string | null): Docker.Placement {
  return {
    Constraints: [...config.constraints.map((c) => c.replace(/\s+/g, '')), ...(pin ? [pin] : [])],
    Preferences: config.preferences.map((p) => ({ Spread: { SpreadDescriptor: p.spread } })),
    ...(config.maxReplicasPerNode ? { MaxReplicas: config.maxReplicasPerNode } : {}),
  }
}

/**
 * The Docker HEALTHCHECK each task runs. Swarm puts a task in DNS only once it is healthy and
 * takes it out before stopping it, which is what makes both strategies lose no request.
 */
export function healthcheckSpec(check: Healthcheck, port: number): Docker.HealthConfig | null {
  if (check.type === 'image') return null
  if (check.type === 'none') return { Test: ['NONE'] }
  const test =
    check.type === 'command'
      ? Array.isArray(check.command)
        ? ['CMD', ...check.command]
        : ['CMD-SHELL', check.command ?? '']
      : ['CMD-SHELL', httpProbe(port, check.path)]
  return {
    Test: test,
    Interval: check.interval * NS_PER_MS,
    Timeout: check.timeout * NS_PER_MS,
    StartPeriod: check.startPeriod * NS_PER_MS,
    Retries: check.retries,
  }
}

// Whatever the image carries: busybox and Alpine have wget, Debian-based images often curl.
function httpProbe(port: number, path: string): string {
  const url = shellQuote(`http://127.0.0.1:${port}${path}`)
  return `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url}`
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/** The same spec at another scale: the task template stays, so no task is replaced. */
export function scaled(spec: Docker.ServiceSpec, replicas: number): Docker.ServiceSpec {
  return { ...spec, Mode: { Replicated: { Replicas: replicas } } }
}
