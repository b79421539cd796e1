export type { DockerClientOptions } from './client.js'
export {
  assertDockerReachable,
  createDockerClient,
  describeDockerHost,
  dockerConnection,
  dockerService,
} from './client.js'
export { DockerErrors } from './errors.js'
export type { DockerHealthProbe, HttpProbe, WaitHealthyOptions } from './health.js'
export { waitHealthy } from './health.js'
export { forgeLabels, LABELS, resourceName, shortId, workloadFilter } from './labels.js'
export type { ContainerLogOptions, LogEntry } from './logs.js'
export { containerLogLines } from './logs.js'
export type { PulledImage, PullOptions, PullPolicy, RegistryAuth } from './pull.js'
export { inspectImage, pullImage, repository, withDefaultTag } from './pull.js'
export { normalizeState } from './state.js'
export type { ResolvedVolumes, VolumeContext, VolumeSpec, VolumeToCreate } from './volumes.js'
export { createVolumes, removeVolumes, resolveVolumes, WORKLOAD_VOLUME_ROLE } from './volumes.js'
