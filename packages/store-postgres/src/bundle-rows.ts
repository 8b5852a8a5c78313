import type { Bundle, BundleSummary, NewBundle, OutputStats } from '@webtasks/core';

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
}

/** Columns of a summary line. */
export const SUMMARY_COLUMNS =
  'workspace_id, reuse_key, version, origin, created_at, web_task_id, parent_version';

/** Columns written by `save`, in the order of `bundleValues`. */
export const INSERT_COLUMNS =
  'workspace_id, reuse_key, version, source, output_schema, origin, task, start_url, web_task_id, parent_version';

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
    origin: row.origin,
    task: row.task,
    ...(row.start_url === null ? {} : { startUrl: row.start_url }),
    ...(row.web_task_id === null ? {} : { webTaskId: row.web_task_id }),
    ...(row.parent_version === null ? {} : { parentVersion: row.parent_version }),
    createdAt: row.created_at.toISOString(),
    ...(row.stats === null ? {} : { stats: row.stats }),
  };
}

/** A summary line from a row. */
export function rowToSummary(
  row: Pick<
    BundleRow,
    'workspace_id' | 'reuse_key' | 'version' | 'origin' | 'created_at' | 'web_task_id' | 'parent_version'
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
  };
}
