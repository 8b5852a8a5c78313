import { rowsOf } from '../delivery.js';
import { WebTasksError } from '../errors.js';
import type { Bundle, OutputStats, RunSample } from '../ports/bundle-store.js';
import type { JsonObject, JsonSchema, JsonValue } from '../ports/common.js';

/** Runs a bundle once for `bundles import` (assembled by the engine: browser, sandbox, compiler). */
export type BundleVerifier = (options: {
  workspaceId: string;
  reuseKey: string;
  source: string;
  outputSchema: JsonSchema;
  params: JsonObject;
  signal?: AbortSignal;
}) => Promise<{ ok: true; output: JsonValue } | { ok: false; message: string }>;

/** What an import's verification run established. */
export type ImportVerification =
  | { verified: true; params: JsonObject; rowCount?: number }
  | { verified: false; reason: string };

/** A saved import and how it was verified. */
export type ImportedBundle = Bundle & { verification: ImportVerification };

function refused(reuseKey: string, params: JsonObject, why: string): WebTasksError {
  return new WebTasksError({
    code: 'invalid-request',
    message: `The bundle was not imported as "${reuseKey}": its verification run with parameters ${JSON.stringify(params)} ${why} Fix the code or pass the parameters it needs (--param name=value), or import with --no-verify to skip the run.`,
  });
}

/**
 * Run an imported bundle once with the given parameters, so its first version has baseline
 * statistics for the drift checks. Refuses (invalid-request) a run that fails or returns an
 * empty list: an import that finds nothing on today's page would otherwise go live and
 * return empty successes.
 */
export async function verifyImport(options: {
  verifier: BundleVerifier | undefined;
  workspaceId: string;
  reuseKey: string;
  source: string;
  outputSchema: JsonSchema;
  params: JsonObject;
  signal?: AbortSignal;
}): Promise<{ output: JsonValue; rowCount?: number }> {
  if (!options.verifier) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `Verifying the import of "${options.reuseKey}" needs a browser and a sandbox: import through the engine (engine.bundles.import), or pass verify: false (--no-verify).`,
    });
  }
  const result = await options.verifier({
    workspaceId: options.workspaceId,
    reuseKey: options.reuseKey,
    source: options.source,
    outputSchema: options.outputSchema,
    params: options.params,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!result.ok) {
    const message = /[.!?]$/.test(result.message.trim())
      ? result.message.trim()
      : `${result.message.trim()}.`;
    throw refused(options.reuseKey, options.params, `failed: ${message}`);
  }
  const rows = rowsOf(result.output);
  if (rows && rows.length === 0) {
    throw refused(
      options.reuseKey,
      options.params,
      'returned an empty list, so nothing shows that it works on the page today.',
    );
  }
  return { output: result.output, ...(rows ? { rowCount: rows.length } : {}) };
}

/** Statistics of a version with no run yet that keeps the key's earlier parameter sets. */
export function carriedStats(samples: RunSample[] | undefined): OutputStats | undefined {
  return samples && samples.length > 0 ? { runs: 0, rowCounts: [], filledRuns: {}, samples } : undefined;
}

/**
 * True when a saved run's output is an empty top-level list that nothing can vouch for: the
 * version has no successful run on record and its schema is a list of objects. Drift checks
 * need history; without it an empty list is suspect rather than a success.
 */
export function isSuspectEmpty(
  output: JsonValue,
  outputSchema: JsonSchema,
  stats: OutputStats | undefined,
): boolean {
  if (!Array.isArray(output) || output.length > 0) return false;
  if ((stats?.runs ?? 0) > 0) return false;
  if (typeof outputSchema !== 'object' || outputSchema === null) return false;
  const schema = outputSchema as { type?: unknown; items?: unknown };
  const items = schema.items as { type?: unknown } | undefined;
  return schema.type === 'array' && typeof items === 'object' && items !== null && items.type === 'object';
}

/** The note a run carries when it returned such a list and no model could look at the page. */
export const SUSPECT_EMPTY_NOTE =
  'The saved code returned an empty list and this reuse key has no successful run to compare with: the page may have changed. Check the site, or configure a model so the engine can repair the code.';

/** The evidence a repair starts from when a saved run returned such a list. */
export const SUSPECT_EMPTY_EVIDENCE =
  'The saved code returned an empty list, and this reuse key has no successful run to compare with, so the engine cannot tell whether the list is really empty or the page changed. Look at the page: if there are items, fix the code; if the list is really empty, submit the code unchanged.';
