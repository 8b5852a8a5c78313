import { createHash } from 'node:crypto';
import {
  DEFAULT_LIST_LIMIT,
  type TaskList,
  type TaskListQuery,
  TaskListQuerySchema,
  type TaskSummary,
} from '@webtasks/protocol';
import { WebTasksError } from '../errors.js';
import type { TaskPosition, TaskRecord, TaskStore } from '../ports/task-store.js';

/**
 * Cursors are opaque to callers: `base64url(JSON) + "." + checksum`. The checksum catches
 * edited or truncated cursors, and the filters are part of it, so a cursor only continues the
 * list it came from. It is not a secret: the store query is always scoped to the caller's
 * workspace, so a forged position can only page through the caller's own tasks.
 */
function checksum(payload: string): string {
  return createHash('sha256').update(`webtasks-cursor:${payload}`).digest('base64url').slice(0, 16);
}

function filterKey(query: Omit<TaskListQuery, 'cursor' | 'limit'>): string {
  return [query.status ?? '', query.reuseKey ?? '', query.since ?? ''].join('|');
}

export function encodeCursor(
  position: TaskPosition,
  filters: Omit<TaskListQuery, 'cursor' | 'limit'>,
): string {
  const payload = Buffer.from(
    JSON.stringify({ c: position.createdAt, i: position.webTaskId, f: filterKey(filters) }),
  ).toString('base64url');
  return `${payload}.${checksum(payload)}`;
}

function badCursor(reason: string): WebTasksError {
  return new WebTasksError({
    code: 'invalid-request',
    message: `The cursor is not valid (${reason}): pass the nextCursor of the previous page unchanged, with the same filters, or leave cursor out to start from the newest task.`,
    details: [{ path: ['cursor'], message: reason }],
  });
}

export function decodeCursor(cursor: string, filters: Omit<TaskListQuery, 'cursor' | 'limit'>): TaskPosition {
  const [payload, sum, extra] = cursor.split('.');
  if (!payload || !sum || extra !== undefined || checksum(payload) !== sum)
    throw badCursor('it was changed or cut');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('it was changed or cut');
  }
  const { c, i, f } = (parsed ?? {}) as { c?: unknown; i?: unknown; f?: unknown };
  if (typeof c !== 'string' || Number.isNaN(Date.parse(c)) || typeof i !== 'string')
    throw badCursor('it was changed or cut');
  if (f !== filterKey(filters)) throw badCursor('it belongs to a list with other filters');
  return { createdAt: c, webTaskId: i };
}

/** The list entry of a task. */
export function toTaskSummary(record: TaskRecord): TaskSummary {
  const task = record.request.task;
  return {
    webTaskId: record.webTaskId,
    status: record.status,
    ...(record.outcome ? { outcome: record.outcome } : {}),
    reuseKey: record.request.reuseKey,
    task: task.length > 200 ? `${task.slice(0, 199)}…` : task,
    createdAt: record.createdAt,
    ...(record.startedAt ? { startedAt: record.startedAt } : {}),
    ...(record.completedAt ? { completedAt: record.completedAt } : {}),
    ...(record.bundleVersion !== undefined ? { bundleVersion: record.bundleVersion } : {}),
    ...(record.cost ? { cost: record.cost } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
}

/** One page of tasks: validate the query, read one more than asked to know if more follow. */
export async function listTasks(
  tasks: TaskStore,
  options: { workspaceId: string; query?: TaskListQuery; signal?: AbortSignal },
): Promise<TaskList> {
  const parsed = TaskListQuerySchema.safeParse(options.query ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues;
    throw new WebTasksError({
      code: 'invalid-request',
      message: `The list query is invalid: ${issues
        .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
        .join('; ')}`,
      details: issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    });
  }
  const { cursor, limit = DEFAULT_LIST_LIMIT, ...filters } = parsed.data;
  const before = cursor === undefined ? undefined : decodeCursor(cursor, filters);
  const page = await tasks.list({
    workspaceId: options.workspaceId,
    ...filters,
    ...(before ? { before } : {}),
    limit: limit + 1,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const shown = page.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    tasks: shown.map(toTaskSummary),
    ...(page.length > limit && last
      ? { nextCursor: encodeCursor({ createdAt: last.createdAt, webTaskId: last.webTaskId }, filters) }
      : {}),
  };
}
