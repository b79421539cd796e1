import { createHash } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { WorkloadRef } from '@forge/core'
import { shortId } from '@forge/docker'

export const COMPOSE_FILE = 'compose.yml'
export const ENV_FILE = 'forge.env'

/** `forge-<id8>-<name>` in the characters compose accepts in a project name (lowercase, a-z0-9_-). */
export function projectName(workload: Pick<WorkloadRef, 'id' | 'name'>, name?: string): string {
  const clean = (name ?? workload.name)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 40)
  return clean ? `forge-${shortId(workload)}-${clean}` : `forge-${shortId(workload)}`
}

export function workloadDir(dataDir: string, workload: Pick<WorkloadRef, 'id'>): string {
  return join(dataDir, 'workloads', workload.id)
}

/** Writes the file only when its content changed; returns whether it wrote. */
export async function writeIfChanged(path: string, text: string, mode = 0o644): Promise<boolean> {
  const existing = await readFile(path, 'utf8').catch(() => null)
  if (existing !== null && hash(existing) === hash(text)) return false
  await writeFile(path, text, { mode })
  return true
}

/** The env file compose interpolates from: config's dotenv text first, the workload env wins. */
export function envFileText(
  extra: string | undefined,
  env: Readonly<Record<string, string>>,
): string {
  const lines = extra ? [extra.trimEnd()] : []
  for (const [key, value] of Object.entries(env)) {
    // Compose v1 reads values literally up to the end of line: a newline would split the value.
    lines.push(`${key}=${value.replace(/\r?\n/g, '\\n')}`)
  }
  return lines.length ? `${lines.join('\n')}\n` : ''
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex')
