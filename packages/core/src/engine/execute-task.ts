import { keepLeaseAlive, keepSlotAlive } from '../adapter-kit/lease-keep-alive.js';
import { type Agent, type AgentBudget, createAgent } from '../agent/agent.js';
import { computeHours, type PriceTable } from '../cost.js';
import { deliverResult } from '../delivery.js';
import type { TaskEvent } from '../engine-api.js';
import { toWebTasksError, WebTasksError } from '../errors.js';
import type { Bundle, BundleStore, CompiledCode } from '../ports/bundle-store.js';
import type { Clock } from '../ports/clock.js';
import type { JsonValue } from '../ports/common.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { DeliveryInfo, QueueMessage } from '../ports/task-queue.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import { checkValidRun } from '../promotion/check-run.js';
import { type LiveVersion, loadLiveVersion } from '../promotion/live-version.js';
import { parametersForBundle, savedParamsSchema } from '../promotion/params-check.js';
import { explainNoRepair, proposedNote } from '../promotion/review.js';
import { recordRun } from '../promotion/run-samples.js';
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
import { hashSource, storeCompiled } from '../run/compiled-code.js';
import { type CreditLedger, createMeteredModel, type MeteredModel } from '../run/metered-model.js';
import { type CodeRunnerDeps, runCode } from '../run/run-code.js';
import { outputStatsOf } from '../runs/output-stats.js';
import {
  type AuthSessions,
  browserWithStorageState,
  type OpenedAuthSession,
  type SessionTracker,
} from '../secrets/auth-sessions.js';
import { createSecretRedactor, missingSecretError, secretsReadBy } from '../secrets/redaction.js';
import type { WorkspaceSecrets } from '../secrets/workspace-secrets.js';
import { compareWithSaved } from './compare-request.js';
import { failSideEffectsRedelivery, finishDurably, saveIdempotently } from './durable-completion.js';
import { describeRunFailure, modelNotConfigured, preventedRepair, savedRunFailure } from './real-cause.js';
import { ensureSignedIn } from './session-login.js';
import { literallyBlockedHost, type SettingNames } from './setting-names.js';
import { retryStoreCall } from './store-retry.js';
import { holdTaskLease, leaseUntil } from './task-lease.js';
import { openTaskSecrets, type RequestSecretsVault, withSecrets } from './task-secrets.js';

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
  /** How settings are spelled where the user is, for error hints. */
  settings: SettingNames;
  /** Proxy passwords of tasks this engine accepted, by task id (never stored). */
  proxyPasswords?: Map<string, string>;
  /** Stored workspace secrets, opened for each task. */
  workspaceSecrets?: WorkspaceSecrets;
  /** Request secrets between accept and run (sealed in the record, or held in memory). */
  requestSecrets?: RequestSecretsVault;
  /** Stored auth sessions, for requests with `auth.session`. */
  authSessions?: AuthSessions;
  /** Fires when the worker stops taking work: deliveries still waiting for their turn give up. */
  draining?: AbortSignal;
  /** Orders the start of deliveries (see `createAdmission`). */
  admit?: Admission;
  limits: {
    maxConcurrentPerWorkspace: number;
    taskTimeoutMs: number;
    inlineResultBytes: number;
    lockTtlMs: number;
    maxDeliveries: number;
    reuse: ReuseBudget;
    agent?: Partial<AgentBudget>;
    /** Earlier parameter sets a candidate is replayed with before it is saved (default 3). */
    replaySamples?: number;
  };
}

/**
 * The deps a task runs with: its upstream proxy, the password taken from this engine's
 * memory. A password held by another process (the task was accepted there) cannot be used:
 * the browser session then fails with `proxy-error` saying so.
 */
