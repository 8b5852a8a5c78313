import type { TaskEvent } from '../engine-api.js';
import type { RunSample } from '../ports/bundle-store.js';
import type { JsonObject } from '../ports/common.js';
import type { Candidate, FailureEvidence } from '../reuse/state-machine.js';
import type { MeteredModel } from '../run/metered-model.js';
import { type CodeRunnerDeps, runCode } from '../run/run-code.js';
import { auditHardCoding } from './hard-coding-audit.js';
import { sharedParameterChecker } from './params-check.js';
import { samplesToReplay } from './run-samples.js';

/** Earlier parameter sets a candidate is replayed with (SPEC §8: K, default 3). */
export const DEFAULT_REPLAY_SAMPLES = 3;

/** What the promotion gate needs to judge one candidate that just passed its own run. */
export interface PromotionGateOptions {
  deps: CodeRunnerDeps;
  candidate: Candidate;
  /** This run's parameters (defaults applied) and its valid output. */
  params: JsonObject;
  output: import('../ports/common.js').JsonValue;
  task: string;
  startUrl?: string;
  /** Earlier successful runs of the key (from the saved version's statistics). */
  samples: RunSample[] | undefined;
  /** Replay at most this many (0 turns replay off). */
  replaySamples: number;
  /** The task changes the site: never replayed. */
  sideEffects: boolean;
  workspaceId: string;
  webTaskId: string;
  model: MeteredModel;
  modelName: string;
  emit: (event: TaskEvent) => void;
  signal?: AbortSignal;
}

/** The gate's verdict: nothing (promote), or evidence for the agent's next attempt. */
export type PromotionVerdict = { ok: true; replayed: number } | { ok: false; evidence: FailureEvidence };

/**
 * The promotion gate a candidate passes before it is saved: the hard-coding audit (no
 * model, no browser), then the replay gate: the candidate runs again with the parameters of
 * up to K distinct earlier successful runs, and each replay must pass the output schema and
 * the drift checks against the statistics that run recorded. Side-effecting tasks are not
 * replayed. A refusal is evidence for the agent, inside the attempt budget.
 */
export async function judgeCandidate(options: PromotionGateOptions): Promise<PromotionVerdict> {
  const audit = auditHardCoding({
    source: options.candidate.source,
    params: options.params,
    output: options.output,
    task: options.task,
    ...(options.startUrl ? { startUrl: options.startUrl } : {}),
    ...(options.deps.taskSecrets ? { secrets: options.deps.taskSecrets } : {}),
  });
  if (!audit.ok) return { ok: false, evidence: { kind: 'hard-coded', message: audit.message } };
  if (options.sideEffects) return { ok: true, replayed: 0 };

  const samples = samplesToReplay(options.samples, options.params, options.replaySamples);
  for (const [index, sample] of samples.entries()) {
    const shown = JSON.stringify(sample.params);
    let params = sample.params;
    if (options.candidate.paramsSchema !== undefined) {
      const check = sharedParameterChecker().check(options.candidate.paramsSchema, sample.params);
      if (!check.ok) {
        return refuse(options, shown, index, samples.length, {
          kind: 'replay-failed',
          message: `your paramsSchema rejects them (${check.message}), but an earlier run succeeded with them: describe every parameter set the task accepts.`,
        });
      }
      params = check.params;
    }
    const result = await runCode(options.deps, {
      source: options.candidate.source,
      outputSchema: options.candidate.outputSchema,
      params,
      workspaceId: options.workspaceId,
      webTaskId: options.webTaskId,
      model: options.model,
      modelName: options.modelName,
      stats: sample.stats,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!result.ok) {
      if (result.fatal) throw result.fatal;
      return refuse(options, shown, index, samples.length, result.evidence);
    }
    options.emit({
      type: 'replay',
      webTaskId: options.webTaskId,
      params: sample.params,
      ok: true,
      message: `replay ${index + 1}/${samples.length} with ${shown}: output is valid`,
    });
  }
  return { ok: true, replayed: samples.length };
}

function refuse(
  options: PromotionGateOptions,
  shown: string,
  index: number,
  of: number,
  evidence: FailureEvidence,
): PromotionVerdict {
  const message = `The program works for this run's parameters but not for those of an earlier successful run, ${shown} (replay ${index + 1} of ${of}): ${evidence.message} Make it work for every parameter set, not only this run's.`;
  options.emit({
    type: 'replay',
    webTaskId: options.webTaskId,
    params: JSON.parse(shown) as JsonObject,
    ok: false,
    message: message.slice(0, 300),
  });
  return { ok: false, evidence: { ...evidence, kind: 'replay-failed', message } };
}
