import type {
  DeploymentIntent,
  ParseRejectionStatus,
  ParseResult,
  VerifyOptions,
  WorkloadRef,
} from '@forge/core'
import type { TestRequest } from './request.js'

/** What every case has: a request, how to verify it, and the config `match` runs with. */
export interface TriggerCaseBase<C> {
  name: string
  request: TestRequest
  /** Default `{ requireSignature: false }`. */
  verify?: Partial<VerifyOptions>
  /** The trigger's config as a user would write it; validated against the trigger's schema. */
  config?: Partial<C>
  /**
   * A binding's override: capped, merged over `config` and validated again with core's
   * `effectiveBindingConfig`, as the host does for each binding.
   */
  override?: Partial<C>
  /** Fields of the workload `match` receives. */
  workload?: Partial<WorkloadRef>
}

/** Parse accepts the request and at least one event matches into an intent. */
export interface RedeployCase<C> extends TriggerCaseBase<C> {
  /** Fields some intent must have, compared one by one (`{ reason: 'git.push', tag: 'v2' }`). */
  expect?: Partial<DeploymentIntent>
  /** How many events parse must produce. */
  events?: number
}

/** Parse accepts the request and nothing deploys: no events, or every match is a skip. */
export interface IgnoreCase<C> extends TriggerCaseBase<C> {
  /** Matched against the parse note or a skip reason: a RegExp, or a substring. */
  reason?: RegExp | string
}

/** Parse refuses the request. */
export interface RejectCase<C> extends TriggerCaseBase<C> {
  status: ParseRejectionStatus
  code?: string
  /** Matched against the rejection message: a RegExp, or a substring. */
  message?: RegExp | string
}

export interface TriggerTables<C> {
  redeploy?: RedeployCase<C>[]
  ignore?: IgnoreCase<C>[]
  reject?: RejectCase<C>[]
}

export type TableName = keyof TriggerTables<unknown>

export type CaseOf<K extends TableName, C> = K extends 'redeploy'
  ? RedeployCase<C>
  : K extends 'ignore'
    ? IgnoreCase<C>
    : RejectCase<C>

export interface CaseReport {
  table: TableName
  name: string
  passed: boolean
  /** One line per broken expectation: what was expected and what was received. */
  problems: string[]
  parse?: ParseResult
  /** What match returned for each event, in order. */
  matches?: (DeploymentIntent | { skip: string })[]
}

/** Defaults shared by every case of a tester. */
export interface TriggerTesterDefaults<C> {
  config?: Partial<C>
  verify?: Partial<VerifyOptions>
  workload?: Partial<WorkloadRef>
}
