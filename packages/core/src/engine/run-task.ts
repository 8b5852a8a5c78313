import { toWebTasksError } from '../errors.js';
import type { DeliveryInfo } from '../ports/task-queue.js';
import type { TaskRecord } from '../ports/task-store.js';
import type { ReuseState } from '../reuse/state-machine.js';
import { createMeteredModel } from '../run/metered-model.js';
import { completeTask } from './complete-task.js';
import type { ExecutorDeps } from './executor-deps.js';
import { createReuseRun, driveReuse, timeoutError } from './reuse-loop.js';
import { type OpenedRun, openRun } from './run-start.js';

/**
 * Run a task marked started: open its secrets and auth session, drive the reuse loop under
 * the task timeout, then save a refreshed auth session and complete the record. A failure to
 * open the run completes the task as failed; a lost delivery rejects (the queue redelivers).
 */
export async function runStarted(
  plainDeps: ExecutorDeps,
  task: TaskRecord,
  startedAt: number,
  delivery: DeliveryInfo,
): Promise<void> {
  const { workspaceId, webTaskId } = task;
  const request = task.request;
  let opened: OpenedRun;
  try {
    opened = await openRun(plainDeps, task, delivery.signal);
  } catch (error) {
    if (delivery.signal.aborted) throw error;
    const wrapped = toWebTasksError(error, 'Opening the task secrets failed');
    await completeTask(plainDeps, task, startedAt, undefined, {
      name: 'failed',
      code: wrapped.taskErrorCode,
      message: wrapped.message,
    });
    plainDeps.requestSecrets?.held.delete(webTaskId);
    return;
  }
  const { deps, tracker, signedIn } = opened;
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
  const run = createReuseRun({ deps, task, model, signal });
  let state: ReuseState;
  try {
    state = await driveReuse(run, { delivery: delivery.signal, timeout: timeout.signal });
  } finally {
    clearTimeout(timer);
    await run.agent?.close();
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
  await completeTask(deps, task, startedAt, model, state, run.notes, delivery.signal);
  deps.proxyPasswords?.delete(webTaskId);
  deps.requestSecrets?.held.delete(webTaskId);
}
