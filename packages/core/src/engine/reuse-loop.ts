import type { Agent } from '../agent/agent.js';
import { toWebTasksError, WebTasksError } from '../errors.js';
import type { Bundle, CompiledCode } from '../ports/bundle-store.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import type { TaskRecord } from '../ports/task-store.js';
import type { LiveVersion } from '../promotion/live-version.js';
import { explainNoRepair } from '../promotion/review.js';
import { recordRun } from '../promotion/run-samples.js';
import {
  type FailureEvidence,
  INITIAL_STATE,
  type ReuseBudget,
  type ReuseEvent,
  type ReuseState,
  transition,
} from '../reuse/state-machine.js';
import type { MeteredModel } from '../run/metered-model.js';
import type { ExecutorDeps } from './executor-deps.js';
import { describeRunFailure, preventedRepair, savedRunFailure } from './real-cause.js';
import { interpretEffect } from './reuse-effects.js';

// ─── The reuse loop ──────────────────────────────────────────────────────────────────────
// The reuse state machine (reuse/state-machine.ts) decides what happens next; this loop
// performs each effect it asks for (reuse-effects.ts, run-effect.ts), feeds the outcome back
// as an event, and turns a failing effect into the task's real cause.

/** One run's state, shared by the effects the state machine asks for. */
export interface ReuseRun {
  readonly deps: ExecutorDeps;
  readonly task: TaskRecord;
  /** The task's model, metered (cost events, credits). */
  readonly model: MeteredModel;
  /** Aborts when the delivery is lost and when the task times out. */
  readonly signal: AbortSignal;
  /** The reuse budget; repairs are off under promotion `off` or a pinned version. */
  budget: ReuseBudget;
  /** The request's parameters, with the saved parameter schema's defaults once it is loaded. */
  params: JsonObject;
  /** Where the request differs from what the saved code was written for (`reuse.notes`). */
  readonly notes: string[];
  /** The key's versions and settings, once loaded. */
  head: LiveVersion | undefined;
  /** The saved version the run uses, once loaded. */
  loaded: Bundle | undefined;
  /** Created on the first authoring effect; keeps its browser and conversation across attempts. */
  agent: Agent | undefined;
  /** The output of the last valid run. */
  lastOutput: JsonValue;
  /** The JavaScript of the last valid run, stored with the version a save creates from it. */
  lastCompiled: CompiledCode | undefined;
  /** Why the saved code failed, when it did: the real cause if no repair can be tried. */
  savedFailure: { version: number; evidence: FailureEvidence } | undefined;
}

/** A fresh run of `task` (nothing loaded yet). */
export function createReuseRun(options: {
  deps: ExecutorDeps;
  task: TaskRecord;
  model: MeteredModel;
  signal: AbortSignal;
}): ReuseRun {
  return {
    ...options,
    budget: options.deps.limits.reuse,
    params: options.task.request.parameters,
    notes: [],
    head: undefined,
    loaded: undefined,
    agent: undefined,
    lastOutput: null,
    lastCompiled: undefined,
    savedFailure: undefined,
  };
}

/** Whether the run changes the site: the request says so, or the saved version does. */
export function sideEffectsOf(run: ReuseRun): boolean {
  return run.task.request.sideEffects === true || run.loaded?.sideEffects === true;
}

export function timeoutError(ms: number): WebTasksError {
  return new WebTasksError({
    code: 'timeout',
    message: `The task ran longer than its ${Math.round(ms / 1000)} s limit and was stopped. Nothing was saved.`,
  });
}

/**
 * Drive the state machine from `leased` to its end and return the final state. A lost
 * delivery rejects (the queue redelivers); every other failure becomes the failed state.
 */
export async function driveReuse(
  run: ReuseRun,
  signals: { delivery: AbortSignal; timeout: AbortSignal },
): Promise<ReuseState> {
  const { deps, task, model, signal } = run;
  const { workspaceId } = task;
  const request = task.request;
  let state: ReuseState = INITIAL_STATE;
  let step = transition(state, { type: 'leased' }, run.budget);
  while (step.effect) {
    let event: ReuseEvent;
    try {
      // A timed-out task interprets no further effect: above all, no save.
      if (signal.aborted && !signals.delivery.aborted) throw timeoutError(deps.limits.taskTimeoutMs);
      event = await interpretEffect(run, step.effect);
    } catch (error) {
      if (signals.delivery.aborted) throw error;
      const wrapped = signals.timeout.aborted
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
        run.savedFailure !== undefined &&
        preventedRepair(wrapped, model.spend.calls);
      event =
        noRepair && run.savedFailure
          ? {
              type: 'fatal',
              ...savedRunFailure({ ...run.savedFailure, repairError: wrapped, settings: deps.settings }),
            }
          : { type: 'fatal', code: wrapped.taskErrorCode, message: wrapped.message };
    }
    step = transition(step.state, event, run.budget);
  }
  state = step.state;
  const { savedFailure, loaded, head } = run;
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
          params: run.params,
          at: new Date(deps.clock.now()).toISOString(),
          sideEffects: sideEffectsOf(run),
        }),
      })
      .catch((error: unknown) =>
        deps.logger.warn('could not save output statistics', { error: String(error) }),
      );
  }
  return state;
}
