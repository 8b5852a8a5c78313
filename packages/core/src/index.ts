export {
  type Agent,
  type AgentBudget,
  type AgentTask,
  createAgent,
  DEFAULT_AGENT_BUDGET,
} from './agent/agent.js';
export { AGENT_SYSTEM_PROMPT } from './agent/prompts.js';
export { AGENT_TOOLS } from './agent/tools.js';
export { createBundleAdmin } from './bundles/admin.js';
export { unifiedDiff } from './bundles/diff.js';
export {
  addUsage,
  computeHours,
  type ModelPrice,
  type PriceTable,
  priceOf,
  roundUsd,
  type TokenRates,
  ZERO_USAGE,
} from './cost.js';
export { randomIdGenerator, silentLogger, systemClock } from './defaults.js';
export {
  DEFAULT_INLINE_LIMIT_BYTES,
  deliverResult,
  RESULT_URL_TTL_SECONDS,
  rowsOf,
} from './delivery.js';
export {
  createWebTasks,
  DEFAULT_LIMITS,
  type EngineLimits,
  type WebTasksOptions,
} from './engine/create-web-tasks.js';
export { toWebTaskResult } from './engine/results.js';
export type { BundleAdmin, TaskEvent, TaskEventListener, WebTasksEngine } from './engine-api.js';
export {
  abortedError,
  ERROR_CODES,
  type ErrorCode,
  throwIfAborted,
  toWebtasksError,
  WebtasksError,
  type WebtasksErrorOptions,
} from './errors.js';
export * from './ports/index.js';
export {
  classifyHttpFailure,
  DEFAULT_RETRY_POLICY,
  type FailureClass,
  RetriesExhausted,
  type RetryPolicy,
  retryAfterMs,
  type WithRetriesOptions,
  withRetries,
} from './retry.js';
export {
  type BundleRef,
  type Candidate,
  FAILED_FLAGS,
  type FailureEvidence,
  INITIAL_STATE,
  isTerminal,
  type ReuseBudget,
  type ReuseEffect,
  type ReuseEvent,
  type ReuseFlags,
  type ReuseState,
  type Transition,
  transition,
} from './reuse/state-machine.js';
export { checkHostCall } from './run/host-call-check.js';
export {
  type CreditLedger,
  createInMemoryCreditLedger,
  createMeteredModel,
  type MeteredModel,
  type ModelSpend,
} from './run/metered-model.js';
export { createRunHost, type RunHost, type StoredFileRef } from './run/sandbox-host.js';
export { RUNTIME_DECLARATIONS, RUNTIME_MODULE_NAME } from './runtime/declarations.js';
export { RUNTIME_ERROR_NAMES, RUNTIME_PRELUDE } from './runtime/prelude.js';
export {
  SIGNED_BLOB_PATH,
  type SignBlobUrlOptions,
  type SignedBlobUrlCheck,
  type SignedUrlVerifier,
  signBlobUrl,
  type VerifyBlobUrlOptions,
  verifyBlobUrl,
} from './signing.js';
export { detectDrift, STATS_WINDOW, updateStats } from './validation/drift.js';
export { createOutputValidator, type OutputValidator } from './validation/output-validator.js';
