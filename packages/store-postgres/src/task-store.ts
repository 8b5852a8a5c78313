import { type TaskRecord, type TaskStore, WebtasksError } from '@webtasks/core';
import type { Database } from './database.js';
import { conflictError, errorCode, notFoundError, PREFIX, UNIQUE_VIOLATION } from './errors.js';
import { createStoreContext, type PostgresStoreOptions, type StoreContext } from './store-context.js';
import { patchAssignments, rowToTask, TASK_COLUMNS, type TaskRow, taskInsert } from './task-rows.js';

type TaskStatus = TaskRecord['status'];

const STATUSES = ['pending', 'started', 'completed'] as const satisfies readonly TaskStatus[];

/** A PostgreSQL TaskStore; `close()` ends the pool only if the store opened it. */
export interface PostgresTaskStore extends TaskStore {
  close(): Promise<void>;
}

/**
 * Task records on PostgreSQL, one row each in `<schema>.tasks`. `transition` is one
 * `UPDATE … WHERE status = ANY(from) RETURNING *`, so two workers can never both win.
 */
export function createPostgresTaskStore(options: PostgresStoreOptions): PostgresTaskStore {
  const context = createStoreContext(options);
  return { ...taskStoreOn(context, context.database), close: context.close };
}

/** The TaskStore methods over one Database (the pool, or a transaction's client). */
export function taskStoreOn(context: StoreContext, database: Database): TaskStore {
  const table = `${context.schema}.tasks`;

  return {
    specificationVersion: 'v1',

    async create({ task, signal }) {
      await context.ready();
      const { values, placeholders } = taskInsert(task);
      try {
        await database.query(
          `INSERT INTO ${table} (${TASK_COLUMNS.join(', ')}) VALUES (${placeholders.join(', ')})`,
          values,
          'create a task',
          signal,
        );
      } catch (error) {
        if (WebtasksError.isInstance(error) && errorCode(error.cause) === UNIQUE_VIOLATION) {
          throw conflictError(`Task ${task.webTaskId} already exists: use a new id.`, {
            webTaskId: task.webTaskId,
          });
        }
        throw error;
      }
    },

    async get({ workspaceId, webTaskId, signal }) {
      await context.ready();
      const rows = await database.query<TaskRow>(
        `SELECT * FROM ${table} WHERE web_task_id = $1 AND workspace_id = $2`,
        [webTaskId, workspaceId],
        'read a task',
        signal,
      );
      return rows[0] ? rowToTask(rows[0]) : undefined;
    },

    async transition({ workspaceId, webTaskId, from, patch, signal }) {
      await context.ready();
      const assignments = patchAssignments(patch, 4);
      const set = assignments.sql.length > 0 ? assignments.sql.join(', ') : 'status = status';
      const rows = await database.query<TaskRow>(
        `UPDATE ${table} SET ${set} WHERE web_task_id = $1 AND workspace_id = $2 AND status = ANY($3::text[])
         RETURNING *`,
        [webTaskId, workspaceId, from, ...assignments.values],
        'update a task',
        signal,
      );
      if (rows[0]) return rowToTask(rows[0]);
      const current = await database.query<{ status: TaskStatus }>(
        `SELECT status FROM ${table} WHERE web_task_id = $1 AND workspace_id = $2`,
        [webTaskId, workspaceId],
        'read a task status',
        signal,
      );
      const status = current[0]?.status;
      if (status === undefined) {
        throw notFoundError(`Task ${webTaskId} does not exist in workspace ${workspaceId}.`, {
          workspaceId,
          webTaskId,
        });
      }
      throw conflictError(
        `Task ${webTaskId} is ${status}, not ${from.join(' or ')}: another worker changed it first.`,
        { workspaceId, webTaskId, status, expected: from },
      );
    },

    async list({ workspaceId, status, limit, signal }) {
      if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
        throw new WebtasksError({
          code: 'invalid-request',
          message: `${PREFIX} limit must be a whole number ≥ 0.`,
        });
      }
      await context.ready();
      const rows = await database.query<TaskRow>(
        `SELECT * FROM ${table} WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2)
         ORDER BY created_at DESC, web_task_id DESC LIMIT $3`,
        [workspaceId, status ?? null, limit ?? null],
        'list tasks',
        signal,
      );
      return rows.map(rowToTask);
    },

    async countByStatus({ workspaceId, signal }) {
      await context.ready();
      const rows = await database.query<{ status: TaskStatus; count: string }>(
        `SELECT status, count(*) AS count FROM ${table} WHERE workspace_id = $1 GROUP BY status`,
        [workspaceId],
        'count tasks',
        signal,
      );
      const counts = Object.fromEntries(STATUSES.map((name) => [name, 0])) as Record<TaskStatus, number>;
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    },
  };
}