function withProxy(deps: ExecutorDeps, task: TaskRecord): ExecutorDeps {
  const proxy = task.request.proxy;
  if (!proxy) return deps;
  const password = deps.proxyPasswords?.get(task.webTaskId);
  if (proxy.hasPassword && password === undefined) {
    const error = new WebTasksError({
      code: 'proxy-error',
      message: `The proxy password of ${proxy.server} is held only in memory by the process that accepted the task, which is gone or is not this worker; start the task again (or set the proxy as the server default, WEBTASKS_PROXY).`,
    });
    return {
      ...deps,
      browser: {
        specificationVersion: 'v1',
        capabilities: deps.browser.capabilities,
        openSession: () => Promise.reject(error),
        close: (options) => deps.browser.close(options),
      },
    };
  }
  return {
    ...deps,
    proxy: {
      server: proxy.server,
      ...(proxy.username !== undefined ? { username: proxy.username } : {}),
      ...(password !== undefined ? { password } : {}),
    },
  };
}

function timeoutError(ms: number): WebTasksError {
  return new WebTasksError({
    code: 'timeout',
    message: `The task ran longer than its ${Math.round(ms / 1000)} s limit and was stopped. Nothing was saved.`,
  });
}

/** Keep a lease and a slot alive while the task runs (renewal failures are logged). */
function keepAlive(
  deps: ExecutorDeps,
  held: {
    lease: Awaited<ReturnType<LockManager['acquire']>>;
    slot?: Awaited<ReturnType<LockManager['acquireSlot']>>;
  },
) {
  const ttlMs = deps.limits.lockTtlMs;
  const intervalMs = Math.max(50, Math.floor(ttlMs / 3));
  const lease = keepLeaseAlive({
    locks: deps.locks,
    lease: held.lease,
    ttlMs,
    intervalMs,
    onError: (error) =>
      deps.logger.warn('could not extend the reuse-key lease; saves stay safe through compare-and-set', {
        error: String(error),
      }),
  });
  lease.signal.addEventListener('abort', () =>
    deps.logger.warn('the reuse-key lease was lost; saves stay safe through compare-and-set', {
      error: String(lease.signal.reason),
    }),
  );
  const slot =
    held.slot &&
    keepSlotAlive({
      locks: deps.locks,
      slot: held.slot,
      ttlMs,
      intervalMs,
      onError: (error) => deps.logger.warn('could not extend the workspace slot', { error: String(error) }),
    });
  return () => {
    lease.stop();
    slot?.stop();
    held.lease = lease.current;
    if (slot) held.slot = slot.current;
  };
}

/** A delivery's place in line, taken the moment it arrives (see `createAdmission`). */
export interface AdmissionTicket {
  /** Run `step` once the steps of every earlier ticket have run (or were given up). */
  run<T>(step: () => Promise<T>): Promise<T>;
  /** Give the place up without running a step (idempotent; `run` gives it up itself). */
  release(): void;
}

/** Hands out places in line, in the order it is called. */
export type Admission = () => AdmissionTicket;

/**
 * The start of each delivery (its record read and its request for the reuse key) runs in the
 * order deliveries arrived, so tasks on one key queue for it first in, first out: without it,
 * a slow store read (of the record, or of the run record before it) can let a later task ask
 * for the key first. Take the ticket synchronously when the delivery arrives.
 */
export function createAdmission(): Admission {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const turn = tail;
    tail = turn.then(() => released);
    return {
      async run(step) {
        await turn;
        try {
          return await step();
        } finally {
          release();
        }
      },
      release: () => release(),
    };
  };
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
  ticket: AdmissionTicket | undefined = deps.admit?.(),
): Promise<void> {
  const { workspaceId, webTaskId } = message;
  // Waiting for the key or a slot is not work yet: a stopping worker hands those back.
  const waitSignal = deps.draining ? AbortSignal.any([delivery.signal, deps.draining]) : delivery.signal;
  const admitted = await (ticket ?? { run: <T>(step: () => Promise<T>) => step() }).run(async () => {
    const record = await deps.tasks.get({ workspaceId, webTaskId });
    if (!record) {
      deps.logger.warn('queue message for an unknown task dropped', { workspaceId, webTaskId });
      return undefined;
    }
    if (record.status === 'completed') return undefined;
    const lease = deps.locks.acquire({
      name: `reuse:${workspaceId}:${record.request.reuseKey}`,
      ttlMs: deps.limits.lockTtlMs,
      signal: waitSignal,
    });
    // Awaited below; a rejection must not surface as unhandled before then.
    lease.catch(() => undefined);
    return { record, lease };
  });
  if (admitted) await leaseAndRun(deps, admitted.record, delivery, waitSignal, admitted.lease);
}

