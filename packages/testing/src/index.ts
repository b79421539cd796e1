export type { MemoryContainersIndex } from './containers.js'
export { createMemoryContainersIndex } from './containers.js'
export type {
  FakeSourceContext,
  FakeSourceContextOptions,
  LogEntry,
  ProgressEntry,
  ServiceEntry,
} from './context.js'
export { createFakeSourceContext, service } from './context.js'
export type { FuzzPropertyReport, FuzzReport, FuzzTriggerOptions } from './fuzz.js'
export { fuzzTrigger, TriggerFuzzError } from './fuzz.js'
export type { FuzzInput } from './fuzz-inputs.js'
export type { ProxyCall, RecordingProxy } from './proxy.js'
export { createRecordingProxy, isRecordingProxy } from './proxy.js'
export type { ReadRecordedDeliveriesOptions, RecordedDelivery } from './recorded.js'
export { readRecordedDeliveries } from './recorded.js'
export type { CredentialScheme, TestBody, TestRequest } from './request.js'
export { encodeBody, hmacHeader, signGithub, signRequest, toTriggerRequest } from './request.js'
export type {
  CheckCase,
  CheckCaseReport,
  CheckTables,
  CheckTester,
  CheckTesterOptions,
  ExpectedCheckIssue,
} from './source-check.js'
export { CheckTableError, checkTester } from './source-check.js'
export type {
  ContractStep,
  SourceContractOptions,
  SourceContractReport,
} from './source-contract.js'
export { runSourceContract, SourceContractError } from './source-contract.js'
export type { MemoryStateStore } from './state.js'
export { createMemoryStateStore } from './state.js'
export type {
  CaseOf,
  CaseReport,
  IgnoreCase,
  RedeployCase,
  RejectCase,
  TableName,
  TriggerCaseBase,
  TriggerTables,
  TriggerTesterDefaults,
} from './trigger-cases.js'
export type { TriggerTester } from './trigger-tester.js'
export { TriggerTableError, triggerTester } from './trigger-tester.js'
