import type { OutputStats, RunSample } from '../ports/bundle-store.js';
import type { JsonObject, JsonValue } from '../ports/common.js';
import { updateStats } from '../validation/drift.js';

/** Distinct parameter sets remembered per key. */
export const MAX_RUN_SAMPLES = 10;

/** A canonical text of parameters (keys sorted), so `{a,b}` and `{b,a}` are the same set. */
export function paramsKey(params: JsonValue): string {
  if (Array.isArray(params)) return `[${params.map(paramsKey).join(',')}]`;
  if (params !== null && typeof params === 'object') {
    return `{${Object.keys(params)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${paramsKey((params as JsonObject)[key] as JsonValue)}`)
      .join(',')}}`;
  }
  return JSON.stringify(params);
}

/**
 * Fold a successful run into a version's statistics and remember its parameters (the
 * newest run with the same parameters replaces an older one). `carried` are the samples of
 * the version this one replaces, so a new version keeps the key's history.
 */
export function recordRun(options: {
  stats: OutputStats | undefined;
  output: JsonValue;
  params: JsonObject;
  at: string;
  /** Side-effecting tasks are never replayed: their parameters are not remembered. */
  sideEffects?: boolean;
  carried?: RunSample[];
}): OutputStats {
  const { samples: previous, ...rest } = options.stats ?? ({} as Partial<OutputStats>);
  const folded = updateStats(options.stats ? (rest as OutputStats) : undefined, options.output);
  if (options.sideEffects) return folded;
  const key = paramsKey(options.params);
  const kept = [...(options.carried ?? []), ...(previous ?? [])].filter((s) => paramsKey(s.params) !== key);
  const sample: RunSample = {
    params: options.params,
    stats: updateStats(undefined, options.output),
    at: options.at,
  };
  return { ...folded, samples: dedupe([...kept, sample]).slice(-MAX_RUN_SAMPLES) };
}

function dedupe(samples: RunSample[]): RunSample[] {
  const byKey = new Map<string, RunSample>();
  for (const sample of samples) {
    const key = paramsKey(sample.params);
    byKey.delete(key);
    byKey.set(key, sample);
  }
  return [...byKey.values()];
}

/** Up to `limit` samples to replay, newest first, skipping the parameters of the current run. */
export function samplesToReplay(
  samples: RunSample[] | undefined,
  current: JsonObject,
  limit: number,
): RunSample[] {
  const skip = paramsKey(current);
  return [...(samples ?? [])]
    .reverse()
    .filter((sample) => paramsKey(sample.params) !== skip)
    .slice(0, Math.max(0, limit));
}
