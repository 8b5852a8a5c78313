import type { TaskEvent } from '../engine-api.js';
import type { Bundle } from '../ports/bundle-store.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import type { BundleRef, Candidate, FailureEvidence } from '../reuse/state-machine.js';
import type { MeteredModel } from '../run/metered-model.js';
import type { CodeRunnerDeps } from '../run/run-code.js';
import { isSuspectEmpty, SUSPECT_EMPTY_EVIDENCE, SUSPECT_EMPTY_NOTE } from './import-verify.js';
import { DEFAULT_REPLAY_SAMPLES, judgeCandidate } from './replay-gate.js';

/**
 * What the promotion rules say about a run whose output passed the schema and drift checks:
 * nothing (it stands), or evidence that sends it back to the agent. Saved code: an empty
 * list that no history vouches for is suspect (repaired when `canRepair`, else a note).
 * Candidates: the hard-coding audit and the replay gate.
 */
export async function checkValidRun(options: {
  deps: CodeRunnerDeps;
  saved: boolean;
  code: Candidate | BundleRef;
  output: JsonValue;
  params: JsonObject;
  task: string;
  startUrl?: string;
  /** The version the run started from (its statistics and remembered parameters). */
  loaded: Bundle | undefined;
  /** A model is configured and the key's settings allow repairs. */
  canRepair: boolean;
  sideEffects: boolean;
  replaySamples: number | undefined;
  workspaceId: string;
  webTaskId: string;
  model: MeteredModel;
  modelName: string;
  emit: (event: TaskEvent) => void;
  /** Warnings for `reuse.notes`. */
  notes: string[];
  signal?: AbortSignal;
}): Promise<FailureEvidence | undefined> {
  if (options.saved) {
    if (!isSuspectEmpty(options.output, options.code.outputSchema, options.loaded?.stats)) return undefined;
    if (options.canRepair) return { kind: 'suspect-empty', message: SUSPECT_EMPTY_EVIDENCE };
    options.notes.push(SUSPECT_EMPTY_NOTE);
    return undefined;
  }
  const verdict = await judgeCandidate({
    deps: options.deps,
    candidate: options.code,
    params: options.params,
    output: options.output,
    task: options.task,
    ...(options.startUrl ? { startUrl: options.startUrl } : {}),
    samples: options.loaded?.stats?.samples,
    replaySamples: options.replaySamples ?? DEFAULT_REPLAY_SAMPLES,
    sideEffects: options.sideEffects,
    workspaceId: options.workspaceId,
    webTaskId: options.webTaskId,
    model: options.model,
    modelName: options.modelName,
    emit: options.emit,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return verdict.ok ? undefined : verdict.evidence;
}
