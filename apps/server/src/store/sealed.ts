/**
 * Every value the store seals, and the associated data each is sealed under (the row's identity:
 * a sealed value copied to another row does not decrypt). The repositories seal and open with
 * these; key rotation and restore's key check walk the same list, so a new sealed column is
 * added here once and every one of them knows it.
 */
export const AAD = {
  env: (workloadId: string, key: string) => `env:${workloadId}:${key}`,
  state: (workloadId: string) => `state:${workloadId}`,
  trigger: (triggerId: string, what: 'secret' | 'signing') => `trigger:${triggerId}:${what}`,
  notification: (workloadId: string) => `workload:${workloadId}:notification`,
  deliveryHeaders: (deliveryId: string) => `delivery:${deliveryId}:headers`,
}

/** A sealed column: where it is, and the associated data of a row of it. */
export interface SealedColumn {
  table: string
  column: string
  /** The columns the associated data is made of. */
  keys: readonly string[]
  aad(row: Record<string, string>): string
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'workload_env',
    column: 'value_sealed',
    keys: ['workload_id', 'key'],
    aad: (r) => AAD.env(r.workload_id as string, r.key as string),
  },
  {
    table: 'workload_state',
    column: 'doc',
    keys: ['workload_id'],
    aad: (r) => AAD.state(r.workload_id as string),
  },
  {
    table: 'triggers',
    column: 'secret_sealed',
    keys: ['id'],
    aad: (r) => AAD.trigger(r.id as string, 'secret'),
  },
  {
    table: 'triggers',
    column: 'signing_secret_sealed',
    keys: ['id'],
    aad: (r) => AAD.trigger(r.id as string, 'signing'),
  },
  {
    table: 'workloads',
    column: 'notification_secret',
    keys: ['id'],
    aad: (r) => AAD.notification(r.id as string),
  },
  // Rows written before headers were sealed hold plain JSON: only the sealed ones are walked.
  {
    table: 'deliveries',
    column: 'headers',
    keys: ['id'],
    aad: (r) => AAD.deliveryHeaders(r.id as string),
  },
]
