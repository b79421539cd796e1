import { realpath } from 'node:fs/promises'
import { isAbsolute, sep } from 'node:path'
import type { WorkloadRef } from '@forge/core'
import { forgeError } from '@forge/core'
import type Docker from 'dockerode'
import { DockerErrors } from './errors.js'
import { forgeLabels, resourceName, workloadFilter } from './labels.js'

/**
 * Where a volume's data lives and how long it survives:
 * - `absolute`: a host folder, only under the allowed volume paths setting;
 * - `ephemeral`: a tmpfs, gone when the container stops;
 * - `instance`: a volume per container (blue and green each get their own), gone with it;
 * - `workload`: one volume shared by every container of the workload, gone at teardown;
 * - `named`: the user's own named volume, kept at teardown unless asked.
 */
export type VolumeSpec =
  | { scope: 'absolute'; source: string; target: string; readOnly?: boolean }
  | { scope: 'ephemeral'; target: string; sizeMb?: number }
  | { scope: 'instance'; name: string; target: string; readOnly?: boolean }
  | { scope: 'workload'; name: string; target: string; readOnly?: boolean }
  | { scope: 'named'; name: string; target: string; readOnly?: boolean }

export interface VolumeContext {
  workload: Pick<WorkloadRef, 'id' | 'source'>
  /** The role of the container the volumes are for (instance volumes are per role). */
  role: string
  allowedVolumePaths: readonly string[]
}

export interface VolumeToCreate {
  name: string
  labels: Record<string, string>
}

export interface ResolvedVolumes {
  mounts: Docker.MountSettings[]
  /** Volumes Forge owns, created with labels before the container so teardown can find them. */
  create: VolumeToCreate[]
}

/** Role label of workload-scoped volumes, which belong to no single container. */
export const WORKLOAD_VOLUME_ROLE = 'volume'

/** Turns volume specs into Docker mounts; throws for a host path outside the allowed paths. */
export async function resolveVolumes(
  specs: readonly VolumeSpec[],
  context: VolumeContext,
): Promise<ResolvedVolumes> {
  const mounts: Docker.MountSettings[] = []
  const create: VolumeToCreate[] = []
  for (const [index, spec] of specs.entries()) {
    const readOnly = 'readOnly' in spec ? (spec.readOnly ?? false) : false
    switch (spec.scope) {
      case 'absolute': {
        const source = await allowedHostPath(spec.source, context.allowedVolumePaths, index)
        mounts.push({ Type: 'bind', Source: source, Target: spec.target, ReadOnly: readOnly })
        break
      }
      case 'ephemeral':
        mounts.push({
          Type: 'tmpfs',
          Source: '',
          Target: spec.target,
          ...(spec.sizeMb
            ? { TmpfsOptions: { SizeBytes: spec.sizeMb * 1024 * 1024, Mode: 0o1777 } }
            : {}),
        })
        break
      case 'instance': {
        const name = resourceName(context.workload, `${context.role}-${spec.name}`)
        create.push({ name, labels: forgeLabels(context.workload, context.role) })
        mounts.push({ Type: 'volume', Source: name, Target: spec.target, ReadOnly: readOnly })
        break
      }
      case 'workload': {
        const name = resourceName(context.workload, spec.name)
        create.push({ name, labels: forgeLabels(context.workload, WORKLOAD_VOLUME_ROLE) })
        mounts.push({ Type: 'volume', Source: name, Target: spec.target, ReadOnly: readOnly })
        break
      }
      case 'named':
        mounts.push({ Type: 'volume', Source: spec.name, Target: spec.target, ReadOnly: readOnly })
        break
    }
  }
  return { mounts, create }
}

// Real paths on both sides: `..` segments and symlinks cannot lead out of an allowed folder.
async function allowedHostPath(
  source: string,
  allowed: readonly string[],
  index: number,
): Promise<string> {
  const path = `volumes.${index}.source`
  if (!isAbsolute(source)) {
    throw forgeError(
      DockerErrors.VolumeNotAllowed,
      { path: source, resolved: source, allowed },
      { path },
    )
  }
  let resolved: string
  try {
    resolved = await realpath(source)
  } catch (error) {
    throw forgeError(DockerErrors.VolumeSourceMissing, { path: source }, { path, cause: error })
  }
  for (const root of allowed) {
    const realRoot = await realpath(root).catch(() => null)
    if (!realRoot) continue
    if (
      resolved === realRoot ||
      resolved.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
    ) {
      return resolved
    }
  }
  throw forgeError(DockerErrors.VolumeNotAllowed, { path: source, resolved, allowed }, { path })
}

/** Creates the labelled volumes Forge owns; an existing volume is kept with its data. */
export async function createVolumes(
  docker: Docker,
  volumes: readonly VolumeToCreate[],
): Promise<void> {
  for (const volume of volumes) {
    await docker.createVolume({ Name: volume.name, Labels: volume.labels })
  }
}

/** Removes a workload's labelled volumes (all roles, or one); missing ones are not an error. */
export async function removeVolumes(
  docker: Docker,
  workload: Pick<WorkloadRef, 'id'>,
  role?: string,
): Promise<string[]> {
  const { Volumes } = await docker.listVolumes({ filters: workloadFilter(workload, role) })
  const removed: string[] = []
  for (const volume of Volumes ?? []) {
    try {
      await docker.getVolume(volume.Name).remove()
      removed.push(volume.Name)
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error
    }
  }
  return removed
}

/** Removes the user's `named` volumes of a config (teardown with `removeVolumes`); absent is fine. */
export async function removeNamedVolumes(
  docker: Docker,
  specs: readonly VolumeSpec[],
): Promise<void> {
  for (const spec of specs) {
    if (spec.scope !== 'named') continue
    try {
      await docker.getVolume(spec.name).remove()
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error
    }
  }
}
