import { StartRequestSchema, type WebTaskResult } from '@webtasks/protocol';
import type { AgentBudget } from '../agent/agent.js';
import { createBundleAdmin } from '../bundles/admin.js';
import type { PriceTable } from '../cost.js';
import { randomIdGenerator, silentLogger, systemClock } from '../defaults.js';
import { DEFAULT_INLINE_LIMIT_BYTES } from '../delivery.js';
import type { WebTasksEngine } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserProvider, EgressPolicy } from '../ports/browser.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { Clock, IdGenerator, Logger } from '../ports/clock.js';
import type { JsonObject, JsonSchema } from '../ports/common.js';
import type { CodeCompiler } from '../ports/compiler.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { RunEventChannel } from '../ports/run-event-channel.js';
import type { Sandbox, SandboxLimits } from '../ports/sandbox.js';
import type { SecretStore } from '../ports/secret-store.js';
import type { QueueConsumer, TaskQueue } from '../ports/task-queue.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import { DEFAULT_REPLAY_SAMPLES } from '../promotion/replay-gate.js';
import { type CreditLedger, createMeteredModel } from '../run/metered-model.js';
import { runCode } from '../run/run-code.js';
import { cancelTask } from '../runs/cancel-task.js';
import { streamTaskEvents } from '../runs/event-stream.js';
import { type RetentionPolicy, sweepExpiredRuns } from '../runs/retention.js';
import { emptyRunRecord } from '../runs/run-record-builder.js';
import { createRunRecorder } from '../runs/run-recorder.js';
import { listTasks } from '../runs/task-list.js';
import { createAuthSessions } from '../secrets/auth-sessions.js';
import { createSecretRedactor } from '../secrets/redaction.js';
import { parseSealingKey, type SealingKey } from '../secrets/sealing.js';
import { createWorkspaceSecrets } from '../secrets/workspace-secrets.js';
import { createOutputValidator } from '../validation/output-validator.js';
import { createEngineWebhooks } from '../webhooks/engine-webhooks.js';
import type { WebhookOptions } from '../webhooks/webhook-options.js';
import { createDeliveryRunner } from './delivery-runner.js';
import { createEventHub } from './events.js';
import { createAdmission, executeTask } from './execute-task.js';
import { createReconciler, type Reconciler } from './reconciler.js';
import { toWebTaskResult } from './results.js';
import { LIBRARY_SETTING_NAMES, type SettingNames } from './setting-names.js';
import { acceptRequestSecrets, type RequestSecretsVault } from './task-secrets.js';

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

