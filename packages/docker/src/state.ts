import type { ContainerState } from '@forge/core'

const DOCKER_STATES: Record<string, ContainerState> = {
  created: 'created',
  running: 'running',
  restarting: 'restarting',
  paused: 'paused',
  exited: 'exited',
  dead: 'dead',
  removing: 'removing',
}

/** Docker's state (the `State` string of a list entry, or the inspect `State` object) → core's. */
export function normalizeState(
  state: string | { Status?: string } | null | undefined,
): ContainerState {
  const status = typeof state === 'string' ? state : state?.Status
  if (!status) return 'unknown'
  return DOCKER_STATES[status.toLowerCase()] ?? 'unknown'
}
