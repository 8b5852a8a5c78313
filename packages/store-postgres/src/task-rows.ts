import type { TaskPatch, TaskRecord } from '@webtasks/core';

/** A row of `tasks` as pg returns it. */
export interface TaskRow extends Record<string, unknown> {
  web_task_id: string;
  workspace_id: string;
  status: TaskRecord['status'];
  request: TaskRecord['request'];
  outcome: TaskRecord['outcome'] | null;
  result: TaskRecord['result'] | null;
  error: TaskRecord['error'] | null;
  reuse: TaskRecord['reuse'];
  cost: TaskRecord['cost'] | null;
  bundle_version: number | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  worker_id: string | null;
  lease_expires_at: Date | null;
}

type Column = { column: string; kind: 'text' | 'jsonb' | 'integer' | 'timestamptz'; nullable: boolean };

/** How each patchable field is stored. */
export const PATCH_COLUMNS: Record<keyof TaskPatch, Column> = {
  status: { column: 'status', kind: 'text', nullable: false },
  outcome: { column: 'outcome', kind: 'text', nullable: true },
  result: { column: 'result', kind: 'jsonb', nullable: true },
  error: { column: 'error', kind: 'jsonb', nullable: true },
  reuse: { column: 'reuse', kind: 'jsonb', nullable: false },
  cost: { column: 'cost', kind: 'jsonb', nullable: true },
  bundleVersion: { column: 'bundle_version', kind: 'integer', nullable: true },
  attempts: { column: 'attempts', kind: 'integer', nullable: false },
  startedAt: { column: 'started_at', kind: 'timestamptz', nullable: true },
  completedAt: { column: 'completed_at', kind: 'timestamptz', nullable: true },
  workerId: { column: 'worker_id', kind: 'text', nullable: true },
  leaseExpiresAt: { column: 'lease_expires_at', kind: 'timestamptz', nullable: true },
};

/** A value as sent to pg: JSON as text (cast in SQL), everything else as is. */
export function toParameter(kind: Column['kind'], value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return kind === 'jsonb' ? JSON.stringify(value) : value;
}

/**
 * `SET` assignments for a patch, starting at parameter `$firstIndex`. A field present
 * with `undefined` clears a nullable column; absent fields are left alone.
 */
export function patchAssignments(patch: TaskPatch, firstIndex: number): { sql: string[]; values: unknown[] } {
  const sql: string[] = [];
  const values: unknown[] = [];
  for (const [field, spec] of Object.entries(PATCH_COLUMNS) as Array<[keyof TaskPatch, Column]>) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (value === undefined && !spec.nullable) continue;
    values.push(toParameter(spec.kind, value));
    sql.push(`${spec.column} = $${firstIndex + values.length - 1}::${spec.kind}`);
  }
  return { sql, values };
}

/** The values of a full record, in `TASK_COLUMNS` order. */
export const TASK_COLUMNS = Object.freeze([
  'web_task_id',
  'workspace_id',
  'request',
  ...Object.values(PATCH_COLUMNS).map((spec) => spec.column),
  'created_at',
]);

/** Insert parameters for a record, matching `TASK_COLUMNS`, and their SQL casts. */
export function taskInsert(task: TaskRecord): { values: unknown[]; placeholders: string[] } {
  const values: unknown[] = [task.webTaskId, task.workspaceId, JSON.stringify(task.request)];
  const placeholders = ['$1', '$2', '$3::jsonb'];
  for (const [field, spec] of Object.entries(PATCH_COLUMNS) as Array<[keyof TaskPatch, Column]>) {
    values.push(toParameter(spec.kind, task[field]));
    placeholders.push(`$${values.length}::${spec.kind}`);
  }
  values.push(task.createdAt);
  placeholders.push(`$${values.length}::timestamptz`);
  return { values, placeholders };
}

const iso = (value: Date | null): string | undefined => (value === null ? undefined : value.toISOString());

/** A record from a row; NULL columns become absent fields. */
export function rowToTask(row: TaskRow): TaskRecord {
  const optional = {
    outcome: row.outcome ?? undefined,
    result: row.result ?? undefined,
    error: row.error ?? undefined,
    cost: row.cost ?? undefined,
    bundleVersion: row.bundle_version ?? undefined,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    workerId: row.worker_id ?? undefined,
    leaseExpiresAt: iso(row.lease_expires_at ?? null),
  };
  const record: TaskRecord = {
    webTaskId: row.web_task_id,
    workspaceId: row.workspace_id,
    request: row.request,
    status: row.status,
    reuse: row.reuse,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
  };
  for (const [field, value] of Object.entries(optional)) {
    if (value !== undefined) (record as unknown as Record<string, unknown>)[field] = value;
  }
  return record;
}
