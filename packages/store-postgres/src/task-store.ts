import {
  queuedLimitError,
  type RunRecord,
  type TaskRecord,
  type TaskStore,
  WebTasksError,
} from '@webtasks/core';
import type { Database } from './database.js';
import { conflictError, errorCode, notFoundError, PREFIX, UNIQUE_VIOLATION } from './errors.js';
import { WEBHOOK_OWED } from './migrations.js';
import { createStoreContext, type PostgresStoreOptions, type StoreContext } from './store-context.js';
import { patchAssignments, rowToTask, TASK_COLUMNS, type TaskRow, taskInsert } from './task-rows.js';

type TaskStatus = TaskRecord['status'];

const STATUSES = ['pending', 'started', 'completed'] as const satisfies readonly TaskStatus[];

/** Queued-task slots added to a workspace at once when all of its slots are taken (up to its limit). */
const SLOT_GROWTH = 64;

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
  const runs = `${context.schema}.task_runs`;
  const slots = `${context.schema}.pending_slots`;

  return {
    specificationVersion: 'v1',

    async create({ task, maxPending, signal }) {
      await context.ready();
      const { values, placeholders } = taskInsert(task);
      const columns = TASK_COLUMNS.join(', ');
      try {
        if (maxPending === undefined || task.status !== 'pending') {
          await database.query(
            `INSERT INTO ${table} (${columns}) VALUES (${placeholders.join(', ')})`,
            values,
            'create a task',
            signal,
          );
          return;
        }
        // One statement claims a free queued-task slot of the workspace and inserts the task:
        // concurrent starts skip each other's locked slots instead of queueing on one lock,
        // and a failed insert rolls its claim back. No free slot below the limit: grow the
        // workspace's slots (up to the limit) and try once more, else the limit is reached.
        const claimAndInsert = () =>
          database.query<{ web_task_id: string }>(
            `WITH slot AS (
               UPDATE ${slots} SET web_task_id = $${values.length + 1}
                WHERE (workspace_id, slot_no) = (
                  SELECT workspace_id, slot_no FROM ${slots}
                   WHERE workspace_id = $${values.length + 2} AND web_task_id IS NULL
                     AND slot_no < $${values.length + 3}
                   ORDER BY slot_no LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING slot_no)
             INSERT INTO ${table} (${columns}) SELECT ${placeholders.join(', ')} WHERE EXISTS (SELECT 1 FROM slot)
             RETURNING web_task_id`,
            [...values, task.webTaskId, task.workspaceId, maxPending],
            'create a task',
            signal,
            // The hot statement of every start, its text fixed per store: parsed and planned
            // once per connection.
            { prepare: true },
          );
        let everySlotExists = false;
        for (;;) {
          if ((await claimAndInsert()).length > 0) return;
          if (everySlotExists) throw queuedLimitError(maxPending, 'store-postgres');
          const [growth] = await database.query<{ added: string; slots: string }>(
            `WITH added AS (
               INSERT INTO ${slots} (workspace_id, slot_no)
               SELECT $1, g FROM generate_series(
                 (SELECT coalesce(max(slot_no) + 1, 0) FROM ${slots} WHERE workspace_id = $1),
                 (SELECT least($2::integer, coalesce(max(slot_no) + 1, 0) + ${SLOT_GROWTH}) - 1
                    FROM ${slots} WHERE workspace_id = $1)) g
               ON CONFLICT DO NOTHING RETURNING slot_no)
             SELECT (SELECT count(*) FROM added) AS added,
                    (SELECT count(*) FROM ${slots} WHERE workspace_id = $1 AND slot_no < $2) AS slots`,
            [task.workspaceId, maxPending],
            'add queued-task slots',
            signal,
          );
          // Every place below the limit exists: one more claim decides (slots a concurrent start
          // just added may be free). Else slots were added here or concurrently: claim again.
          everySlotExists = Number(growth?.added ?? 0) === 0 && Number(growth?.slots ?? 0) >= maxPending;
        }
      } catch (error) {
        if (WebTasksError.isInstance(error) && errorCode(error.cause) === UNIQUE_VIOLATION) {
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

    async list({ workspaceId, status, reuseKey, since, before, limit, signal }) {
      if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
        throw new WebTasksError({
          code: 'invalid-request',
          message: `${PREFIX} limit must be a whole number ≥ 0.`,
        });
      }
      await context.ready();
      const rows = await database.query<TaskRow>(
        `SELECT * FROM ${table} WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2)
           AND ($3::text IS NULL OR request->>'reuseKey' = $3)
           AND ($4::timestamptz IS NULL OR created_at >= $4)
           AND ($5::timestamptz IS NULL OR (created_at, web_task_id) < ($5, $6::text COLLATE "C"))
         ORDER BY created_at DESC, web_task_id DESC LIMIT $7`,
        [
          workspaceId,
          status ?? null,
          reuseKey ?? null,
          since ?? null,
          before?.createdAt ?? null,
          before?.webTaskId ?? null,
          limit ?? null,
        ],
        'list tasks',
        signal,
      );
      return rows.map(rowToTask);
    },

    async listUnfinished({ limit, signal }) {
      await context.ready();
      const rows = await database.query<TaskRow>(
        `SELECT * FROM ${table} WHERE status <> 'completed' ORDER BY created_at, web_task_id LIMIT $1`,
        [limit ?? 10_000],
        'list unfinished tasks',
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

    async putRun({ run, signal }) {
      await context.ready();
      const rows = await database.query<{ web_task_id: string }>(
        `INSERT INTO ${runs} (web_task_id, workspace_id, record, updated_at)
         SELECT web_task_id, workspace_id, $3::jsonb, now() FROM ${table}
          WHERE web_task_id = $1 AND workspace_id = $2
         ON CONFLICT (web_task_id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()
         RETURNING web_task_id`,
        [run.webTaskId, run.workspaceId, JSON.stringify(run)],
        'store a run record',
        signal,
      );
      if (rows.length === 0) {
        throw notFoundError(
          `Task ${run.webTaskId} does not exist in workspace ${run.workspaceId}: create the task before its run record.`,
          { workspaceId: run.workspaceId, webTaskId: run.webTaskId },
        );
      }
    },

    async getRun({ workspaceId, webTaskId, signal }) {
      await context.ready();
      const rows = await database.query<{ record: RunRecord }>(
        `SELECT record FROM ${runs} WHERE web_task_id = $1 AND workspace_id = $2`,
        [webTaskId, workspaceId],
        'read a run record',
        signal,
      );
      return rows[0]?.record;
    },

    async listWebhooksDue({ dueBefore, limit, signal }) {
      await context.ready();
      const rows = await database.query<{ record: RunRecord }>(
        `SELECT r.record FROM ${runs} r JOIN ${table} t ON t.web_task_id = r.web_task_id
          WHERE ${WEBHOOK_OWED.replaceAll('record->', 'r.record->')}
            AND COALESCE(r.record->'webhook'->>'nextAttemptAt', '') <= $1
            AND t.status = 'completed'
          ORDER BY COALESCE(r.record->'webhook'->>'nextAttemptAt', '') LIMIT $2`,
        [dueBefore, limit ?? 100],
        'list due webhooks',
        signal,
      );
      return rows.map((row) => row.record);
    },

    async claimWebhook({ workspaceId, webTaskId, owner, leaseMs, dueBefore, signal }) {
      await context.ready();
      // One statement: a concurrent claim waits for the row, then sees the lease and gets nothing.
      const rows = await database.query<{ record: RunRecord }>(
        `UPDATE ${runs} r
            SET webhook_claimed_by = $3,
                webhook_claimed_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
           FROM ${table} t
          WHERE r.web_task_id = $1 AND r.workspace_id = $2
            AND t.web_task_id = r.web_task_id AND t.status = 'completed'
            AND ${WEBHOOK_OWED.replaceAll('record->', 'r.record->')}
            AND COALESCE(r.record->'webhook'->>'nextAttemptAt', '') <= $5
            AND (r.webhook_claimed_until IS NULL OR r.webhook_claimed_until <= clock_timestamp())
         RETURNING r.record`,
        [webTaskId, workspaceId, owner, leaseMs, dueBefore],
        'claim a webhook delivery',
        signal,
      );
      return rows[0]?.record;
    },

    async releaseWebhook({ workspaceId, webTaskId, owner, signal }) {
      await context.ready();
      await database.query(
        `UPDATE ${runs} SET webhook_claimed_by = NULL, webhook_claimed_until = NULL
          WHERE web_task_id = $1 AND workspace_id = $2 AND webhook_claimed_by = $3`,
        [webTaskId, workspaceId, owner],
        'release a webhook claim',
        signal,
      );
    },

    async deleteCompleted({ completedBefore, workspaceId, exceptWorkspaces, limit, signal }) {
      await context.ready();
      const rows = await database.query<{ workspace_id: string; web_task_id: string; keys: string[] | null }>(
        `WITH expired AS (
           SELECT web_task_id FROM ${table}
            WHERE status = 'completed' AND completed_at < $1
              AND ($2::text IS NULL OR workspace_id = $2)
              AND ($2::text IS NOT NULL OR NOT (workspace_id = ANY($3::text[])))
            ORDER BY completed_at LIMIT $4
            FOR UPDATE SKIP LOCKED
         ), gone_runs AS (
           DELETE FROM ${runs} r USING expired e WHERE r.web_task_id = e.web_task_id
           RETURNING r.web_task_id,
             ARRAY(SELECT a->>'key' FROM jsonb_array_elements(r.record->'artifacts') a) AS keys
         )
         DELETE FROM ${table} t USING expired e
          WHERE t.web_task_id = e.web_task_id
         RETURNING t.workspace_id, t.web_task_id,
           (SELECT keys FROM gone_runs g WHERE g.web_task_id = t.web_task_id) AS keys`,
        [completedBefore, workspaceId ?? null, exceptWorkspaces ?? [], limit ?? 500],
        'delete expired tasks',
        signal,
      );
      return rows.map((row) => ({
        workspaceId: row.workspace_id,
        webTaskId: row.web_task_id,
        artifactKeys: row.keys ?? [],
      }));
    },
  };
}
