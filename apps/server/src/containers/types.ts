import type { ContainerRecord, ContainerState, ReconcileResult } from '@forge/core'

export interface ContainerFilter {
  workloadId?: string
  kind?: string
  state?: string
}

/** What the reconciler saw in Docker: only these fields are ever written by it. */
export interface ObservedContainer {
  workloadId: string
  role: string
  containerId: string
  name: string
  image: string
  state: ContainerState
}

/** A workload's last `Source.reconcile` outcome, as the API shows it. */
export interface ReconcileReport extends ReconcileResult {
  checkedAt: string
}

/** A row of the index as the API lists it: with its workload's name. */
export interface ContainerView extends ContainerRecord {
  workloadName: string
}
