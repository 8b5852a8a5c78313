import { StartRequestSchema, type WebTaskResult } from '@webtasks/protocol';
import type { AgentBudget } from '../agent/agent.js';
import { createBundleAdmin } from '../bundles/admin.js';
import type { PriceTable } from '../cost.js';
import { randomIdGenerator, silentLogger, systemClock } from '../defaults.js';
import { DEFAULT_INLINE_LIMIT_BYTES } from '../delivery.js';
import type { WebTasksEngine } from '../engine-api.js';
import { WebtasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserProvider, EgressPolicy } from '../ports/browser.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { Clock, IdGenerator, Logger } from '../ports/clock.js';
import type { JsonObject, JsonSchema } from '../ports/common.js';
import type { CodeCompiler } from '../ports/compiler.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { Sandbox, SandboxLimits } from '../ports/sandbox.js';
import type { QueueConsumer, TaskQueue } from '../ports/task-queue.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import type { CreditLedger } from '../run/metered-model.js';
import { createOutputValidator } from '../validation/output-validator.js';
import { createEventHub } from './events.js';
import { executeTask } from './execute-task.js';
import { toWebTaskResult } from './results.js';

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
  /** Budgets of the agent. */
  agent: Partial<AgentBudget>;
  /** Limits of each sandbox run. */
  sandbox: SandboxLimits;
}

export const DEFAULT_LIMITS: EngineLimits = {
  maxConcurrentPerWorkspace: 10,
  maxQueuedPerWorkspace: 1000,
  taskTimeoutMs: 10 * 60 * 1000,
  inlineResultBytes: DEFAULT_INLINE_LIMIT_BYTES,
  maxExploreAttempts: 3,
  maxRepairAttempts: 3,
  lockTtlMs: 60_000,
  maxDeliveries: 3,
  agent: {},
  sandbox: {},
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
   * `start`; `false` for API-only processes; an object sets the worker's concurrency.
   */
  worker?: boolean | { concurrency?: number };
  /** Poll interval of `wait` when another process runs the task. Default 250 ms. */
  waitPollMs?: number;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Identifies this process in task records. */
  workerId?: string;
}

function invalidRequest(issues: Array<{ path: PropertyKey[]; message: string }>): WebtasksError {
  const summary = issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  return new WebtasksError({
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
  const deps = {
    ...options,
    clock,
    ids,
    logger,
    prices: options.prices ?? {},
    validator: createOutputValidator(),
    compileCache: new Map<string, string>(),
    ...(options.sandbox && limits.sandbox ? { sandboxLimits: limits.sandbox } : {}),
    emit: hub.emit,
    workerId,
    limits: {
      maxConcurrentPerWorkspace: limits.maxConcurrentPerWorkspace,
      taskTimeoutMs: limits.taskTimeoutMs,
      inlineResultBytes: limits.inlineResultBytes,
      lockTtlMs: limits.lockTtlMs,
      maxDeliveries: limits.maxDeliveries,
      reuse: { maxExploreAttempts: limits.maxExploreAttempts, maxRepairAttempts: limits.maxRepairAttempts },
      agent: limits.agent,
    },
  };
  let consumer: QueueConsumer | undefined;
  let workerStarting: Promise<void> | undefined;
  let closed = false;

  async function getRecord(
    workspaceId: string,
    webTaskId: string,
    signal?: AbortSignal,
  ): Promise<TaskRecord> {
    const record = await options.tasks.get({ workspaceId, webTaskId, ...(signal ? { signal } : {}) });
    if (!record) {
      throw new WebtasksError({ code: 'not-found', message: `No web task ${webTaskId} in this workspace.` });
    }
    return record;
  }

  const engine: WebTasksEngine = {
    async start({ workspaceId, request, signal }) {
      if (closed) throw new WebtasksError({ code: 'internal-error', message: 'The engine is closed.' });
      const parsed = StartRequestSchema.safeParse(request);
      if (!parsed.success) throw invalidRequest(parsed.error.issues);
      const counts = await options.tasks.countByStatus({ workspaceId, ...(signal ? { signal } : {}) });
      if (counts.pending >= limits.maxQueuedPerWorkspace) {
        throw new WebtasksError({
          code: 'workspace-rate-limited',
          message: `This workspace already has ${counts.pending} tasks waiting (the limit is ${limits.maxQueuedPerWorkspace}). Wait for some to finish and try again.`,
          retryable: true,
        });
      }
      const body = parsed.data;
      const webTaskId = ids.next('wt');
      const reuseKey = body.reuseKey ?? ids.next('wtr');
      const record: TaskRecord = {
        webTaskId,
        workspaceId,
        request: {
          task: body.task,
          ...(body.startUrl ? { startUrl: body.startUrl } : {}),
          parameters: (body.parameters ?? {}) as JsonObject,
          ...(body.outputSchema !== undefined ? { outputSchema: body.outputSchema as JsonSchema } : {}),
          reuseKey,
          reuseKeyGenerated: body.reuseKey === undefined,
          model: body.model ?? 'haiku',
        },
        status: 'pending',
        reuse: { key: reuseKey, used: false, created: false, updated: false },
        attempts: 0,
        createdAt: new Date(clock.now()).toISOString(),
      };
      await options.tasks.create({ task: record, ...(signal ? { signal } : {}) });
      hub.emit({ type: 'status', webTaskId, status: 'pending' });
      if (workerSetting !== false) await engine.startWorker();
      await options.queue.enqueue({ message: { workspaceId, webTaskId }, ...(signal ? { signal } : {}) });
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
        return await engine.wait({
          workspaceId,
          webTaskId,
          timeoutMs: timeoutMs ?? limits.taskTimeoutMs + 60_000,
          ...(signal ? { signal } : {}),
        });
      } finally {
        unsubscribe?.();
      }
    },

    subscribe: (listener, subscribeOptions) => hub.subscribe(listener, subscribeOptions),

    getTask: ({ workspaceId, webTaskId, signal }) =>
      options.tasks.get({ workspaceId, webTaskId, ...(signal ? { signal } : {}) }),

    async startWorker(workerOptions) {
      if (consumer || closed) return;
      workerStarting ??= (async () => {
        const configured = typeof workerSetting === 'object' ? workerSetting.concurrency : undefined;
        consumer = await options.queue.consume({
          concurrency: workerOptions?.concurrency ?? configured ?? 64,
          handler: (message, delivery) => executeTask(deps, message, delivery),
        });
        logger.info('worker started', { workerId });
      })();
      await workerStarting;
    },

    async close(closeOptions) {
      if (closed) return;
      closed = true;
      await workerStarting?.catch(() => undefined);
      await consumer?.stop({
        graceful: closeOptions?.graceful ?? true,
        ...(closeOptions?.timeoutMs ? { timeoutMs: closeOptions.timeoutMs } : {}),
      });
      await options.queue.close().catch(() => undefined);
      await options.sandbox.close().catch(() => undefined);
      await options.browser.close().catch(() => undefined);
      await options.locks.close?.().catch(() => undefined);
    },

    bundles: createBundleAdmin({ bundles: options.bundles, compiler: options.compiler }),
  };
  return engine;
}
