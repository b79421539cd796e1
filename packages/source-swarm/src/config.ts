import { imageFields } from '@forge/docker'
import { z } from 'zod'

const ms = z.number().int().min(0)

// `node.labels.zone == eu`, `node.role != manager`, `engine.labels.ssd==true`.
const constraint = z
  .string()
  .regex(
    /^\s*[A-Za-z][\w.-]*\s*(==|!=)\s*\S+\s*$/,
    'a Swarm constraint such as "node.labels.zone==eu" or "node.role!=manager"',
  )

const healthcheck = z
  .strictObject({
    /**
     * Swarm runs the check inside each task (Forge cannot reach tasks on other nodes):
     * `http` GETs `path` on `port` with wget or curl from the image, `command` runs `command`,
     * `image` keeps the image's own HEALTHCHECK, `none` counts a running task as healthy.
     */
    type: z.enum(['http', 'command', 'image', 'none']).default('http'),
    path: z.string().startsWith('/').default('/'),
    /** For `command`: argv (`CMD`), or one string run by the image's shell (`CMD-SHELL`). */
    command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
    /** Milliseconds between checks. */
    interval: z.number().int().min(1).default(1000),
    /** Milliseconds one check may take. */
    timeout: z.number().int().min(1).default(3000),
    /** Consecutive failures that make a task unhealthy (Swarm then replaces it). */
    retries: z.number().int().positive().default(3),
    /** Milliseconds after start during which failures do not count. */
    startPeriod: ms.default(0),
  })
  .refine((h) => h.type !== 'command' || h.command !== undefined, {
    message: 'healthcheck.type "command" needs healthcheck.command',
    path: ['command'],
  })

// Swarm's update settings; `rolling` uses them for updates, and RollbackConfig when it rolls back.
const swarmUpdate = (parallelism: number) => ({
  /** Tasks replaced at once; 0 means all. */
  parallelism: z.number().int().min(0).default(parallelism),
  /** Milliseconds between batches. */
  delay: ms.default(0),
  /** Milliseconds Swarm watches a new task before it counts as a success. */
  monitor: ms.default(3000),
  /** The share of failed tasks Swarm tolerates before it rolls back (or pauses). */
  maxFailureRatio: z.number().min(0).max(1).default(0),
})

export const swarmConfigSchema = z.strictObject({
  ...imageFields,
  /**
   * `always` and `missing` resolve the tag to a digest at the registry on every deploy, so every
   * node runs the same image; `missing` also accepts an image only the manager has, on a
   * one-node swarm. `never` uses the manager's image without asking a registry (one node only).
   */
  pull: imageFields.pull,
  /** Sent to every node with each create and update, so workers can pull a private image. */
  registryAuth: imageFields.registryAuth,
  healthcheck: healthcheck.prefault({}),
  /** Volumes other than `ephemeral` keep data on one node: they pin the workload to it. */
  volumes: imageFields.volumes,
  replicas: z.number().int().min(1).max(100).default(2),
  /** Swarm placement constraints, all of which a node must meet. */
  constraints: z.array(constraint).default([]),
  /** Spread tasks evenly over the values of a node attribute, in order. */
  preferences: z.array(z.strictObject({ spread: z.string().min(1) })).default([]),
  /** At most this many tasks on one node (spreads replicas over nodes). */
  maxReplicasPerNode: z.number().int().positive().optional(),
  /**
   * `blue-green`: the new release starts as a second service beside the running one, the proxy
   * switches to it once every replica is healthy. `rolling`: Swarm replaces tasks in place,
   * start-first, and rolls back by itself when the new ones fail.
   */
  strategy: z.enum(['blue-green', 'rolling']).default('blue-green'),
  update: z
    .strictObject({
      ...swarmUpdate(1),
      /** Milliseconds Forge waits for every replica of the new release to run healthy. */
      timeout: z.number().int().positive().default(180_000),
    })
    .prefault({}),
  rollback: z.strictObject(swarmUpdate(0)).prefault({}),
  /** The attachable overlay network the tasks and the proxy share. */
  network: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker network name')
    .default('forge'),
})

export type SwarmConfig = z.infer<typeof swarmConfigSchema>
export type SwarmConfigInput = z.input<typeof swarmConfigSchema>
export type Healthcheck = SwarmConfig['healthcheck']
