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
    type: z
      .enum(['http', 'command', 'image', 'none'])
      .default('http')
      .describe(
        "`http` GETs `path` on `port` with wget or curl from the image, `command` runs `command`, `image` keeps the image's own HEALTHCHECK, `none` counts a running task as healthy",
      ),
    path: z
      .string()
      .startsWith('/')
      .default('/')
      .describe(
        'For type `http`: the path requested inside the task; a 2xx or 3xx answer is healthy',
      ),
    /** For `command`: argv (`CMD`), or one string run by the image's shell (`CMD-SHELL`). */
    command: z
      .union([z.array(z.string()).min(1), z.string().min(1)])
      .optional()
      .describe(
        "For type `command` (required then): argv (`CMD`), or one string run by the image's shell (`CMD-SHELL`)",
      ),
    /** Milliseconds between checks. */
    interval: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe('Milliseconds between checks (types `http` and `command`)'),
    /** Milliseconds one check may take. */
    timeout: z
      .number()
      .int()
      .min(1)
      .default(3000)
      .describe('Milliseconds one check may take (types `http` and `command`)'),
    /** Consecutive failures that make a task unhealthy (Swarm then replaces it). */
    retries: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe(
        'Consecutive failures that make a task unhealthy, after which Swarm replaces it (types `http` and `command`)',
      ),
    /** Milliseconds after start during which failures do not count. */
    startPeriod: ms
      .default(0)
      .describe(
        'Milliseconds after a task starts during which failures do not count (types `http` and `command`)',
      ),
  })
  .refine((h) => h.type !== 'command' || h.command !== undefined, {
    message: 'healthcheck.type "command" needs healthcheck.command',
    path: ['command'],
  })

// Swarm's update settings; `rolling` uses them for updates, and RollbackConfig when it rolls back.
const swarmUpdate = (parallelism: number, what: 'update' | 'rollback') => ({
  /** Tasks replaced at once; 0 means all. */
  parallelism: z
    .number()
    .int()
    .min(0)
    .default(parallelism)
    .describe(
      what === 'update'
        ? 'Tasks a `rolling` update replaces at once; 0 means all'
        : 'Tasks a rollback replaces at once; 0 means all',
    ),
  /** Milliseconds between batches. */
  delay: ms
    .default(0)
    .describe(
      what === 'update'
        ? 'Milliseconds between the batches of a `rolling` update'
        : 'Milliseconds between the batches of a rollback',
    ),
  /** Milliseconds Swarm watches a new task before it counts as a success. */
  monitor: ms
    .default(3000)
    .describe(
      what === 'update'
        ? 'Milliseconds Swarm watches a new task of a `rolling` update before it counts as a success'
        : 'Milliseconds Swarm watches a rolled-back task before it counts as a success',
    ),
  /** The share of failed tasks Swarm tolerates before it rolls back (or pauses). */
  maxFailureRatio: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe(
      what === 'update'
        ? 'Share of failed tasks (0–1) a `rolling` update tolerates before Swarm rolls it back'
        : 'Share of failed tasks (0–1) a rollback tolerates before Swarm pauses it',
    ),
})

export const swarmConfigSchema = z.strictObject({
  ...imageFields,
  /**
   * `always` and `missing` resolve the tag to a digest at the registry on every deploy, so every
   * node runs the same image; `missing` also accepts an image only the manager has, on a
   * one-node swarm. `never` uses the manager's image without asking a registry (one node only).
   */
  pull: imageFields.pull.describe(
    "`always` and `missing` resolve the tag to a digest at the registry on every deploy; `missing` also accepts an image only the manager has and `never` uses the manager's image without a registry, both on a one-node swarm only",
  ),
  /** Sent to every node with each create and update, so workers can pull a private image. */
  registryAuth: imageFields.registryAuth.describe(
    'Credentials for a private registry (a username and the env key holding the password), sent to every node so workers can pull',
  ),
  healthcheck: healthcheck
    .prefault({})
    .describe(
      'The HEALTHCHECK each task runs inside itself; Swarm routes to a task only once it is healthy',
    ),
  /** Volumes other than `ephemeral` keep data on one node: they pin the workload to it. */
  volumes: imageFields.volumes.describe(
    'Volumes to mount; any but `ephemeral` keeps data on one node and pins the workload to it',
  ),
  replicas: z.number().int().min(1).max(100).default(2).describe('How many tasks run the release'),
  /** Swarm placement constraints, all of which a node must meet. */
  constraints: z
    .array(constraint)
    .default([])
    .describe(
      'Swarm placement constraints (`node.labels.zone==eu`, `node.role!=manager`), all of which a node must meet',
    ),
  /** Spread tasks evenly over the values of a node attribute, in order. */
  preferences: z
    .array(
      z.strictObject({
        spread: z
          .string()
          .min(1)
          .describe('The node attribute whose values tasks spread over (`node.labels.rack`)'),
      }),
    )
    .default([])
    .describe('Spread tasks evenly over the values of node attributes, in order'),
  /** At most this many tasks on one node (spreads replicas over nodes). */
  maxReplicasPerNode: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('At most this many tasks on one node; default no limit'),
  /**
   * `blue-green`: the new release starts as a second service beside the running one, the proxy
   * switches to it once every replica is healthy. `rolling`: Swarm replaces tasks in place,
   * start-first, and rolls back by itself when the new ones fail.
   */
  strategy: z
    .enum(['blue-green', 'rolling'])
    .default('blue-green')
    .describe(
      '`blue-green` starts the release as a second service and switches the proxy once every replica is healthy; `rolling` lets Swarm replace tasks in place, start-first, rolling back on failure',
    ),
  update: z
    .strictObject({
      ...swarmUpdate(1, 'update'),
      /** Milliseconds Forge waits for every replica of the new release to run healthy. */
      timeout: z
        .number()
        .int()
        .positive()
        .default(180_000)
        .describe(
          'Milliseconds Forge waits for every replica of the new release to run healthy, with either strategy',
        ),
    })
    .prefault({})
    .describe("Swarm's update settings, used by `rolling`, and how long a deploy may wait"),
  rollback: z
    .strictObject(swarmUpdate(0, 'rollback'))
    .prefault({})
    .describe("Swarm's rollback settings, used when it rolls a failed `rolling` update back"),
  /** The attachable overlay network the tasks and the proxy share. */
  network: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker network name')
    .default('forge')
    .describe('The attachable overlay network the tasks and the proxy share; created when missing'),
})

export type SwarmConfig = z.infer<typeof swarmConfigSchema>
export type SwarmConfigInput = z.input<typeof swarmConfigSchema>
export type Healthcheck = SwarmConfig['healthcheck']
