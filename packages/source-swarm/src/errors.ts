import { errorEntry } from '@forge/core'

// What happened, and what to do: the catalogue of the swarm source's errors.
export const SwarmErrors = {
  NotAManager: errorEntry<{ host: string; cause: string }>({
    code: 'FORGE_SWARM_NOT_A_MANAGER',
    message: (p) => `The Docker engine at ${p.host} is not a manager of a swarm (${p.cause}).`,
    hint: 'Point DOCKER_HOST at a manager of the swarm (where `docker node ls` works), or make this engine one with `docker swarm init`.',
  }),
  ImageNotInRegistry: errorEntry<{ ref: string; nodes: number; cause: string }>({
    code: 'FORGE_SWARM_IMAGE_NOT_IN_REGISTRY',
    message: (p) =>
      `${p.ref} cannot be deployed to a swarm of ${p.nodes} nodes: it is not in a registry the nodes can pull from (${p.cause}). Each node pulls the image itself; one only the manager has would leave the other nodes' tasks failing with "No such image".`,
    hint: 'Push the image to a registry every node reaches (docker tag + docker push <registry>/<name>:<tag>), set `image` to that reference, and `registryAuth` if it needs credentials.',
  }),
  ImageMissing: errorEntry<{ ref: string; cause: string }>({
    code: 'FORGE_SWARM_IMAGE_MISSING',
    message: (p) => `${p.ref} is neither in a registry (${p.cause}) nor on the manager's engine.`,
    hint: 'Check the image name and tag, push it to a registry the nodes reach, or load it on the manager of a one-node swarm.',
  }),
  RegistryPasswordMissing: errorEntry<{
    workload: string
    ref: string
    username: string
    passwordEnv: string
  }>({
    code: 'FORGE_SWARM_REGISTRY_PASSWORD_MISSING',
    message: (p) =>
      `Workload ${p.workload} pulls ${p.ref} as ${p.username}, but its env has no value for ${p.passwordEnv} (registryAuth.passwordEnv).`,
    hint: 'Set the registry password as a secret env value of the workload (PUT /api/workloads/<id>/env { "<passwordEnv>": { "value": "...", "secret": true } }), then deploy again.',
  }),
  NetworkUnsuitable: errorEntry<{ network: string; driver: string; attachable: boolean }>({
    code: 'FORGE_SWARM_NETWORK_UNSUITABLE',
    message: (p) =>
      `The network ${p.network} exists but is not an attachable overlay (driver ${p.driver}, attachable ${p.attachable}): the proxy could not join it to reach the tasks.`,
    hint: 'Set `network` to another name (Forge creates it), or recreate this one with `docker network create --driver overlay --attachable <name>`.',
  }),
  FacesNeedProxy: errorEntry<{ workload: string }>({
    code: 'FORGE_SWARM_FACES_NEED_PROXY',
    message: (p) =>
      `Workload ${p.workload} has faces, but the server has no proxy: swarm tasks publish no ports (the routing mesh is not used), so a proxy on the overlay is the only way in.`,
    hint: 'Run Caddy on the overlay and start the server with FORGE_PROXY=caddy (docs/operations.md ("Multi-host: running on a Docker Swarm")), or remove the faces for an internal service.',
  }),
  PinExcluded: errorEntry<{ node: string; constraints: string }>({
    code: 'FORGE_SWARM_PIN_EXCLUDED',
    message: (p) =>
      `The workload's volumes keep its data on node ${p.node}, but its constraints (${p.constraints}) exclude that node.`,
    hint: 'Volumes pin a workload to the node of the engine Forge talks to, where they live: drop the constraints that exclude it, or the volumes.',
  }),
  DeployFailed: errorEntry<{ image: string; workload: string; cause: string; after: string }>({
    code: 'FORGE_SWARM_DEPLOY_FAILED',
    message: (p) => `Deploying ${p.image} to workload ${p.workload} failed: ${p.cause} ${p.after}`,
    hint: 'The task error above comes from Swarm: check the image, its command and health check (`docker service ps --no-trunc <service>` on a manager shows every attempt).',
  }),
  NoPreviousRelease: errorEntry<{ workload: string; kept: number }>({
    code: 'FORGE_SWARM_NO_PREVIOUS_RELEASE',
    message: (p) =>
      `Workload ${p.workload} has no previous release to roll back to (${p.kept} kept).`,
    hint: 'Deploy at least twice before rolling back; keepReleases sets how many releases are kept.',
  }),
  PromoteWithoutDigest: errorEntry<{ workload: string }>({
    code: 'FORGE_SWARM_PROMOTE_WITHOUT_DIGEST',
    message: (p) =>
      `Promoting workload ${p.workload} needs the parent's running digest, and the intent carries none.`,
    hint: 'Promote from a parent workload that has a running release; the host passes its digest in intent.digest.',
  }),
} as const
