import { type Agent, type AgentBudget, createAgent } from '../agent/agent.js';
import { computeHours, type PriceTable } from '../cost.js';
import { deliverResult } from '../delivery.js';
import type { TaskEvent } from '../engine-api.js';
import { toWebtasksError, WebtasksError } from '../errors.js';
import type { Bundle, BundleStore, OutputStats } from '../ports/bundle-store.js';
import type { Clock } from '../ports/clock.js';
import type { JsonValue } from '../ports/common.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { DeliveryInfo, QueueMessage } from '../ports/task-queue.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import {
  type BundleRef,
  FAILED_FLAGS,
  INITIAL_STATE,
  type ReuseBudget,
  type ReuseEffect,
  type ReuseEvent,
  type ReuseState,
  transition,
} from '../reuse/state-machine.js';
import { type CreditLedger, createMeteredModel, type MeteredModel } from '../run/metered-model.js';
import { type CodeRunnerDeps, runCode } from '../run/run-code.js';
import { updateStats } from '../validation/drift.js';

/** Everything the executor needs, assembled by `createWebTasks`. */
export interface ExecutorDeps extends CodeRunnerDeps {
  bundles: BundleStore;
  tasks: TaskStore;
  locks: LockManager;
  clock: Clock;
  model?: LanguageModel;
  credits?: CreditLedger;
  prices: PriceTable;
  emit: (event: TaskEvent) => void;
  workerId: string;
  limits: {
    maxConcurrentPerWorkspace: number;
    taskTimeoutMs: number;
    inlineResultBytes: number;
    lockTtlMs: number;
    maxDeliveries: number;
    reuse: ReuseBudget;
    agent?: Partial<AgentBudget>;
  };
}

function timeoutError(ms: number): WebtasksError {
  return new WebtasksError({
    code: 'timeout',
    message: `The task ran longer than its ${Math.round(ms / 1000)} s limit and was stopped. Nothing was saved.`,
  });
}

