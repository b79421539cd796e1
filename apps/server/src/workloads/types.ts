import type { WorkloadRef } from '@forge/core'

/** A workload as the host keeps it: the plugin's view plus what only the host uses. */
export interface Workload extends WorkloadRef<Record<string, unknown>> {
  notificationUrl: string | null
  hasNotificationSecret: boolean
  createdAt: string
  updatedAt: string
}

export interface WorkloadInput {
  name: string
  source: { kind: string; config: Record<string, unknown> }
  appId?: string | null
  parentId?: string | null
  notificationUrl?: string | null
  notificationSecret?: string | null
}

/** A group of workloads (one product's web, worker and db). */
export interface App {
  id: string
  name: string
  description: string | null
  createdAt: string
  updatedAt: string
}

export type EnvInput = Record<string, { value?: string; secret?: boolean }>
/** What the API shows: secret values never leave the server. */
export type EnvView = Record<string, { value: string | null; secret: boolean }>