function invalidRequest(issues: Array<{ path: PropertyKey[]; message: string }>): WebTasksError {
  const summary = issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  return new WebTasksError({
    code: 'invalid-request',
    message: `The request is invalid: ${summary}`,
    details: issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

/** Assemble the engine from adapters. */
export function createWebTasks(options: WebTasksOptions): WebTasksEngine {
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
  const deps = {
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
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  let consumer: QueueConsumer | undefined;
  let reconciler: Reconciler | undefined;
  const canReconcile = options.tasks.listUnfinished !== undefined && options.queue.ensureQueued !== undefined;
  let workerStarting: Promise<void> | undefined;
  let closed = false;
  // API-only processes run no worker but sweep owed webhooks too, so in a split deployment any
  // surviving process delivers what a dead one owed; claims in the task store keep each to one.
  if (workerSetting === false) webhooks.start();

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

  const engine: WebTasksEngine = {
    async start({ workspaceId, request, signal }) {
      if (closed) throw new WebTasksError({ code: 'internal-error', message: 'The engine is closed.' });
      const parsed = StartRequestSchema.safeParse(request);
      if (!parsed.success) throw invalidRequest(parsed.error.issues);
      const body = parsed.data;
      const webhook = await webhooks.forStart(workspaceId, body.webhook);
      const webTaskId = ids.next('wt');
      const reuseKey = body.reuseKey ?? ids.next('wtr');
      // A secret value the caller also wrote into the task or parameters is stored as its placeholder.
      const given = body.secrets ? createSecretRedactor(body.secrets) : undefined;
      const record: TaskRecord = {
        webTaskId,
        workspaceId,
        request: {
          task: given ? given.redact(body.task) : body.task,
          ...(body.startUrl ? { startUrl: body.startUrl } : {}),
          parameters: (given
            ? given.redactJson(body.parameters ?? {})
            : (body.parameters ?? {})) as JsonObject,
          ...(body.outputSchema !== undefined ? { outputSchema: body.outputSchema as JsonSchema } : {}),
          reuseKey,
          reuseKeyGenerated: body.reuseKey === undefined,
          model: body.model ?? 'haiku',
          ...((body.debug?.trace ?? options.traceByDefault) ? { debug: { trace: true } } : {}),
          ...(body.proxy
            ? {
                proxy: {
                  server: body.proxy.server,
                  ...(body.proxy.username !== undefined ? { username: body.proxy.username } : {}),
                  ...(body.proxy.password !== undefined ? { hasPassword: true } : {}),
                },
              }
            : {}),
          ...(body.sideEffects ? { sideEffects: true } : {}),
          ...(body.auth ? { auth: { session: body.auth.session } } : {}),
          ...acceptRequestSecrets(requestSecrets, { workspaceId, webTaskId }, body.secrets),
        },
        status: 'pending',
        reuse: { key: reuseKey, used: false, created: false, updated: false },
        attempts: 0,
        createdAt: new Date(clock.now()).toISOString(),
      };
      if (body.proxy?.password !== undefined) proxyPasswords.set(webTaskId, body.proxy.password);
      // This start enqueues the task itself: the reconciler leaves it alone meanwhile, or its
      // sweep could enqueue same-key tasks out of submission order.
      enqueuing.add(webTaskId);
      try {
        // The store checks the queued limit atomically with the insert.
        await options.tasks.create({
          task: record,
          maxPending: limits.maxQueuedPerWorkspace,
          ...(signal ? { signal } : {}),
        });
        if (webhook) await webhooks.record(record, webhook);
      } catch (error) {
        enqueuing.delete(webTaskId);
        proxyPasswords.delete(webTaskId);
        requestSecrets.held.delete(webTaskId);
        throw error;
      }
      hub.emit({ type: 'status', webTaskId, status: 'pending' });
      logger.info('task accepted', { workspaceId, webTaskId, reuseKey });
      try {
        if (workerSetting !== false) await engine.startWorker();
        await options.queue.enqueue({ message: { workspaceId, webTaskId }, ...(signal ? { signal } : {}) });
      } catch (error) {
        // The record is the truth: a worker's reconciler enqueues a pending task the queue
        // never got, so the start stands (answering an error would invite a second start).
        if (!canReconcile || signal?.aborted) throw error;
        logger.warn('could not enqueue a new task; the reconciler will', { webTaskId, error: String(error) });
      } finally {
        enqueuing.delete(webTaskId);
      }
      return { webTaskId, status: 'pending', reuseKey };
    },

    async result({ workspaceId, webTaskId, signal }) {
      return toWebTaskResult(await getRecord(workspaceId, webTaskId, signal));
    },

    async wait({ workspaceId, webTaskId, timeoutMs, signal }) {
      const deadline = clock.now() + Math.max(0, timeoutMs);
      for (;;) {
        const record = await getRecord(workspaceId, webTaskId, signal);
        const remaining = deadline - clock.now();
        if (record.status === 'completed' || remaining <= 0 || signal?.aborted)
          return toWebTaskResult(record);
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            unsubscribe();
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, Math.min(remaining, options.waitPollMs ?? 250));
          const unsubscribe = hub.subscribe(
            (event) => {
              if (event.type === 'status' && event.status === 'completed') done();
            },
            { webTaskId },
          );
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    },

    async run({ workspaceId, request, timeoutMs, onEvent, signal }): Promise<WebTaskResult> {
      let webTaskId: string | undefined;
      const early: Parameters<NonNullable<typeof onEvent>>[0][] = [];
      const unsubscribe = onEvent
        ? hub.subscribe((event) => {
            if (webTaskId === undefined) early.push(event);
            else if (event.webTaskId === webTaskId) onEvent(event);
          })
        : undefined;
      try {
        const started = await engine.start({ workspaceId, request, ...(signal ? { signal } : {}) });
        webTaskId = started.webTaskId;
        for (const event of early) if (event.webTaskId === webTaskId) onEvent?.(event);
        const result = await engine.wait({
          workspaceId,
          webTaskId,
          timeoutMs: timeoutMs ?? limits.taskTimeoutMs + 60_000,
          ...(signal ? { signal } : {}),
        });
        // When this process ran the task, its run record is complete once run() returns.
        if (result.status === 'completed') await recorder.settled(webTaskId);
        return result;
      } finally {
        unsubscribe?.();
      }
    },

    subscribe: (listener, subscribeOptions) => hub.subscribe(listener, subscribeOptions),

    list: ({ workspaceId, query, signal }) =>
      listTasks(options.tasks, { workspaceId, ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),

    async record({ workspaceId, webTaskId, signal }) {
      const record = await getRecord(workspaceId, webTaskId, signal);
      const live = recorder.current(webTaskId);
      if (live) return live;
      const run = await options.tasks.getRun({ workspaceId, webTaskId, ...(signal ? { signal } : {}) });
      return run ?? emptyRunRecord(workspaceId, webTaskId, record.createdAt);
    },

    async *events({ workspaceId, webTaskId, afterSeq, signal }) {
      await getRecord(workspaceId, webTaskId, signal);
      yield* streamTaskEvents({
        tasks: options.tasks,
        recorder,
        workspaceId,
        webTaskId,
        logger,
        ...(options.eventChannel ? { channel: options.eventChannel } : {}),
        ...(options.runs?.flushIntervalMs !== undefined ? { recordLagMs: options.runs.flushIntervalMs } : {}),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(signal ? { signal } : {}),
        ...(options.runs?.eventPollMs !== undefined ? { pollMs: options.runs.eventPollMs } : {}),
      });
    },

    async cancel({ workspaceId, webTaskId, signal }) {
      const canceled = await cancelTask(
        { tasks: options.tasks, clock },
        { workspaceId, webTaskId, ...(signal ? { signal } : {}) },
      );
      runner.abort(webTaskId);
      hub.emit({ type: 'status', webTaskId, status: 'completed', outcome: 'failed' });
      return toWebTaskResult(canceled);
    },

    async artifactUrl({ workspaceId, webTaskId, key, expiresInSeconds, signal }) {
      const run = await engine.record({ workspaceId, webTaskId, ...(signal ? { signal } : {}) });
      if (!run.artifacts.some((artifact) => artifact.key === key)) {
        throw new WebTasksError({
          code: 'not-found',
          message: `Web task ${webTaskId} has no artifact ${key}: take the key from its run record.`,
        });
      }
      return options.blobs.signedUrl({
        key,
        expiresInSeconds: expiresInSeconds ?? 3600,
        downloadName: key.slice(key.lastIndexOf('/') + 1),
        ...(signal ? { signal } : {}),
      });
    },

    sweepRuns: (sweepOptions) => sweep(sweepOptions?.signal),

    getTask: ({ workspaceId, webTaskId, signal }) =>
      options.tasks.get({ workspaceId, webTaskId, ...(signal ? { signal } : {}) }),

    async startWorker(workerOptions) {
      if (consumer || closed) return;
      workerStarting ??= (async () => {
        const configured = typeof workerSetting === 'object' ? workerSetting.concurrency : undefined;
        consumer = await options.queue.consume({
          concurrency: workerOptions?.concurrency ?? configured ?? 64,
          handler: runner.handle,
        });
        reconciler = createReconciler({
          tasks: options.tasks,
          queue: options.queue,
          clock,
          logger,
          lockTtlMs: limits.lockTtlMs,
          intervalMs: limits.reconcileIntervalMs,
          pendingGraceMs: Math.min(5_000, limits.reconcileIntervalMs),
          skip: (webTaskId) => enqueuing.has(webTaskId),
        });
        reconciler.start();
        webhooks.start();
        const every = options.retention?.sweepIntervalMs ?? 60 * 60 * 1000;
        if (every > 0) {
          sweepTimer = setInterval(() => {
            sweep().catch((error: unknown) =>
              logger.warn('the retention sweep failed', { error: String(error) }),
            );
          }, every);
          sweepTimer.unref?.();
        }
        logger.info('worker started', { workerId });
      })();
      await workerStarting;
    },

    async close(closeOptions) {
      if (closed) return;
      closed = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await workerStarting?.catch(() => undefined);
      // Stop taking work first: no more sweeps, and deliveries still waiting for their
      // reuse key or a workspace slot go back to the queue; running tasks finish.
      await reconciler?.stop();
      draining.abort();
      await consumer?.stop({
        graceful: closeOptions?.graceful ?? true,
        ...(closeOptions?.timeoutMs ? { timeoutMs: closeOptions.timeoutMs } : {}),
      });
      await webhooks.stop();
      await options.queue.close().catch(() => undefined);
      await options.sandbox.close().catch(() => undefined);
      await options.browser.close().catch(() => undefined);
      await options.locks.close?.().catch(() => undefined);
      await options.eventChannel?.close().catch(() => undefined);
    },

    authSessions: {
      import: (sessionOptions) => authSessions.import(sessionOptions),
      list: (sessionOptions) => authSessions.list(sessionOptions),
      delete: (sessionOptions) => authSessions.delete(sessionOptions),
    },

    secrets: {
      set: (secretOptions) => workspaceSecrets.set(secretOptions),
      list: (secretOptions) => workspaceSecrets.list(secretOptions),
      delete: (secretOptions) => workspaceSecrets.delete(secretOptions),
    },

    bundles: createBundleAdmin({
      bundles: options.bundles,
      compiler: options.compiler,
      openSecrets: (secretOptions) => workspaceSecrets.open(secretOptions),
      verifier: async ({ workspaceId, source, outputSchema, params, signal }) => {
        const model = createMeteredModel({
          model: options.model,
          prices: deps.prices,
          workspaceId,
          ...(options.credits ? { credits: options.credits } : {}),
        });
        const run = await runCode(deps, {
          source,
          outputSchema,
          params,
          workspaceId,
          webTaskId: ids.next('import'),
          model,
          modelName: 'haiku',
          ...(signal ? { signal } : {}),
        });
        if (run.ok) return { ok: true, output: run.output };
        if (run.fatal) throw run.fatal;
        return { ok: false, message: run.evidence.message };
      },
    }),
  };
  return engine;
}
