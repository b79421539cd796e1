export { redact, redactError, registryCredentials, registryHost, releaseEnv } from './auth.js'
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
export type { ContainerLogOptions, LogEntry, SwarmTaskRef } from './logs.js'
export { containerLogLines, taskLogLines, taskOfContainer } from './logs.js'
export type { PulledImage, PullOptions, PullPolicy, RegistryAuth } from './pull.js'
export {
  digestReference,
  inspectImage,
  pullImage,
  referenceTag,
  repository,
  withDefaultTag,
} from './pull.js'
export {
  isDeploying,
  newReleaseId,
  sameRelease,
  whileDeploying,
  withRelease,
} from './releases.js'
export type { HealedRoutes } from './routes.js'
export {
  faceHost,
  faceRouteId,
  faceRoutes,
  healRoutes,
  removeStaleRoutes,
  removeWorkloadRoutes,
  restoreRoutes,
  routeUpstreams,
  switchRoutes,
} from './routes.js'
export type { Face, RegistryAuthConfig } from './schemas.js'
export {
  faceSchema,
  imageFields,
  memoryBytes,
  memorySchema,
  portSchema,
  registryAuthSchema,
  volumeSchema,
} from './schemas.js'
export { normalizeState } from './state.js'
export { prefixPath, publishAddress, publishedUrl, routeUrls } from './urls.js'
export type { ResolvedVolumes, VolumeContext, VolumeSpec, VolumeToCreate } from './volumes.js'
export {
  createVolumes,
  removeNamedVolumes,
  removeVolumes,
  resolveVolumes,
  WORKLOAD_VOLUME_ROLE,
} from './volumes.js'
