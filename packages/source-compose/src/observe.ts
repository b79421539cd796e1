import type { ContainerState, WorkloadRef } from '@forge/core'
import { LABELS, normalizeState, workloadFilter } from '@forge/docker'
import type Docker from 'dockerode'

/** One service as Docker shows it now. */
export interface ServiceStatus {
  service: string
  /** `ok`: running (and healthy where it has a healthcheck); `failed`: exited, crashed, unhealthy. */
  verdict: 'ok' | 'pending' | 'failed'
  detail: string
  containerId: string | null
  name: string | null
  image: string | null
  state: ContainerState | 'missing'
  port: number | null
  /** Every TCP port its first container publishes, by address. */
  published: PublishedPort[]
  /**
   * The TCP ports each of its running containers publishes, in compose's container-number
   * order: one list a replica, the first container's first.
   */
  replicaPorts: PublishedPort[][]
  replicas: number
  /** Of its containers, how many run. */
  running: number
}

export interface PublishedPort {
  /** The address Docker bound (`127.0.0.1`, `0.0.0.0`, `::`). */
  ip: string
  privatePort: number
  publicPort: number
}

type Listed = Docker.ContainerInfo

/** Lists the workload's containers and judges each expected service. */
export async function observeServices(
  docker: Docker,
  workload: Pick<WorkloadRef, 'id'>,
  services: readonly string[],
): Promise<ServiceStatus[]> {
  const listed = await docker.listContainers({ all: true, filters: workloadFilter(workload) })
  const byService = new Map<string, Listed[]>()
  for (const container of listed) {
    const role = container.Labels?.[LABELS.role]
    if (!role) continue
    byService.set(role, [...(byService.get(role) ?? []), container])
  }
  // The engine lists them in no fixed order; compose numbers a service's containers 1, 2, ...
  for (const list of byService.values())
    list.sort((a, b) => containerNumber(a) - containerNumber(b))
  return Promise.all(
    services.map((service) => judge(docker, service, byService.get(service) ?? [])),
  )
}

async function judge(
  docker: Docker,
  service: string,
  containers: Listed[],
): Promise<ServiceStatus> {
  const first = containers[0]
  if (!first) {
    return {
      service,
      verdict: 'pending',
      detail: 'no container',
      containerId: null,
      name: null,
      image: null,
      state: 'missing',
      port: null,
      published: [],
      replicaPorts: [],
      replicas: 0,
      running: 0,
    }
  }
  const running = containers.filter((c) => normalizeState(c.State) === 'running')
  const base = {
    service,
    containerId: first.Id,
    name: first.Names?.[0]?.replace(/^\//, '') ?? null,
    image: first.Image ?? null,
    state: normalizeState(first.State),
    port: publishedPort(first),
    published: publishedPorts(first),
    replicaPorts: running.map(publishedPorts).filter((ports) => ports.length > 0),
    replicas: containers.length,
    running: running.length,
  }
  for (const container of containers) {
    const state = normalizeState(container.State)
    if (state === 'exited' || state === 'dead') {
      return { ...base, state, verdict: 'failed', detail: container.Status || state }
    }
    if (state !== 'running' && state !== 'restarting') {
      return { ...base, state, verdict: 'pending', detail: container.Status || state }
    }
    // A restart policy hides a crash loop behind `running`: any restart since creation is a crash.
    const info = await docker.getContainer(container.Id).inspect()
    if (info.RestartCount > 0 || state === 'restarting') {
      return {
        ...base,
        state,
        verdict: 'failed',
        detail: `restarted ${info.RestartCount} time(s), last exit code ${info.State.ExitCode}`,
      }
    }
    const health = info.State.Health?.Status
    if (health === 'unhealthy') {
      const last = info.State.Health?.Log?.at(-1)?.Output?.trim()
      return { ...base, verdict: 'failed', detail: `unhealthy${last ? `: ${last}` : ''}` }
    }
    if (health && health !== 'healthy') {
      return { ...base, verdict: 'pending', detail: `health: ${health}` }
    }
  }
  return { ...base, verdict: 'ok', detail: first.Status || 'running' }
}

const containerNumber = (c: Listed) =>
  Number(c.Labels?.['com.docker.compose.container-number'] ?? Number.MAX_SAFE_INTEGER)

function publishedPort(container: Listed): number | null {
  const port = container.Ports?.find((p) => p.PublicPort)
  return port?.PublicPort ?? null
}

function publishedPorts(container: Listed): PublishedPort[] {
  const seen = new Set<string>()
  const ports: PublishedPort[] = []
  for (const p of container.Ports ?? []) {
    if (!p.PublicPort || p.Type !== 'tcp') continue
    const ip = p.IP ?? '0.0.0.0'
    const key = `${ip}|${p.PrivatePort}|${p.PublicPort}`
    if (seen.has(key)) continue
    seen.add(key)
    ports.push({ ip, privatePort: p.PrivatePort, publicPort: p.PublicPort })
  }
  return ports
}
