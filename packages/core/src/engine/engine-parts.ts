import { randomIdGenerator, silentLogger, systemClock } from '../defaults.js';
import { WebTasksError } from '../errors.js';
import type { Clock, IdGenerator, Logger } from '../ports/clock.js';
import type { TaskRecord } from '../ports/task-store.js';
import { sweepExpiredRuns } from '../runs/retention.js';
import { createRunRecorder, type RunRecorder } from '../runs/run-recorder.js';
import { type AuthSessions, createAuthSessions } from '../secrets/auth-sessions.js';
import { parseSealingKey } from '../secrets/sealing.js';
import { createWorkspaceSecrets, type WorkspaceSecrets } from '../secrets/workspace-secrets.js';
import { createOutputValidator } from '../validation/output-validator.js';
import { createEngineWebhooks } from '../webhooks/engine-webhooks.js';
import { createAdmission } from './admission.js';
import { createDeliveryRunner } from './delivery-runner.js';
import { DEFAULT_LIMITS, type EngineLimits, type WebTasksOptions } from './engine-options.js';
import { createEventHub, type EventHub } from './events.js';
import { executeTask } from './execute-task.js';
import type { ExecutorDeps } from './executor-deps.js';
import { LIBRARY_SETTING_NAMES } from './setting-names.js';
import type { RequestSecretsVault } from './task-secrets.js';

// ─── What the engine's members share ─────────────────────────────────────────────────────
// `createWebTasks` assembles these once; its members (engine-start.ts, engine-reads.ts,
// engine-worker.ts) each take what they need from them.

/** The engine's internals, shared by its members. */
export interface EngineParts {
  options: WebTasksOptions;
  /** `options.limits` over the defaults. */
  limits: EngineLimits;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  hub: EventHub;
  workerId: string;
  /** `options.worker`, defaulted to `true`. */
  workerSetting: NonNullable<WebTasksOptions['worker']>;
  /** Proxy passwords of tasks this engine accepted, by task id (never stored). */
  proxyPasswords: Map<string, string>;
  /** Aborted when the engine closes: deliveries still waiting for their turn give up. */
  draining: AbortController;
  requestSecrets: RequestSecretsVault;
  workspaceSecrets: WorkspaceSecrets;
  authSessions: AuthSessions;
  /** Tasks whose start is between its insert and its enqueue (see `start`). */
  enqueuing: Set<string>;
  /** What each task runs with. */
  deps: ExecutorDeps;
  recorder: RunRecorder;
  webhooks: ReturnType<typeof createEngineWebhooks>;
  runner: ReturnType<typeof createDeliveryRunner>;
  /** Delete completed tasks past their retention. */
  sweep: (signal?: AbortSignal) => ReturnType<typeof sweepExpiredRuns>;
  /** The stores can list unfinished tasks and re-enqueue them: a failed enqueue can be left to the reconciler. */
  canReconcile: boolean;
  /** The task record, or `not-found`. */
  getRecord(workspaceId: string, webTaskId: string, signal?: AbortSignal): Promise<TaskRecord>;
}

/** Assemble the internals from the options (nothing runs yet). */
export function assembleEngineParts(options: WebTasksOptions): EngineParts {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIdGenerator;
  const logger = options.logger ?? silentLogger;
  const limits: EngineLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const hub = createEventHub(logger);
  const workerId = options.workerId ?? ids.next('worker');
  const workerSetting = options.worker ?? true;
  const proxyPasswords = new Map<string, string>();
  const draining = new AbortController();
  const settings = options.settingNames ?? LIBRARY_SETTING_NAMES;
  const keySetting = settings.secretsKey ?? 'secrets.key of createWebTasks';
  const configuredKey = options.secrets?.key;
  const sealingKey =
    typeof configuredKey === 'string' ? parseSealingKey(configuredKey, keySetting) : configuredKey;
  const requestSecrets: RequestSecretsVault = { held: new Map(), ...(sealingKey ? { key: sealingKey } : {}) };
  const workspaceSecrets = createWorkspaceSecrets({
    ...(options.secrets?.store ? { store: options.secrets.store } : {}),
    ...(sealingKey ? { key: sealingKey } : {}),
    clock,
    keySetting,
  });
  const authSessions = createAuthSessions({
    ...(options.secrets?.store ? { store: options.secrets.store } : {}),
    ...(sealingKey ? { key: sealingKey } : {}),
    clock,
    keySetting,
  });
  const admission = createAdmission();
  // Tasks whose start is between its insert and its enqueue (see `start`).
  const enqueuing = new Set<string>();
  const deps: ExecutorDeps = {
    ...options,
    proxyPasswords,
    requestSecrets,
    workspaceSecrets,
    authSessions,
    clock,
    ids,
    logger,
    prices: options.prices ?? {},
    validator: createOutputValidator(),
    compileCache: new Map<string, string>(),
    ...(options.sandbox && limits.sandbox ? { sandboxLimits: limits.sandbox } : {}),
    emit: hub.emit,
    admit: admission,
    workerId,
    settings,
    draining: draining.signal,
    limits: {
      maxConcurrentPerWorkspace: limits.maxConcurrentPerWorkspace,
      taskTimeoutMs: limits.taskTimeoutMs,
      inlineResultBytes: limits.inlineResultBytes,
      lockTtlMs: limits.lockTtlMs,
      maxDeliveries: limits.maxDeliveries,
      reuse: { maxExploreAttempts: limits.maxExploreAttempts, maxRepairAttempts: limits.maxRepairAttempts },
      agent: limits.agent,
      replaySamples: limits.replaySamples,
    },
  };
  const recorder = createRunRecorder({
    tasks: options.tasks,
    clock,
    logger,
    ...(options.runs?.flushIntervalMs !== undefined ? { flushIntervalMs: options.runs.flushIntervalMs } : {}),
    ...(options.eventChannel ? { channel: options.eventChannel } : {}),
  });
  hub.subscribe(recorder.handle);
  const webhooks = createEngineWebhooks({
    ...options,
    clock,
    logger,
    recorder,
    settings: deps.settings,
    owner: workerId,
  });
  const runner = createDeliveryRunner({
    tasks: options.tasks,
    recorder,
    logger,
    admission,
    execute: (message, delivery, ticket) => executeTask(deps, message, delivery, ticket),
    onSettled: (message) => webhooks.settled(message),
    ...(options.runs?.cancelPollMs !== undefined ? { cancelPollMs: options.runs.cancelPollMs } : {}),
  });
  const sweep = (signal?: AbortSignal) =>
    sweepExpiredRuns({
      tasks: options.tasks,
      blobs: options.blobs,
      clock,
      logger,
      ...(options.retention ? { retention: options.retention } : {}),
      ...(signal ? { signal } : {}),
    });
  const canReconcile = options.tasks.listUnfinished !== undefined && options.queue.ensureQueued !== undefined;

  async function getRecord(
    workspaceId: string,
    webTaskId: string,
    signal?: AbortSignal,
  ): Promise<TaskRecord> {
    const record = await options.tasks.get({ workspaceId, webTaskId, ...(signal ? { signal } : {}) });
    if (!record) {
      throw new WebTasksError({ code: 'not-found', message: `No web task ${webTaskId} in this workspace.` });
    }
    return record;
  }

  return {
    options,
    limits,
    clock,
    ids,
    logger,
    hub,
    workerId,
    workerSetting,
    proxyPasswords,
    draining,
    requestSecrets,
    workspaceSecrets,
    authSessions,
    enqueuing,
    deps,
    recorder,
    webhooks,
    runner,
    sweep,
    canReconcile,
    getRecord,
  };
}
