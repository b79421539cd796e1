import { forgeError, throwIfAborted } from '@forge/core'
import type Docker from 'dockerode'
import { DockerErrors } from './errors.js'
import { normalizeState } from './state.js'

export interface HttpProbe {
  type: 'http'
  host: string
  port: number
  /** Default `/`. */
  path?: string
  /** Inclusive status range counted as healthy; default [200, 399]. */
  expectStatus?: readonly [number, number]
}

export interface DockerHealthProbe {
  type: 'docker'
}

export interface WaitHealthyOptions {
  probe: HttpProbe | DockerHealthProbe
  /**
   * The longest wait between probes, in milliseconds; default 500. Probes start a few ms apart
   * and back off to it, so an app that is up at once is seen at once, and the patience —
   * `retries` times `interval` — stays what it was.
   */
  interval?: number
  /** Milliseconds one HTTP probe may take; default 2000. */
  timeout?: number
  /** Probes before giving up; default 30. */
  retries?: number
  signal?: AbortSignal
  /**
   * The container being probed: when it stops, waiting is pointless and the wait fails at once
   * (needed for `docker` probes; for `http` probes it turns a crash into a clear error).
   */
  container?: Docker.Container
  /** Called after each failed probe, for the deploy log. */
  onAttempt?: (attempt: number, result: string) => void
}

/** The first pause between probes; each next one doubles, up to `interval`. */
const FIRST_PAUSE_MS = 5

/** Waits until the probe succeeds; throws FORGE_DOCKER_UNHEALTHY or FORGE_DOCKER_CONTAINER_EXITED. */
export async function waitHealthy(options: WaitHealthyOptions): Promise<void> {
  const { probe, interval = 500, timeout = 2000, retries = 30 } = options
  const signal = options.signal ?? new AbortController().signal
  const target =
    probe.type === 'http'
      ? probeUrl(probe)
      : `the Docker HEALTHCHECK of ${options.container?.id.slice(0, 12) ?? '(no container)'}`
  let last = 'not probed'
  const patience = retries * interval
  let waited = 0
  let pause = Math.min(FIRST_PAUSE_MS, interval)
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, `Waiting for ${target}`)
    if (options.container) await assertAlive(options.container)
    const result =
      probe.type === 'http'
        ? await probeHttp(probe, timeout, signal)
        : await probeDockerHealth(options.container)
    if (result === true) return
    last = result
    options.onAttempt?.(attempt, result)
    if (waited >= patience) {
      throwIfAborted(signal, `Waiting for ${target}`)
      throw forgeError(DockerErrors.Unhealthy, { target, attempts: attempt, last })
    }
    await sleep(pause, signal)
    waited += pause
    pause = Math.min(pause * 2, interval)
  }
}

async function probeHttp(
  probe: HttpProbe,
  timeout: number,
  signal: AbortSignal,
): Promise<true | string> {
  const [min, max] = probe.expectStatus ?? [200, 399]
  const url = probeUrl(probe)
  // One controller and one timer per probe, both released when it ends: on Node 20,
  // AbortSignal.any and AbortSignal.timeout keep their signals alive long after (a leak per
  // probe, every few ms during a health wait).
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeout)
  const cancel = () => controller.abort()
  signal.addEventListener('abort', cancel, { once: true })
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'manual' })
    await response.body?.cancel()
    if (response.status >= min && response.status <= max) return true
    return `status ${response.status}`
  } catch (error) {
    if (signal.aborted) return 'cancelled'
    if (timedOut) return `no answer within ${timeout} ms`
    const e = error as { cause?: { code?: string }; message?: string }
    return e.cause?.code ?? e.message ?? String(error)
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', cancel)
  }
}

// An IPv6 address goes in brackets (`http://[::1]:8080/`).
function probeUrl(probe: HttpProbe): string {
  const host =
    probe.host.includes(':') && !probe.host.startsWith('[') ? `[${probe.host}]` : probe.host
  return `http://${host}:${probe.port}${probe.path ?? '/'}`
}

async function probeDockerHealth(container: Docker.Container | undefined): Promise<true | string> {
  if (!container) return 'no container given for a docker health probe'
  const info = await container.inspect()
  const health = info.State.Health
  if (!health) throw forgeError(DockerErrors.NoHealthcheck, { container: info.Name.slice(1) })
  if (health.Status === 'healthy') return true
  if (health.Status === 'unhealthy') {
    const output = health.Log?.at(-1)?.Output?.trim()
    throw forgeError(DockerErrors.Unhealthy, {
      target: `the Docker HEALTHCHECK of ${info.Name.slice(1)}`,
      attempts: health.FailingStreak,
      last: output || 'unhealthy',
    })
  }
  return health.Status
}

async function assertAlive(container: Docker.Container): Promise<void> {
  const info = await container.inspect()
  const state = normalizeState(info.State)
  if (state === 'running') return
  throw forgeError(DockerErrors.ContainerExited, {
    container: info.Name.replace(/^\//, ''),
    state: `${state}${info.State.ExitCode ? `, exit code ${info.State.ExitCode}` : ''}`,
  })
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
