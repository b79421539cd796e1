import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { forgeError } from '@forge/core'
import type { StaticConfig } from './config.js'
import { StaticErrors } from './errors.js'

const exec = promisify(execFile)

// The token travels as an HTTP header set through GIT_CONFIG_* variables: never in the URL or the
// argument list, where `ps` and error messages would show it.
function gitEnv(token: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  }
  if (token) {
    const basic = Buffer.from(`forge:${token}`).toString('base64')
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    })
  }
  return env
}

async function git(args: string[], config: StaticConfig, signal: AbortSignal, cwd?: string) {
  try {
    const { stdout } = await exec('git', args, {
      cwd,
      env: gitEnv(config.token),
      signal,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 10 * 60_000,
    })
    return stdout
  } catch (error) {
    if (signal.aborted) throw error
    const e = error as { stderr?: string; message: string }
    throw forgeError(StaticErrors.FetchFailed, {
      what: `git ${args[0]} of ${config.repository}`,
      cause: (e.stderr || e.message).trim(),
    })
  }
}

/** The commit at the head of the branch, from `git ls-remote` (no clone). */
export async function gitHead(config: StaticConfig, signal: AbortSignal): Promise<string> {
  const out = await git(
    ['ls-remote', '--', config.repository, `refs/heads/${config.branch}`],
    config,
    signal,
  )
  const commit = out.split(/\s+/)[0]
  if (!commit) {
    throw forgeError(StaticErrors.BranchMissing, {
      repository: config.repository,
      branch: config.branch,
    })
  }
  return commit
}

/** Shallow-clones the branch and copies only `folder` into `dest`; returns the checked-out commit. */
export async function gitFetch(
  config: StaticConfig,
  folder: string,
  dest: string,
  signal: AbortSignal,
): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'forge-static-git-'))
  try {
    const checkout = join(work, 'repo')
    await git(
      [
        'clone',
        '--depth',
        '1',
        '--single-branch',
        '--no-tags',
        '--branch',
        config.branch,
        '--',
        config.repository,
        checkout,
      ],
      config,
      signal,
    )
    const commit = (await git(['rev-parse', 'HEAD'], config, signal, checkout)).trim()
    const source = join(checkout, folder)
    const info = await stat(source).catch(() => null)
    if (!info?.isDirectory())
      throw forgeError(StaticErrors.FolderMissing, { path: folder || '/', commit })
    // verbatimSymlinks: copy links as links, so the tree check after the copy refuses them.
    await cp(source, dest, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !src.startsWith(join(checkout, '.git')),
    })
    return commit
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
