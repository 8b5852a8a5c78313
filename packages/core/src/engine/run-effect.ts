import { checkValidRun } from '../promotion/check-run.js';
import type { ReuseEffect, ReuseEvent } from '../reuse/state-machine.js';
import { storeCompiled } from '../run/compiled-code.js';
import { runCode } from '../run/run-code.js';
import { outputStatsOf } from '../runs/output-stats.js';
import { missingSecretError, secretsReadBy } from '../secrets/redaction.js';
import { type ReuseRun, sideEffectsOf } from './reuse-loop.js';

/**
 * Run code in the sandbox: the saved version (`saved`) or a candidate the agent submitted.
 * A valid output must also pass the promotion gate (`checkValidRun`) before it counts; the
 * outcome is reported as a `run-result` event either way.
 */
export async function runEffect(
  run: ReuseRun,
  effect: Extract<ReuseEffect, { type: 'run' }>,
): Promise<ReuseEvent> {
  const { deps, task, model, signal, loaded, params } = run;
  const { workspaceId, webTaskId } = task;
  const request = task.request;
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
        canRepair: deps.model !== undefined && run.budget.maxRepairAttempts > 0,
        sideEffects: sideEffectsOf(run),
        replaySamples: deps.limits.replaySamples,
        workspaceId,
        webTaskId,
        model,
        modelName: request.model,
        emit: deps.emit,
        notes: run.notes,
        signal,
      })
    : undefined;
  if (refused) {
    deps.emit({ type: 'run-result', webTaskId, ok: false, message: refused.message.slice(0, 300) });
    return { type: 'run-invalid', evidence: refused };
  }
  const artifacts = result.artifacts.length > 0 ? { artifacts: result.artifacts } : {};
  if (result.ok) {
    run.lastOutput = result.output;
    run.lastCompiled = result.ran.compiled;
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
    run.savedFailure = { version: effect.code.version, evidence: result.evidence };
  }
  return { type: 'run-invalid', evidence: result.evidence };
}
