import { isForgeError } from '@forge/core'
import type { Registry } from '@forge/core/host'
import type { HostLogger } from '../logger.js'
import type { SourceContexts } from '../plugins/sourceContext.js'
import { secretRedactor } from '../redact.js'
import type { Store } from '../store/index.js'
import { sendNotification } from './notify.js'
import type { RunDeploy } from './queue.js'
import type { DeployRecords } from './records.js'
import type { Deploy, LogLine } from './types.js'

export interface RunnerDeps {
  store: Store
  records: DeployRecords
  registry: Registry
  contexts: SourceContexts
  log: HostLogger
  timeoutMs: number
  /** Why the Docker engine does not answer now, or null; added to a failed deploy's error. */
  dockerProblem: () => Promise<string | null>
}

const describeError = (error: unknown): string =>
  isForgeError(error)
    ? `${error.message} ${error.hint}`
    : error instanceof Error
      ? error.message
      : String(error)

/** Runs one deploy: the source's `deploy` with a context, a log and a signal; records the end. */
export function createDeployRunner(deps: RunnerDeps): RunDeploy {
  const { store, records } = deps

  return async function runDeploy(deploy: Deploy, cancel: AbortSignal): Promise<void> {
    const workload = store.workloads.get(deploy.workloadId)
    if (!workload) return // deleted meanwhile: the row went with it (ON DELETE CASCADE)
    // A plugin may print an env secret (a registry password in an error): never into the log.
    const redact = secretRedactor(store.env.secretValues(workload.id))
    const write = (level: LogLine['level'], message: string, progress?: string) => {
      const line = { at: new Date().toISOString(), level, message: redact(message) }
      try {
        records.appendLog(deploy, line, progress === undefined ? undefined : redact(progress))
      } catch {} // the workload (and its deploy rows) may be deleted under a running deploy
    }
    const log = deps.log.child({ workload: workload.id, deploy: deploy.id })
    const tee =
      (level: 'debug' | 'info' | 'warn' | 'error') =>
      (message: string, fields?: Record<string, unknown>) => {
        write(level, message)
        log[level](redact(message), fields)
      }
    const sourceLog = {
      debug: tee('debug'),
      info: tee('info'),
      warn: tee('warn'),
      error: tee('error'),
    }

    records.start(deploy.id, workload.source.config)
    write('info', `Deploy started (${deploy.reason})`)
    let status: 'succeeded' | 'failed' | 'cancelled' | 'unchanged'
    let error: string | null = null
    let release: unknown
    let urls: readonly string[] | undefined
    const { signal, timedOut, done } = deploySignal(cancel, deps.timeoutMs)
    try {
      const source = deps.registry.get('source', workload.source.kind)
      const ctx = deps.contexts(workload, {
        log: sourceLog,
        signal,
        progress: (step, detail) =>
          write(
            'progress',
            detail ? `${step}: ${detail}` : step,
            detail ? `${step}: ${detail}` : step,
          ),
      })
      const result = await source.deploy(ctx, deploy.intent)
      status = result.status === 'unchanged' ? 'unchanged' : 'succeeded'
      release = result.release
      urls = result.urls
      write(
        'info',
        result.message ?? (status === 'unchanged' ? 'Nothing new to deploy' : 'Deployed'),
      )
    } catch (err) {
      if (signal.aborted) {
        status = timedOut() && !cancel.aborted ? 'failed' : 'cancelled'
        error =
          timedOut() && !cancel.aborted
            ? `The deploy timed out after ${Math.round(deps.timeoutMs / 1000)} s.`
            : describeError(cancel.reason ?? err)
      } else {
        status = 'failed'
        error = describeError(err)
        // Asked now: an engine stopping mid-deploy kills the new container before it goes, and
        // the deploy's own error would blame the container.
        const docker = await deps.dockerProblem()
        if (docker) error += ` (${docker})`
      }
      write('error', error)
    } finally {
      done()
    }
    if (!store.workloads.get(workload.id)) return
    // Redacted once, for the record and the server log alike: a plugin's error may carry a secret.
    const said = error === null ? null : redact(error)
    records.finish(deploy.id, status, { error: said, release, urls })
    log.info(`Deploy ${status}`, said ? { error: said } : {})
    if (workload.notificationUrl && (status === 'succeeded' || status === 'failed')) {
      await notify(deps, deploy.id, workload.id, workload.notificationUrl, write)
    }
  }
}

/**
 * The deploy's signal: aborted by a cancel or after `timeoutMs`. One controller and one timer,
 * released when the deploy ends: Node 20's AbortSignal.any keeps a composite signal that has
 * listeners (a source's sleep adds one) for ever, about 2 KB a deploy, and AbortSignal.timeout
 * keeps its signal alive until the timer fires (FORGE_DEPLOY_TIMEOUT, 15 minutes).
 */
function deploySignal(cancel: AbortSignal, timeoutMs: number) {
  const controller = new AbortController()
  let timedOut = false
  const onCancel = () => controller.abort(cancel.reason)
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error(`The deploy timed out after ${Math.round(timeoutMs / 1000)} s.`))
  }, timeoutMs)
  timer.unref()
  if (cancel.aborted) onCancel()
  else cancel.addEventListener('abort', onCancel, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      clearTimeout(timer)
      cancel.removeEventListener('abort', onCancel)
    },
  }
}

async function notify(
  deps: RunnerDeps,
  deployId: string,
  workloadId: string,
  url: string,
  write: (level: LogLine['level'], message: string) => void,
): Promise<void> {
  const deploy = deps.store.deploys.get(deployId)
  const workload = deps.store.workloads.get(workloadId)
  if (!deploy || !workload) return
  try {
    const status = await sendNotification({
      url,
      id: `msg_${deploy.id}`,
      payload: {
        type: `deploy.${deploy.status}`,
        timestamp: new Date().toISOString(),
        data: { deploy, workload: { id: workload.id, name: workload.name } },
      },
      secret: deps.store.workloads.notificationSecret(workloadId),
    })
    write(status < 300 ? 'info' : 'warn', `Notification to ${url} answered ${status}`)
  } catch (err) {
    write('warn', `Notification to ${url} failed: ${describeError(err)}`)
  }
}