async function leaseAndRun(
  deps: ExecutorDeps,
  record: TaskRecord,
  delivery: DeliveryInfo,
  waitSignal: AbortSignal,
  keyLease: ReturnType<LockManager['acquire']>,
): Promise<void> {
  const { workspaceId, webTaskId } = record;
  const reuseKey = record.request.reuseKey;
  const held: {
    lease: Awaited<ReturnType<LockManager['acquire']>>;
    slot?: Awaited<ReturnType<LockManager['acquireSlot']>>;
  } = { lease: await keyLease };
  let stopKeepAlive = keepAlive(deps, held);
  try {
    held.slot = await deps.locks.acquireSlot({
      name: `workspace:${workspaceId}`,
      limit: deps.limits.maxConcurrentPerWorkspace,
      ttlMs: deps.limits.lockTtlMs,
      signal: waitSignal,
    });
    stopKeepAlive();
    stopKeepAlive = keepAlive(deps, held);
    const current = await deps.tasks.get({ workspaceId, webTaskId });
    if (!current || current.status === 'completed') return;
    if (deps.draining?.aborted) throw abortedWhileDraining();
    const startedAt = deps.clock.now();
    if (current.status === 'started' && current.request.sideEffects) {
      await failSideEffectsRedelivery(deps, current, (state) =>
        complete(deps, current, startedAt, undefined, state, [], delivery.signal),
      );
      return;
    }
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
        leaseExpiresAt: leaseUntil(deps.clock, deps.limits.lockTtlMs),
      },
    });
    deps.emit({ type: 'status', webTaskId, status: 'started' });
    deps.logger.info('task started', { workspaceId, webTaskId, reuseKey, attempt: started.attempts });
    const lease = holdTaskLease({ ...deps, workspaceId, webTaskId, ttlMs: deps.limits.lockTtlMs });
    try {
      await runStarted(withProxy(deps, started), started, startedAt, delivery);
    } finally {
      lease.stop();
      // Handed back unfinished (the worker stops, or lost the delivery): let the reconciler
      // see at once that nobody runs it any more.
      if (delivery.signal.aborted) {
        await deps.tasks
          .transition({
            workspaceId,
            webTaskId,
            from: ['started'],
            patch: { leaseExpiresAt: leaseUntil(deps.clock, 0) },
          })
          .catch(() => undefined);
      }
    }
  } finally {
    stopKeepAlive();
    if (held.slot) await deps.locks.releaseSlot({ slot: held.slot }).catch(() => undefined);
    await deps.locks.release({ lease: held.lease }).catch(() => undefined);
  }
}

