import { createAgent } from '../agent/agent.js';
import { WebTasksError } from '../errors.js';
import { loadLiveVersion } from '../promotion/live-version.js';
import { parametersForBundle, savedParamsSchema } from '../promotion/params-check.js';
import { proposedNote } from '../promotion/review.js';
import { recordRun } from '../promotion/run-samples.js';
import type { BundleRef, ReuseEffect, ReuseEvent } from '../reuse/state-machine.js';
import { hashSource } from '../run/compiled-code.js';
import { compareWithSaved } from './compare-request.js';
import { saveIdempotently } from './durable-completion.js';
import { modelNotConfigured } from './real-cause.js';
import type { ReuseRun } from './reuse-loop.js';
import { sideEffectsOf } from './reuse-loop.js';
import { runEffect } from './run-effect.js';
import { literallyBlockedHost } from './setting-names.js';
import { retryStoreCall } from './store-retry.js';

type EffectOf<T extends ReuseEffect['type']> = Extract<ReuseEffect, { type: T }>;

/** Perform one effect the reuse state machine asked for; its outcome is the next event. */
export async function interpretEffect(run: ReuseRun, effect: ReuseEffect): Promise<ReuseEvent> {
  switch (effect.type) {
    case 'load-bundle':
      return loadBundle(run);
    case 'run':
      return runEffect(run, effect);
    case 'author':
      return author(run, effect);
    case 'save':
      return save(run, effect);
  }
}

/** Load the version runs use, with the key's settings; the request is compared with it. */
async function loadBundle(run: ReuseRun): Promise<ReuseEvent> {
  const { deps, task, signal } = run;
  const { workspaceId, webTaskId } = task;
  const request = task.request;
  deps.emit({ type: 'phase', webTaskId, phase: 'loading' });
  const current = await retryStoreCall(
    () => loadLiveVersion(deps.bundles, { workspaceId, reuseKey: request.reuseKey, signal }),
    { what: 'load the saved bundle', logger: deps.logger, signal },
  );
  run.loaded = current.live;
  run.head = current;
  // `off` and a pin both mean: this version, unrepaired (a repair would never be used).
  if (current.settings.promotion === 'off' || current.settings.pinnedVersion !== undefined)
    run.budget = { ...run.budget, maxRepairAttempts: 0 };
  const loaded = run.loaded;
  if (!loaded) return { type: 'bundle-loaded', bundle: undefined };
  run.params = parametersForBundle(loaded, request.parameters);
  // The caller's outputSchema wins over the saved one: the saved code's output is held to it.
  const compared = compareWithSaved(request, loaded);
  run.notes.push(...compared.notes);
  const bundle: BundleRef = {
    version: loaded.version,
    source: loaded.source,
    outputSchema: compared.outputSchema,
    ...(loaded.paramsSchema !== undefined ? { paramsSchema: loaded.paramsSchema } : {}),
  };
  return { type: 'bundle-loaded', bundle };
}

/** Let the agent write (explore) or fix (repair) the code: one candidate, or it gives up. */
async function author(run: ReuseRun, effect: EffectOf<'author'>): Promise<ReuseEvent> {
  const { deps, task, model, signal } = run;
  const { workspaceId, webTaskId } = task;
  const request = task.request;
  const max =
    effect.mode === 'explore' ? deps.limits.reuse.maxExploreAttempts : deps.limits.reuse.maxRepairAttempts;
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
  run.agent ??= createAgent({
    deps,
    task: {
      task: request.task,
      ...(request.startUrl ? { startUrl: request.startUrl } : {}),
      parameters: run.params,
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
  const authored = await run.agent.author({
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

/**
 * Save a candidate that ran valid as the key's next version (proposed under `review` for a
 * repair). Another run saving first is a `save-conflict`, not a failure.
 */
async function save(run: ReuseRun, effect: EffectOf<'save'>): Promise<ReuseEvent> {
  const { deps, task, signal, head, loaded, lastCompiled } = run;
  const { workspaceId, webTaskId } = task;
  const request = task.request;
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
        ...(sideEffectsOf(run) ? { sideEffects: true } : {}),
        ...(proposed ? { status: 'proposed' as const } : {}),
        origin: effect.mode,
        task: request.task,
        ...(request.startUrl ? { startUrl: request.startUrl } : {}),
        webTaskId,
        ...(effect.parentVersion ? { parentVersion: effect.parentVersion } : {}),
        ...(lastCompiled && lastCompiled.sourceHash === hashSource(effect.candidate.source)
          ? { compiled: lastCompiled }
          : {}),
        // Saved with the version in one write: drift checks and replays need them from the start.
        stats: recordRun({
          stats: undefined,
          output: run.lastOutput,
          params: run.params,
          at: new Date(deps.clock.now()).toISOString(),
          sideEffects: sideEffectsOf(run),
          ...(loaded?.stats?.samples ? { carried: loaded.stats.samples } : {}),
        }),
      },
      // The newest version of any state, so a proposed version never gets overwritten.
      expectedVersion: head?.headVersion ?? effect.expectedVersion,
      signal,
    });
    if (proposed) run.notes.push(proposedNote(request.reuseKey, saved.version, effect.parentVersion));
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
