import { forgeError, type WorkloadRef } from '@forge/core'
import { describeDockerHost, LABELS, type RegistryAuth } from '@forge/docker'
import type Docker from 'dockerode'
import { SwarmErrors } from './errors.js'
import { type NodeView, nodeView } from './placement.js'
import { type TaskView, taskView } from './status.js'

/** The swarm as the manager Forge talks to sees it. */
export interface Cluster {
  nodes: NodeView[]
  /** The node of the engine Forge talks to: where its volumes live. */
  local: NodeView
  nodeName(id: string): string
}

export async function inspectCluster(docker: Docker): Promise<Cluster> {
  let nodes: NodeView[]
  let localId: string
  try {
    const info = (await docker.info()) as {
      Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean }
    }
    if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
      const state = info.Swarm?.LocalNodeState || 'inactive'
      throw new Error(state === 'active' ? 'it is a worker node' : `its swarm state is "${state}"`)
    }
    localId = info.Swarm.NodeID ?? ''
    nodes = ((await docker.listNodes()) as unknown[]).map(nodeView)
  } catch (error) {
    throw forgeError(
      SwarmErrors.NotAManager,
      { host: describeDockerHost(docker), cause: reason(error) },
      { cause: error },
    )
  }
  const local = nodes.find((n) => n.id === localId) ?? nodes[0]!
  const names = new Map(nodes.map((n) => [n.id, n.hostname]))
  return { nodes, local, nodeName: (id) => names.get(id) ?? id }
}

/** Creates the attachable overlay the tasks and the proxy share, or checks the existing one. */
export async function ensureNetwork(docker: Docker, name: string): Promise<boolean> {
  try {
    const info = (await docker.getNetwork(name).inspect()) as {
      Driver?: string
      Attachable?: boolean
    }
    if (info.Driver !== 'overlay' || !info.Attachable) {
      throw forgeError(SwarmErrors.NetworkUnsuitable, {
        network: name,
        driver: info.Driver ?? 'unknown',
        attachable: Boolean(info.Attachable),
      })
    }
    return false
  } catch (error) {
    if (status(error) !== 404) throw error
  }
  try {
    await docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true })
  } catch (error) {
    // Another deploy created it meanwhile.
    if (status(error) !== 409) throw error
  }
  return true
}

export interface ServiceInfo {
  id: string
  version: number
  spec: Docker.ServiceSpec
  previousSpec: Docker.ServiceSpec | undefined
  updateStatus: Docker.Service['UpdateStatus']
  labels: Record<string, string>
}

export async function findService(docker: Docker, name: string): Promise<ServiceInfo | null> {
  try {
    const service = (await docker.getService(name).inspect()) as Docker.Service
    return {
      id: service.ID,
      version: service.Version?.Index ?? 0,
      spec: service.Spec ?? {},
      previousSpec: service.PreviousSpec,
      updateStatus: service.UpdateStatus,
      labels: service.Spec?.Labels ?? {},
    }
  } catch (error) {
    if (status(error) === 404) return null
    throw error
  }
}

interface WithAuth {
  createService(auth: RegistryAuth | undefined, spec: Docker.ServiceSpec): Promise<unknown>
  update(
    auth: RegistryAuth | undefined,
    options: { _query: { version: number }; _body: Docker.ServiceSpec },
  ): Promise<unknown>
}

/**
 * Creates the service or updates it to `spec`. The registry credentials go with every create
 * and update (`X-Registry-Auth`), so every node, not only the manager, can pull. An update
 * carries the version it read; a stale one ("update out of sequence") is read again and retried.
 */
export async function applySpec(
  docker: Docker,
  spec: Docker.ServiceSpec,
  auth: RegistryAuth | undefined,
): Promise<void> {
  const name = spec.Name ?? ''
  for (let attempt = 1; ; attempt++) {
    const current = await findService(docker, name)
    try {
      // dockerode takes the credentials as a first argument it sends as X-Registry-Auth, and an
      // update's version and spec as `_query` and `_body` (its typings know neither).
      if (!current) {
        await (docker as unknown as WithAuth).createService(auth, spec)
      } else {
        const service = docker.getService(current.id) as unknown as WithAuth
        await service.update(auth, { _query: { version: current.version }, _body: spec })
      }
      return
    } catch (error) {
      if (attempt >= 5 || !/update out of sequence/i.test(reason(error))) throw error
    }
  }
}

/** Scales a service, keeping its task template (so no task is replaced). */
export async function scaleService(
  docker: Docker,
  name: string,
  replicas: number,
  auth: RegistryAuth | undefined,
): Promise<void> {
  const current = await findService(docker, name)
  if (!current) return
  if (current.spec.Mode?.Replicated?.Replicas === replicas) return
  await applySpec(docker, { ...current.spec, Mode: { Replicated: { Replicas: replicas } } }, auth)
}

export async function serviceTasks(docker: Docker, name: string): Promise<TaskView[]> {
  const tasks = (await docker.listTasks({ filters: { service: [name] } })) as unknown[]
  return tasks.map(taskView)
}

/** The workload's services (both colours), by Forge's labels on them. */
export async function workloadServices(
  docker: Docker,
  workload: Pick<WorkloadRef, 'id'>,
): Promise<{ id: string; name: string }[]> {
  const services = (await docker.listServices({
    filters: { label: [`${LABELS.managed}=true`, `${LABELS.workloadId}=${workload.id}`] },
  })) as Docker.Service[]
  return services.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? s.ID }))
}

export function status(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode
}

export function reason(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string }
  return e.json?.message ?? e.message ?? String(error)
}
