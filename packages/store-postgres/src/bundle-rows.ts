import type { Bundle, BundleSummary, CompiledCode, NewBundle, OutputStats } from '@webtasks/core';

/** A row of `bundles` as pg returns it. */
export interface BundleRow extends Record<string, unknown> {
  workspace_id: string;
  reuse_key: string;
  version: number;
  source: string;
  output_schema: Bundle['outputSchema'];
  origin: Bundle['origin'];
  task: string;
  start_url: string | null;
  web_task_id: string | null;
  parent_version: number | null;
  created_at: Date;
  stats: OutputStats | null;
  compiled: CompiledCode | null;
  params_schema: NonNullable<Bundle['paramsSchema']> | null;
  side_effects: boolean | null;
  status: Bundle['status'] | null;
}

/** Columns of a summary line. */
export const SUMMARY_COLUMNS =
  'workspace_id, reuse_key, version, origin, created_at, web_task_id, parent_version, status';

/** Columns written by `save`, in the order of `bundleValues`. */
export const INSERT_COLUMNS =
  'workspace_id, reuse_key, version, source, output_schema, origin, task, start_url, web_task_id, parent_version, compiled, params_schema, side_effects, status, stats';

/** Positions (0-based) of the values of `INSERT_COLUMNS` that are JSON text cast to jsonb. */
export const JSON_VALUE_INDEXES: ReadonlySet<number> = new Set([4, 10, 11, 14]);

/** The values of `INSERT_COLUMNS` for a new version (JSON passed as text, cast to jsonb in SQL). */
export function bundleValues(bundle: NewBundle, version: number): unknown[] {
  return [
    bundle.workspaceId,
    bundle.reuseKey,
    version,
    bundle.source,
    JSON.stringify(bundle.outputSchema),
    bundle.origin,
    bundle.task,
    bundle.startUrl ?? null,
    bundle.webTaskId ?? null,
    bundle.parentVersion ?? null,
    bundle.compiled === undefined ? null : JSON.stringify(bundle.compiled),
    bundle.paramsSchema === undefined ? null : JSON.stringify(bundle.paramsSchema),
    bundle.sideEffects ?? null,
    bundle.status ?? null,
    bundle.stats === undefined ? null : JSON.stringify(bundle.stats),
  ];
}

/** A full bundle from a row; NULL columns become absent fields. */
export function rowToBundle(row: BundleRow): Bundle {
  return {
    workspaceId: row.workspace_id,
    reuseKey: row.reuse_key,
    version: row.version,
    source: row.source,
    outputSchema: row.output_schema,
    ...(row.params_schema === null || row.params_schema === undefined
      ? {}
      : { paramsSchema: row.params_schema }),
    ...(row.side_effects === null || row.side_effects === undefined ? {} : { sideEffects: row.side_effects }),
    origin: row.origin,
    task: row.task,
    ...(row.start_url === null ? {} : { startUrl: row.start_url }),
    ...(row.web_task_id === null ? {} : { webTaskId: row.web_task_id }),
    ...(row.parent_version === null ? {} : { parentVersion: row.parent_version }),
    createdAt: row.created_at.toISOString(),
    ...(row.stats === null ? {} : { stats: row.stats }),
    ...(row.compiled === null || row.compiled === undefined ? {} : { compiled: row.compiled }),
    ...(row.status === null || row.status === undefined ? {} : { status: row.status }),
  };
}

/** A summary line from a row. */
export function rowToSummary(
  row: Pick<
    BundleRow,
    | 'workspace_id'
    | 'reuse_key'
    | 'version'
    | 'origin'
    | 'created_at'
    | 'web_task_id'
    | 'parent_version'
    | 'status'
  >,
): BundleSummary {
  return {
    workspaceId: row.workspace_id,
    reuseKey: row.reuse_key,
    version: row.version,
    origin: row.origin,
    createdAt: row.created_at.toISOString(),
    ...(row.web_task_id === null ? {} : { webTaskId: row.web_task_id }),
    ...(row.parent_version === null ? {} : { parentVersion: row.parent_version }),
    ...(row.status === null || row.status === undefined ? {} : { status: row.status }),
  };
}
