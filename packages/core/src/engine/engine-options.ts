import type { AgentBudget } from '../agent/agent.js';
import type { PriceTable } from '../cost.js';
import { DEFAULT_INLINE_LIMIT_BYTES } from '../delivery.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserProvider, EgressPolicy } from '../ports/browser.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { Clock, IdGenerator, Logger } from '../ports/clock.js';
import type { CodeCompiler } from '../ports/compiler.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { RunEventChannel } from '../ports/run-event-channel.js';
import type { Sandbox, SandboxLimits } from '../ports/sandbox.js';
import type { SecretStore } from '../ports/secret-store.js';
import type { TaskQueue } from '../ports/task-queue.js';
import type { TaskStore } from '../ports/task-store.js';
import { DEFAULT_REPLAY_SAMPLES } from '../promotion/replay-gate.js';
import type { CreditLedger } from '../run/metered-model.js';
import type { RetentionPolicy } from '../runs/retention.js';
import type { SealingKey } from '../secrets/sealing.js';
import type { WebhookOptions } from '../webhooks/webhook-options.js';
import type { SettingNames } from './setting-names.js';

/** Limits of the engine; every field has a default. */
export interface EngineLimits {
  /** Tasks executing at once per workspace (SPEC: 10). */
  maxConcurrentPerWorkspace: number;
  /** Tasks waiting as `pending` per workspace before `start` answers `workspace-rate-limited`. */
  maxQueuedPerWorkspace: number;
  /** Per-task timeout (SPEC: 10 minutes). */
  taskTimeoutMs: number;
  /** Largest inline result in JSON bytes (SPEC: 64 KiB). */
  inlineResultBytes: number;
  /** Candidates the agent may submit when exploring. */
  maxExploreAttempts: number;
  /** Candidates the agent may submit when repairing. */
  maxRepairAttempts: number;
  /** Lease time of the reuse-key lock and workspace slot; renewed while the task runs. */
  lockTtlMs: number;
  /** Deliveries of one task (worker crashes) before it is failed. */
  maxDeliveries: number;
  /**
   * How often a worker reconciles the queue with the task store: `pending` tasks without a
   * queue entry are enqueued again, `started` tasks whose lease lapsed are delivered again.
   * It also runs once when the worker starts.
   */
  reconcileIntervalMs: number;
  /** Budgets of the agent. */
  agent: Partial<AgentBudget>;
  /** Limits of each sandbox run. */
  sandbox: SandboxLimits;
  /**
   * Earlier parameter sets (distinct, of successful runs of the key) a new candidate is
   * replayed with before it is saved; 0 turns the replay gate off.
   */
  replaySamples: number;
}

export const DEFAULT_LIMITS: EngineLimits = {
  maxConcurrentPerWorkspace: 10,
  maxQueuedPerWorkspace: 1000,
  taskTimeoutMs: 10 * 60 * 1000,
  inlineResultBytes: DEFAULT_INLINE_LIMIT_BYTES,
  maxExploreAttempts: 3,
  maxRepairAttempts: 3,
  lockTtlMs: 30_000,
  maxDeliveries: 3,
  reconcileIntervalMs: 30_000,
  agent: {},
  sandbox: {},
  replaySamples: DEFAULT_REPLAY_SAMPLES,
};

/** Everything `createWebTasks` is assembled from: one adapter per port. */
export interface WebTasksOptions {
  bundles: BundleStore;
  tasks: TaskStore;
  blobs: BlobStore;
  locks: LockManager;
  queue: TaskQueue;
  browser: BrowserProvider;
  sandbox: Sandbox;
  compiler: CodeCompiler;
  /** Needed to explore and repair; reuse runs work without one. */
  model?: LanguageModel;
  /** USD per million tokens by concrete model id, for `cost.aiUsd`. */
  prices?: PriceTable;
  /** Optional AI credit budgets per workspace. */
  credits?: CreditLedger;
  /** Where browsers may go. Server deployments keep the default (no private networks). */
  egress?: EgressPolicy;
  limits?: Partial<EngineLimits>;
  /**
   * Consume the queue in this process. `true` (default) starts a worker on the first
   * `start`; `false` for API-only processes (they still sweep owed webhooks, from the start);
   * an object sets the worker's concurrency.
   */
  worker?: boolean | { concurrency?: number };
  /** Poll interval of `wait` when another process runs the task. Default 250 ms. */
  waitPollMs?: number;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Identifies this process in task records. */
  workerId?: string;
  /** Keep a Playwright trace of every run whose request does not say `debug.trace` (default false). */
  traceByDefault?: boolean;
  /** How long completed tasks and their run records are kept (default 30 days) and how often workers sweep. */
  retention?: RetentionPolicy;
  /**
   * Webhooks: the secret that signs them, a default URL, retry timing. A request's
   * `webhook` is refused without a secret. See docs/webhooks.md.
   */
  webhooks?: WebhookOptions;
  /**
   * Pushes live events from the process that runs a task to the processes that stream them
   * (`events()`), so a split deployment (API processes, separate workers) need not wait for
   * the run record's next write and read. Optional: without it, streams read the record every
   * `runs.eventPollMs`. Closed by `close()`.
   */
  eventChannel?: RunEventChannel;
  /** Timing of run records, live events and cancels across processes. */
  runs?: {
    /** How long events gather before a run record is written. Default 250 ms. */
    flushIntervalMs?: number;
    /** How often `events()` reads the store for events written by another process. Default 500 ms. */
    eventPollMs?: number;
    /** How often a running task checks whether another process canceled it. Default 1 s. */
    cancelPollMs?: number;
  };
  /**
   * How settings are spelled where the user is, for the hints in error messages: an app
   * passes its own (the CLI its flags, the server its environment variables). Default: the
   * options of `createWebTasks`.
   */
  settingNames?: SettingNames;
  /**
   * Secrets at rest: `store` keeps workspace secrets (sealed), `key` (32 bytes as base64 or
   * hex, or a parsed key) seals them and the request secrets stored with tasks. Without a key,
   * request secrets stay in the accepting process's memory and workspace secrets are refused.
   */
  secrets?: { store?: SecretStore; key?: string | SealingKey };
}
