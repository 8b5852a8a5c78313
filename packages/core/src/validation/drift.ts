import { rowsOf } from '../delivery.js';
import type { OutputStats } from '../ports/bundle-store.js';
import type { JsonValue } from '../ports/common.js';

/** How many recent runs the statistics remember. */
export const STATS_WINDOW = 10;
/** A list counts as "used to have rows" when every remembered run had at least this many. */
export const MIN_ROWS_FOR_DRIFT = 3;

function isFilled(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Field paths of an output and whether each was filled at least once. */
function filledFields(output: JsonValue): Map<string, boolean> {
  const fields = new Map<string, boolean>();
  const rows = rowsOf(output);
  for (const row of rows ?? []) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) continue;
    for (const [key, value] of Object.entries(row)) {
      fields.set(`[].${key}`, (fields.get(`[].${key}`) ?? false) || isFilled(value));
    }
  }
  if (output !== null && typeof output === 'object' && !Array.isArray(output)) {
    for (const [key, value] of Object.entries(output)) {
      if (!Array.isArray(value)) fields.set(key, isFilled(value));
    }
  }
  return fields;
}

/** Fold one successful output into a version's statistics. */
export function updateStats(stats: OutputStats | undefined, output: JsonValue): OutputStats {
  const rows = rowsOf(output);
  const fields = filledFields(output);
  const previousRuns = Math.min(stats?.runs ?? 0, STATS_WINDOW);
  const runs = previousRuns + 1;
  const filledRuns: Record<string, number> = {};
  const paths = new Set([...Object.keys(stats?.filledRuns ?? {}), ...fields.keys()]);
  for (const path of paths) {
    const before = Math.min(stats?.filledRuns[path] ?? 0, previousRuns);
    filledRuns[path] = before + (fields.get(path) ? 1 : 0);
  }
  return {
    runs,
    rowCounts: [...(stats?.rowCounts ?? []), rows?.length ?? 0].slice(-STATS_WINDOW),
    filledRuns,
  };
}

/**
 * A schema-valid output that drifted from the version's history counts as broken: a list
 * that always had rows now has none, or a field that was filled in every remembered run is
 * now empty in every row.
 */
export function detectDrift(stats: OutputStats | undefined, output: JsonValue): string | undefined {
  if (!stats || stats.runs < 1 || stats.rowCounts.length === 0) return undefined;
  const rows = rowsOf(output);
  const minRows = Math.min(...stats.rowCounts);
  if (rows && rows.length === 0 && minRows >= MIN_ROWS_FOR_DRIFT) {
    return `The output has no rows, but every earlier run of this code returned at least ${minRows} (last: ${stats.rowCounts.at(-1)}). The page probably changed.`;
  }
  const fields = filledFields(output);
  const emptied: string[] = [];
  for (const [path, filledRuns] of Object.entries(stats.filledRuns)) {
    if (filledRuns < stats.runs) continue;
    if (path.startsWith('[].') && (rows?.length ?? 0) < MIN_ROWS_FOR_DRIFT) continue;
    if (fields.has(path) ? !fields.get(path) : path.startsWith('[].') && (rows?.length ?? 0) > 0)
      emptied.push(path);
  }
  if (emptied.length > 0) {
    return `These fields were filled in every earlier run and are now always empty: ${emptied.join(', ')}. The page probably changed.`;
  }
  return undefined;
}
