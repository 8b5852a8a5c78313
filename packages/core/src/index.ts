// The adapter kit: what every adapter package needs (errors, key rules, keep-alive…).
export * from './adapter-kit/index.js';
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
export {
  type BundleParameter,
  bundleParameters,
  describeParameters,
  paramsArgument,
} from './bundles/bundle-parameters.js';
export { unifiedDiff } from './bundles/diff.js';
export { renderStandaloneScript, STANDALONE_INSTALL } from './bundles/standalone-script.js';
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
  createEgressGuard,
  type DenialKind,
  type DestinationVerdict,
  type EgressGuard,
  type EgressVerdict,
  type HostLookup,
} from './egress/egress-guard.js';
export { classifyAddress, type PrivateRangeKind } from './egress/ip-ranges.js';
export { createWebTasks } from './engine/create-web-tasks.js';
export { canceledError } from './engine/delivery-runner.js';
export { DEFAULT_LIMITS, type EngineLimits, type WebTasksOptions } from './engine/engine-options.js';
export { queuedLimitError } from './engine/queued-limit-error.js';
export {
  createReconciler,
  leaseExpiry,
  type ReconcileReport,
  type Reconciler,
  type ReconcilerDeps,
} from './engine/reconciler.js';
export { toWebTaskResult } from './engine/results.js';
export { LIBRARY_SETTING_NAMES, literallyBlockedHost, type SettingNames } from './engine/setting-names.js';
export { isTransientStoreError, retryStoreCall, type StoreRetryOptions } from './engine/store-retry.js';
export type {
  BundleAdmin,
  SecretAdmin,
  TaskEvent,
  TaskEventListener,
  TaskStreamItem,
  WebTasksEngine,
} from './engine-api.js';
export {
  abortedError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorPolicy,
  isFatalError,
  throwIfAborted,
  toWebTasksError,
  toWebtasksError,
  WebTasksError,
  type WebTasksErrorOptions,
  WebtasksError,
  type WebtasksErrorOptions,
} from './errors.js';
export * from './ports/index.js';
export {
  auditHardCoding,
  type HardCodingAudit,
  type HardCodingFinding,
} from './promotion/hard-coding-audit.js';
export {
  type BundleVerifier,
  type ImportedBundle,
  type ImportVerification,
  isSuspectEmpty,
} from './promotion/import-verify.js';
export {
  checkParamsSchema,
  createParameterChecker,
  type ParameterCheck,
  type ParameterChecker,
  type ParameterProblem,
  parametersForBundle,
} from './promotion/params-check.js';
export { DEFAULT_REPLAY_SAMPLES } from './promotion/replay-gate.js';
export { MAX_RUN_SAMPLES, recordRun } from './promotion/run-samples.js';
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
export { compiledCodeFor, hashSource, usableCompiled } from './run/compiled-code.js';
export { checkHostCall } from './run/host-call-check.js';
export {
  type CreditLedger,
  createInMemoryCreditLedger,
  createMeteredModel,
  type MeteredModel,
  type ModelSpend,
} from './run/metered-model.js';
export { runArtifactPrefix } from './run/run-artifacts.js';
export { createRunHost, downloadedFileKey, type RunHost, type StoredFileRef } from './run/sandbox-host.js';
export { cancelTask } from './runs/cancel-task.js';
export { outputStatsOf } from './runs/output-stats.js';
export { DEFAULT_RETENTION_DAYS, type RetentionPolicy, sweepExpiredRuns } from './runs/retention.js';
export { applyRunEvent, cutMessage, emptyRunRecord, RUN_RECORD_LIMITS } from './runs/run-record-builder.js';
export { decodeCursor, encodeCursor, listTasks, toTaskSummary } from './runs/task-list.js';
export { RUNTIME_DECLARATIONS, RUNTIME_MODULE_NAME } from './runtime/declarations.js';
export { RUNTIME_ERROR_NAMES, RUNTIME_PRELUDE } from './runtime/prelude.js';
export {
  type AuthSessionAdmin,
  type AuthSessionBundleCheck,
  type AuthSessionLogin,
  type AuthSessions,
  type AuthSessionUrlCheck,
  browserWithStorageState,
  createAuthSessions,
  type OpenedAuthSession,
  parseStorageState,
  type SessionTracker,
} from './secrets/auth-sessions.js';
export {
  createSecretRedactor,
  isSessionCredential,
  MIN_SESSION_VALUE_LENGTH,
  missingSecretError,
  type SecretRedactor,
  type SessionValues,
  secretsReadBy,
  sessionPlaceholder,
} from './secrets/redaction.js';
export { parseSealingKey, type SealingKey, seal, unseal } from './secrets/sealing.js';
export { browserWithSecrets, redactTraceZip } from './secrets/secret-browser.js';
export { totpCode } from './secrets/totp.js';
export {
  createWorkspaceSecrets,
  type SecretInfo,
  sealContext,
  type WorkspaceSecrets,
} from './secrets/workspace-secrets.js';
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
export type { WebhookOptions } from './webhooks/webhook-options.js';
export {
  DEFAULT_WEBHOOK_RETRY,
  nextWebhookAttemptAt,
  type WebhookRetryPolicy,
  webhookRetryDelayMs,
} from './webhooks/webhook-schedule.js';
export { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhooks/webhook-signature.js';