async function runStarted(
  plainDeps: ExecutorDeps,
  task: TaskRecord,
  startedAt: number,
  delivery: DeliveryInfo,
): Promise<void> {
  const { workspaceId, webTaskId } = task;
  const request = task.request;
  let deps: ExecutorDeps;
  const tracker: SessionTracker = { latest: undefined };
  let signedIn: OpenedAuthSession | undefined;
  try {
    // Store reads before the run wait out a database restart, as the bundle load does.
    const storeRetry = { logger: plainDeps.logger, signal: delivery.signal };
    let secrets = await retryStoreCall(() => openTaskSecrets(plainDeps, task, delivery.signal), {
      ...storeRetry,
      what: 'open the task secrets',
    });
    let withAuth = plainDeps;
    if (request.auth) {
      const name = request.auth.session;
      const stored = await retryStoreCall(
        async () => plainDeps.authSessions?.open({ workspaceId, name, signal: delivery.signal }),
        { ...storeRetry, what: 'open the auth session' },
      );
      if (!stored || !plainDeps.authSessions)
        throw new WebTasksError({
          code: 'rejected',
          message: `No auth session "${name}" in this workspace: import one first (webtasks auth import ${name} state.json, or PUT /${workspaceId}/auth-sessions/${name}).`,
        });
      // The session's cookie and localStorage values leave the engine only as «session:name».
      secrets ??= createSecretRedactor({});
      secrets.addSessionValues(name, stored.state);
      signedIn = await ensureSignedIn({
        deps: plainDeps,
        sessions: plainDeps.authSessions,
        secrets,
        task,
        name,
        session: stored,
        signal: delivery.signal,
      });
      secrets.addSessionValues(name, signedIn.state);
      withAuth = {
        ...plainDeps,
        browser: browserWithStorageState(plainDeps.browser, signedIn.state, tracker),
      };
    }
    deps = withSecrets(withAuth, secrets);
  } catch (error) {
    if (delivery.signal.aborted) throw error;
    const wrapped = toWebTasksError(error, 'Opening the task secrets failed');
    await complete(plainDeps, task, startedAt, undefined, {
      name: 'failed',
      code: wrapped.taskErrorCode,
      message: wrapped.message,
    });
    plainDeps.requestSecrets?.held.delete(webTaskId);
    return;
  }
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
    onCall: (spend, call) => {
      deps.emit({ type: 'cost', webTaskId, aiUsd: spend.usd, modelCalls: spend.calls });
      const { usage, ...rest } = call;
      deps.emit({ type: 'model-call', webTaskId, ...usage, ...rest });
    },
    modelSetting: deps.settings.model,
  });
  let agent: Agent | undefined;
  let loaded: Bundle | undefined;
  let lastOutput: JsonValue = null;
  // The JavaScript of the last valid run, stored with the version a save creates from it.
  let lastCompiled: CompiledCode | undefined;
  /** Why the saved code failed, when it did: the real cause if no repair can be tried. */
  let savedFailure:
    | { version: number; evidence: import('../reuse/state-machine.js').FailureEvidence }
    | undefined;
  /** Where the request differs from what the saved code was written for (`reuse.notes`). */
  const notes: string[] = [];
  // The request's parameters, with the saved parameter schema's defaults once it is loaded.
  let params = request.parameters;
  let head: LiveVersion | undefined;
  let budget: ReuseBudget = deps.limits.reuse;
  const sideEffects = () => request.sideEffects === true || loaded?.sideEffects === true;

  const interpret = async (effect: ReuseEffect): Promise<ReuseEvent> => {
    switch (effect.type) {
      case 'load-bundle': {
        deps.emit({ type: 'phase', webTaskId, phase: 'loading' });
        const current = await retryStoreCall(
          () => loadLiveVersion(deps.bundles, { workspaceId, reuseKey: request.reuseKey, signal }),
          { what: 'load the saved bundle', logger: deps.logger, signal },
        );
        loaded = current.live;
        head = current;
        // `off` and a pin both mean: this version, unrepaired (a repair would never be used).
        if (current.settings.promotion === 'off' || current.settings.pinnedVersion !== undefined)
          budget = { ...budget, maxRepairAttempts: 0 };
        if (!loaded) return { type: 'bundle-loaded', bundle: undefined };
        params = parametersForBundle(loaded, request.parameters);
        // The caller's outputSchema wins over the saved one: the saved code's output is held to it.
        const compared = compareWithSaved(request, loaded);
        notes.push(...compared.notes);
        const bundle: BundleRef = {
          version: loaded.version,
          source: loaded.source,
          outputSchema: compared.outputSchema,
          ...(loaded.paramsSchema !== undefined ? { paramsSchema: loaded.paramsSchema } : {}),
        };
        return { type: 'bundle-loaded', bundle };
      }
      case 'run': {
        const savedVersion = effect.saved ? loaded : undefined;
        if (effect.saved) {
          // A secret the saved code reads but the task lacks: refused before anything runs.
          const missing = secretsReadBy(effect.code.source).find(
            (name) => deps.taskSecrets?.value(name) === undefined,
          );
          if (missing) throw missingSecretError(missing);
        }
        const ran = effect.saved
          ? { kind: 'saved' as const, ...(loaded ? { version: loaded.version } : {}) }
          : { kind: 'candidate' as const };
        deps.emit({
          type: 'phase',
          webTaskId,
          phase: effect.saved ? 'running-saved' : 'running-candidate',
          ...(effect.saved && loaded ? { version: loaded.version } : {}),
        });
        const result = await runCode(deps, {
          ...(savedVersion?.compiled ? { compiled: savedVersion.compiled } : {}),
          source: effect.code.source,
          outputSchema: effect.code.outputSchema,
          params,
          workspaceId,
          webTaskId,
          model,
          modelName: request.model,
          // Drift is judged against the saved version's history, for the saved code and for
          // repairs of it alike: a "repair" that returns nothing is no repair.
          ...(loaded?.stats ? { stats: loaded.stats } : {}),
          signal,
          onLog: (entry) => deps.emit({ type: 'log', webTaskId, level: entry.level, message: entry.message }),
          ...(request.debug?.trace ? { trace: true } : {}),
        });
        if (savedVersion && result.ran?.compiled && !result.ran.fromStore) {
          await storeCompiled(deps, savedVersion, result.ran.compiled, signal);
        }
        const refused = result.ok
          ? await checkValidRun({
              deps,
              saved: effect.saved,
              code: effect.code,
              output: result.output,
              params,
              task: request.task,
              ...(request.startUrl ? { startUrl: request.startUrl } : {}),
              loaded,
              canRepair: deps.model !== undefined && budget.maxRepairAttempts > 0,
              sideEffects: sideEffects(),
              replaySamples: deps.limits.replaySamples,
              workspaceId,
              webTaskId,
              model,
              modelName: request.model,
              emit: deps.emit,
              notes,
              signal,
            })
          : undefined;
        if (refused) {
          deps.emit({ type: 'run-result', webTaskId, ok: false, message: refused.message.slice(0, 300) });
          return { type: 'run-invalid', evidence: refused };
        }
        const artifacts = result.artifacts.length > 0 ? { artifacts: result.artifacts } : {};
        if (result.ok) {
          lastOutput = result.output;
          lastCompiled = result.ran.compiled;
          deps.emit({
            type: 'run-result',
            webTaskId,
            ok: true,
            message: 'output is valid',
            ...ran,
            output: outputStatsOf(result.output),
            ...artifacts,
          });
          return { type: 'run-valid', output: result.output };
        }
        const { evidence } = result;
        deps.emit({
          type: 'run-result',
          webTaskId,
          ok: false,
          message: evidence.message.slice(0, 300),
          ...ran,
          error: {
            kind: evidence.kind,
            message: evidence.message.slice(0, 4000),
            ...(evidence.stack ? { stack: evidence.stack.slice(0, 4000) } : {}),
          },
          evidence: {
            ...(evidence.pageUrl ? { pageUrl: evidence.pageUrl } : {}),
            ...(evidence.logs ? { logs: evidence.logs } : {}),
            ...(evidence.outputSample !== undefined ? { outputSample: evidence.outputSample } : {}),
          },
          ...artifacts,
        });
        if (result.fatal) throw result.fatal;
        if (effect.saved && 'version' in effect.code) {
          savedFailure = { version: effect.code.version, evidence: result.evidence };
        }
        return { type: 'run-invalid', evidence: result.evidence };
      }
      case 'author': {
        const max =
          effect.mode === 'explore'
            ? deps.limits.reuse.maxExploreAttempts
            : deps.limits.reuse.maxRepairAttempts;
        deps.emit({ type: 'phase', webTaskId, phase: effect.mode === 'explore' ? 'exploring' : 'repairing' });
        deps.emit({ type: 'attempt', webTaskId, attempt: effect.attempt, of: max, kind: effect.mode });
        if (effect.mode === 'explore' && effect.attempt === 1 && request.startUrl) {
          // Only with an engine-level policy: a browser provider's own policy is not known here.
          const blocked = deps.egress ? literallyBlockedHost(request.startUrl, deps.egress) : undefined;
          if (blocked) {
            throw new WebTasksError({
              code: 'policy-denied',
              message: `The start URL ${request.startUrl} is a loopback or private address, which the browser's egress policy blocks. To allow it: ${deps.settings.allowHost(blocked)}`,
            });
          }
        }
        if (!deps.model) {
          throw modelNotConfigured(
            effect.mode === 'explore'
              ? `Reuse key "${request.reuseKey}" has no saved code, so the agent must write it`
              : 'The saved code failed and must be repaired by the agent',
            deps.settings,
          );
        }
        agent ??= createAgent({
          deps,
          task: {
            task: request.task,
            ...(request.startUrl ? { startUrl: request.startUrl } : {}),
            parameters: params,
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
        // Under `review`, a repair is saved for approval; runs keep the current version.
        const proposed = head?.settings.promotion === 'review' && effect.mode === 'repair';
        try {
          const saved = await saveIdempotently(deps, signal, {
            bundle: {
              workspaceId,
              reuseKey: request.reuseKey,
              source: effect.candidate.source,
              outputSchema: effect.candidate.outputSchema,
              ...savedParamsSchema(effect.candidate, loaded),
              ...(sideEffects() ? { sideEffects: true } : {}),
              ...(proposed ? { status: 'proposed' as const } : {}),
              origin: effect.mode,
              task: request.task,
              ...(request.startUrl ? { startUrl: request.startUrl } : {}),
              webTaskId,
              ...(effect.parentVersion ? { parentVersion: effect.parentVersion } : {}),
              ...(lastCompiled && lastCompiled.sourceHash === hashSource(effect.candidate.source)
                ? { compiled: lastCompiled }
                : {}),
            },
            // The newest version of any state, so a proposed version never gets overwritten.
            expectedVersion: head?.headVersion ?? effect.expectedVersion,
            signal,
          });
          if (proposed) notes.push(proposedNote(request.reuseKey, saved.version, effect.parentVersion));
          await deps.bundles
            .saveStats({
              workspaceId,
              reuseKey: request.reuseKey,
              version: saved.version,
              stats: recordRun({
                stats: undefined,
                output: lastOutput,
                params,
                at: new Date(deps.clock.now()).toISOString(),
                sideEffects: sideEffects(),
                ...(loaded?.stats?.samples ? { carried: loaded.stats.samples } : {}),
              }),
            })
            .catch((error: unknown) =>
              deps.logger.warn('could not save output statistics', { error: String(error) }),
            );
          deps.emit({ type: 'saved', webTaskId, reuseKey: request.reuseKey, version: saved.version });
          return { type: 'saved', version: saved.version };
        } catch (error) {
          if (!WebTasksError.hasCode(error, 'conflict')) throw error;
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
    let step = transition(state, { type: 'leased' }, budget);
    while (step.effect) {
      let event: ReuseEvent;
      try {
        // A timed-out task interprets no further effect: above all, no save.
        if (signal.aborted && !delivery.signal.aborted) throw timeoutError(deps.limits.taskTimeoutMs);
        event = await interpret(step.effect);
      } catch (error) {
        if (delivery.signal.aborted) throw error;
        const wrapped = timeout.signal.aborted
          ? timeoutError(deps.limits.taskTimeoutMs)
          : toWebTasksError(error);
        deps.logger.debug('effect failed', {
          effect: step.effect.type,
          code: wrapped.code,
          message: wrapped.message,
        });
        const noRepair =
          step.effect.type === 'author' &&
          step.effect.mode === 'repair' &&
          savedFailure !== undefined &&
          preventedRepair(wrapped, model.spend.calls);
        event =
          noRepair && savedFailure
            ? {
                type: 'fatal',
                ...savedRunFailure({ ...savedFailure, repairError: wrapped, settings: deps.settings }),
              }
            : { type: 'fatal', code: wrapped.taskErrorCode, message: wrapped.message };
      }
      step = transition(step.state, event, budget);
    }
    state = step.state;
    if (state.name === 'failed' && savedFailure && deps.limits.reuse.maxRepairAttempts < 1) {
      const message = `The saved code (v${savedFailure.version}) failed and repairs are off: ${describeRunFailure(savedFailure.evidence, deps.settings)}`;
      state = { ...state, message };
    }
    state = explainNoRepair(state, request.reuseKey, head);
    if (state.name === 'succeeded' && loaded && !state.savedVersion && state.version === loaded.version) {
      await deps.bundles
        .saveStats({
          workspaceId,
          reuseKey: request.reuseKey,
          version: loaded.version,
          stats: recordRun({
            stats: loaded.stats,
            output: state.output,
            params,
            at: new Date(deps.clock.now()).toISOString(),
            sideEffects: sideEffects(),
          }),
        })
        .catch((error: unknown) =>
          deps.logger.warn('could not save output statistics', { error: String(error) }),
        );
    }
  } finally {
    clearTimeout(timer);
    await agent?.close();
  }
  // The last boundary: nothing of a secret's value reaches the record (output, message, causes).
  if (deps.taskSecrets) state = deps.taskSecrets.redactJson(state);
  // Cookies the successful run refreshed go back into the session (a failed run saves nothing).
  if (request.auth && state.name === 'succeeded' && tracker.latest) {
    await plainDeps.authSessions
      ?.save({
        workspaceId,
        name: request.auth.session,
        session: { state: tracker.latest, ...(signedIn?.login ? { login: signedIn.login } : {}) },
      })
      .catch((error: unknown) =>
        deps.logger.warn('could not save the refreshed auth session', { error: String(error) }),
      );
  }
  await complete(deps, task, startedAt, model, state, notes, delivery.signal);
  deps.proxyPasswords?.delete(webTaskId);
  deps.requestSecrets?.held.delete(webTaskId);
}

async function complete(
  deps: ExecutorDeps,
  task: TaskRecord,
  startedAt: number,
  model: MeteredModel | undefined,
  state: ReuseState,
  notes: string[] = [],
  signal?: AbortSignal,
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
        reuse: { key: task.request.reuseKey, ...state.flags, ...(notes.length ? { notes } : {}) },
        cost,
        bundleVersion: state.version,
        completedAt,
      };
    } catch (error) {
      const wrapped = toWebTasksError(error, 'Storing the result failed');
      patch = failedPatch(task, cost, completedAt, 'internal-error', wrapped.message);
    }
  } else if (state.name === 'failed') {
    patch = failedPatch(task, cost, completedAt, state.code, state.message, state.causes);
  } else {
    patch = failedPatch(
      task,
      cost,
      completedAt,
      'internal-error',
      `The task stopped in state ${state.name}.`,
    );
  }
  await finishDurably(deps, { workspaceId, webTaskId, patch, ...(signal ? { signal } : {}) });
  deps.emit({ type: 'status', webTaskId, status: 'completed', outcome: patch.outcome ?? 'failed' });
  deps.logger.info('task completed', {
    workspaceId,
    webTaskId,
    reuseKey: task.request.reuseKey,
    outcome: patch.outcome,
    ...(patch.error ? { errorCode: patch.error.code } : {}),
    aiUsd: cost.aiUsd,
    durationMs: deps.clock.now() - startedAt,
    reuse: patch.reuse,
  });
}

function failedPatch(
  task: TaskRecord,
  cost: { aiUsd: number; compute: { unit: 'hours'; amount: number } },
  completedAt: string,
  code: import('@webtasks/protocol').TaskErrorCode,
  message: string,
  causes?: import('../ports/task-store.js').TaskErrorCause[],
) {
  return {
    status: 'completed' as const,
    outcome: 'failed' as const,
    error: { code, message, ...(causes ? { causes } : {}) },
    reuse: { key: task.request.reuseKey, ...FAILED_FLAGS },
    cost,
    completedAt,
  };
}

function abortedWhileDraining(): WebTasksError {
  return new WebTasksError({
    code: 'aborted',
    message: 'The worker is stopping: this task goes back to the queue before it started.',
  });
}