/** Keep a lease and a slot alive while the task runs. */
function keepAlive(
  deps: ExecutorDeps,
  held: {
    lease: Awaited<ReturnType<LockManager['acquire']>>;
    slot?: Awaited<ReturnType<LockManager['acquireSlot']>>;
  },
) {
  const ttlMs = deps.limits.lockTtlMs;
  const timer = setInterval(
    () => {
      deps.locks
        .extend({ lease: held.lease, ttlMs })
        .then((lease) => {
          held.lease = lease;
        })
        .catch((error: unknown) =>
          deps.logger.warn('could not extend the reuse-key lease; saves stay safe through compare-and-set', {
            error: String(error),
          }),
        );
      if (held.slot) {
        deps.locks
          .extendSlot({ slot: held.slot, ttlMs })
          .then((slot) => {
            held.slot = slot;
          })
          .catch((error: unknown) =>
            deps.logger.warn('could not extend the workspace slot', { error: String(error) }),
          );
      }
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * Run one task end to end: lease the reuse key (FIFO) and a workspace slot, drive the
 * reuse state machine, deliver the result and complete the record. Infrastructure
 * failures reject (the queue redelivers); everything else completes the task.
 */
export async function executeTask(
  deps: ExecutorDeps,
  message: QueueMessage,
  delivery: DeliveryInfo,
): Promise<void> {
  const { workspaceId, webTaskId } = message;
  const record = await deps.tasks.get({ workspaceId, webTaskId });
  if (!record) {
    deps.logger.warn('queue message for an unknown task dropped', { workspaceId, webTaskId });
    return;
  }
  if (record.status === 'completed') return;
  const reuseKey = record.request.reuseKey;
  const held: {
    lease: Awaited<ReturnType<LockManager['acquire']>>;
    slot?: Awaited<ReturnType<LockManager['acquireSlot']>>;
  } = {
    lease: await deps.locks.acquire({
      name: `reuse:${workspaceId}:${reuseKey}`,
      ttlMs: deps.limits.lockTtlMs,
      signal: delivery.signal,
    }),
  };
  let stopKeepAlive = keepAlive(deps, held);
  try {
    held.slot = await deps.locks.acquireSlot({
      name: `workspace:${workspaceId}`,
      limit: deps.limits.maxConcurrentPerWorkspace,
      ttlMs: deps.limits.lockTtlMs,
      signal: delivery.signal,
    });
    stopKeepAlive();
    stopKeepAlive = keepAlive(deps, held);
    const current = await deps.tasks.get({ workspaceId, webTaskId });
    if (!current || current.status === 'completed') return;
    const startedAt = deps.clock.now();
    if (current.attempts >= deps.limits.maxDeliveries) {
      await complete(deps, current, startedAt, undefined, {
        name: 'failed',
        code: 'internal-error',
        message: `The worker running this task stopped ${current.attempts} times; the task was given up. Nothing was saved.`,
      });
      return;
    }
    const started = await deps.tasks.transition({
      workspaceId,
      webTaskId,
      from: ['pending', 'started'],
      patch: {
        status: 'started',
        startedAt: new Date(startedAt).toISOString(),
        attempts: current.attempts + 1,
        workerId: deps.workerId,
      },
    });
    deps.emit({ type: 'status', webTaskId, status: 'started' });
    await runStarted(deps, started, startedAt, delivery);
  } finally {
    stopKeepAlive();
    if (held.slot) await deps.locks.releaseSlot({ slot: held.slot }).catch(() => undefined);
    await deps.locks.release({ lease: held.lease }).catch(() => undefined);
  }
}

async function runStarted(
  deps: ExecutorDeps,
  task: TaskRecord,
  startedAt: number,
  delivery: DeliveryInfo,
): Promise<void> {
  const { workspaceId, webTaskId } = task;
  const request = task.request;
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(timeoutError(deps.limits.taskTimeoutMs)),
    deps.limits.taskTimeoutMs,
  );
  timer.unref?.();
  const signal = AbortSignal.any([delivery.signal, timeout.signal]);
  const model = createMeteredModel({
    model: deps.model,
    prices: deps.prices,
    workspaceId,
    ...(deps.credits ? { credits: deps.credits } : {}),
    onUnknownModel: (modelId) =>
      deps.logger.warn('no price for this model: cost.aiUsd counts it as 0', { modelId }),
    onCall: (spend) => deps.emit({ type: 'cost', webTaskId, aiUsd: spend.usd, modelCalls: spend.calls }),
  });
  let agent: Agent | undefined;
  let loaded: Bundle | undefined;
  let lastOutput: JsonValue = null;

  const interpret = async (effect: ReuseEffect): Promise<ReuseEvent> => {
    switch (effect.type) {
      case 'load-bundle': {
        deps.emit({ type: 'phase', webTaskId, phase: 'loading' });
        loaded = await deps.bundles.latest({ workspaceId, reuseKey: request.reuseKey, signal });
        const bundle: BundleRef | undefined = loaded
          ? { version: loaded.version, source: loaded.source, outputSchema: loaded.outputSchema }
          : undefined;
        return { type: 'bundle-loaded', bundle };
      }
      case 'run': {
        deps.emit({ type: 'phase', webTaskId, phase: effect.saved ? 'running-saved' : 'running-candidate' });
        const result = await runCode(deps, {
          source: effect.code.source,
          outputSchema: effect.code.outputSchema,
          params: request.parameters,
          workspaceId,
          webTaskId,
          model,
          modelName: request.model,
          // Drift is judged against the saved version's history, for the saved code and for
          // repairs of it alike: a "repair" that returns nothing is no repair.
          ...(loaded?.stats ? { stats: loaded.stats } : {}),
          signal,
          onLog: (entry) => deps.emit({ type: 'log', webTaskId, level: entry.level, message: entry.message }),
        });
        if (result.ok) {
          lastOutput = result.output;
          deps.emit({ type: 'run-result', webTaskId, ok: true, message: 'output is valid' });
          return { type: 'run-valid', output: result.output };
        }
        deps.emit({
          type: 'run-result',
          webTaskId,
          ok: false,
          message: result.evidence.message.slice(0, 300),
        });
        if (result.fatal) throw result.fatal;
        return { type: 'run-invalid', evidence: result.evidence };
      }
      case 'author': {
        const max =
          effect.mode === 'explore'
            ? deps.limits.reuse.maxExploreAttempts
            : deps.limits.reuse.maxRepairAttempts;
        deps.emit({ type: 'phase', webTaskId, phase: effect.mode === 'explore' ? 'exploring' : 'repairing' });
        deps.emit({ type: 'attempt', webTaskId, attempt: effect.attempt, of: max, kind: effect.mode });
        agent ??= createAgent({
          deps,
          task: {
            task: request.task,
            ...(request.startUrl ? { startUrl: request.startUrl } : {}),
            parameters: request.parameters,
            ...(request.outputSchema !== undefined
              ? { outputSchema: request.outputSchema }
              : effect.base
                ? { outputSchema: effect.base.outputSchema }
                : {}),
          },
          workspaceId,
          webTaskId,
          model,
          modelName: request.model,
          ...(deps.limits.agent ? { budget: deps.limits.agent } : {}),
          maxAttempts: {
            explore: deps.limits.reuse.maxExploreAttempts,
            repair: deps.limits.reuse.maxRepairAttempts,
          },
          emit: deps.emit,
        });
        const authored = await agent.author({
          mode: effect.mode,
          attempt: effect.attempt,
          ...(effect.base ? { base: effect.base } : {}),
          ...(effect.evidence ? { evidence: effect.evidence } : {}),
          signal,
        });
        if (authored.kind === 'gave-up')
          return { type: 'agent-gave-up', code: authored.code, message: authored.message };
        return { type: 'candidate', candidate: authored.candidate };
      }
      case 'save': {
        deps.emit({ type: 'phase', webTaskId, phase: 'saving' });
        try {
          const saved = await deps.bundles.save({
            bundle: {
              workspaceId,
              reuseKey: request.reuseKey,
              source: effect.candidate.source,
              outputSchema: effect.candidate.outputSchema,
              origin: effect.mode,
              task: request.task,
              ...(request.startUrl ? { startUrl: request.startUrl } : {}),
              webTaskId,
              ...(effect.parentVersion ? { parentVersion: effect.parentVersion } : {}),
            },
            expectedVersion: effect.expectedVersion,
            signal,
          });
          await deps.bundles
            .saveStats({
              workspaceId,
              reuseKey: request.reuseKey,
              version: saved.version,
              stats: updateStats(undefined, lastOutput),
            })
            .catch((error: unknown) =>
              deps.logger.warn('could not save output statistics', { error: String(error) }),
            );
          deps.emit({ type: 'saved', webTaskId, reuseKey: request.reuseKey, version: saved.version });
          return { type: 'saved', version: saved.version };
        } catch (error) {
          if (!WebtasksError.hasCode(error, 'conflict')) throw error;
          const latest = await deps.bundles.latest({ workspaceId, reuseKey: request.reuseKey, signal });
          deps.logger.warn('another run saved this reuse key first; this run’s code was not saved', {
            webTaskId,
          });
          return { type: 'save-conflict', latestVersion: latest?.version ?? effect.expectedVersion };
        }
      }
    }
  };

  let state: ReuseState = INITIAL_STATE;
  try {
    let step = transition(state, { type: 'leased' }, deps.limits.reuse);
    while (step.effect) {
      let event: ReuseEvent;
      try {
        event = await interpret(step.effect);
      } catch (error) {
        if (delivery.signal.aborted) throw error;
        const wrapped = timeout.signal.aborted
          ? timeoutError(deps.limits.taskTimeoutMs)
          : toWebtasksError(error);
        deps.logger.debug('effect failed', {
          effect: step.effect.type,
          code: wrapped.code,
          message: wrapped.message,
        });
        event = { type: 'fatal', code: wrapped.taskErrorCode, message: wrapped.message };
      }
      step = transition(step.state, event, deps.limits.reuse);
    }
    state = step.state;
    if (state.name === 'succeeded' && loaded && !state.savedVersion && state.version === loaded.version) {
      await deps.bundles
        .saveStats({
          workspaceId,
          reuseKey: request.reuseKey,
          version: loaded.version,
          stats: updateStats(loaded.stats as OutputStats | undefined, state.output),
        })
        .catch((error: unknown) =>
          deps.logger.warn('could not save output statistics', { error: String(error) }),
        );
    }
  } finally {
    clearTimeout(timer);
    await agent?.close();
  }
  await complete(deps, task, startedAt, model, state);
}

async function complete(
  deps: ExecutorDeps,
  task: TaskRecord,
  startedAt: number,
  model: MeteredModel | undefined,
  state: ReuseState,
): Promise<void> {
  const { workspaceId, webTaskId } = task;
  const cost = {
    aiUsd: model?.spend.usd ?? 0,
    compute: { unit: 'hours' as const, amount: computeHours(deps.clock.now() - startedAt) },
  };
  const completedAt = new Date(deps.clock.now()).toISOString();
  let patch: Parameters<TaskStore['transition']>[0]['patch'];
  if (state.name === 'succeeded') {
    try {
      const result = await deliverResult({
        output: state.output,
        workspaceId,
        webTaskId,
        blobs: deps.blobs,
        inlineLimitBytes: deps.limits.inlineResultBytes,
      });
      patch = {
        status: 'completed',
        outcome: 'success',
        result,
        reuse: { key: task.request.reuseKey, ...state.flags },
        cost,
        bundleVersion: state.version,
        completedAt,
      };
    } catch (error) {
      const wrapped = toWebtasksError(error, 'Storing the result failed');
      patch = failedPatch(task, cost, completedAt, 'internal-error', wrapped.message);
    }
  } else if (state.name === 'failed') {
    patch = failedPatch(task, cost, completedAt, state.code, state.message);
  } else {
    patch = failedPatch(
      task,
      cost,
      completedAt,
      'internal-error',
      `The task stopped in state ${state.name}.`,
    );
  }
  await deps.tasks.transition({ workspaceId, webTaskId, from: ['started', 'pending'], patch });
  deps.emit({ type: 'status', webTaskId, status: 'completed', outcome: patch.outcome ?? 'failed' });
}

function failedPatch(
  task: TaskRecord,
  cost: { aiUsd: number; compute: { unit: 'hours'; amount: number } },
  completedAt: string,
  code: import('@webtasks/protocol').TaskErrorCode,
  message: string,
) {
  return {
    status: 'completed' as const,
    outcome: 'failed' as const,
    error: { code, message },
    reuse: { key: task.request.reuseKey, ...FAILED_FLAGS },
    cost,
    completedAt,
  };
}
