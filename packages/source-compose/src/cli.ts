import { spawn } from 'node:child_process'
import { ForgeErrors, forgeError } from '@forge/core'
import { ComposeErrors } from './errors.js'

/** How compose is invoked here: `docker compose` (v2 plugin) or `docker-compose` (v1). */
export interface ComposeBinary {
  command: string
  prefix: string[]
  version: string
}

export interface RunResult {
  code: number | null
  /** stdout and stderr interleaved, as a user would see them. */
  output: string
}

// Compose interpolates `${VAR}` from its own environment before the env file, so the child gets
// only what it needs to reach Docker: never the server's secrets (FORGE_SECRET_KEY, tokens).
const PASSED_ENV = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'LANG']

export function composeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key]
  return env
}

/** Runs a command, collecting its output; kills it when the signal aborts. */
export function run(
  command: string,
  args: string[],
  options: {
    signal?: AbortSignal
    cwd?: string
    env?: NodeJS.ProcessEnv
    onLine?: (line: string) => void
  } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(forgeError(ForgeErrors.Aborted, { what: `${command} ${args.join(' ')}` }))
      return
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? composeEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    let pending = ''
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      output += text
      pending += text
      const lines = pending.split(/\r?\n/)
      pending = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) options.onLine?.(line)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const abort = () => child.kill('SIGTERM')
    options.signal?.addEventListener('abort', abort, { once: true })
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', abort)
      reject(error)
    })
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', abort)
      if (pending.trim()) options.onLine?.(pending)
      if (options.signal?.aborted) {
        reject(forgeError(ForgeErrors.Aborted, { what: `${command} ${args.join(' ')}` }))
        return
      }
      resolve({ code, output })
    })
  })
}

let detected: Promise<ComposeBinary> | undefined

/** Finds compose once per process: v2 where `docker compose version` works, else v1. */
export function detectCompose(): Promise<ComposeBinary> {
  detected ??= (async () => {
    const candidates: ComposeBinary[] = [
      { command: 'docker', prefix: ['compose'], version: '' },
      { command: 'docker-compose', prefix: [], version: '' },
    ]
    for (const candidate of candidates) {
      const result = await run(candidate.command, [
        ...candidate.prefix,
        'version',
        '--short',
      ]).catch(() => null)
      if (result?.code === 0) return { ...candidate, version: result.output.trim() }
    }
    throw forgeError(ComposeErrors.BinaryMissing, { tried: '`docker compose`, `docker-compose`' })
  })()
  detected.catch(() => {
    detected = undefined
  })
  return detected
}
