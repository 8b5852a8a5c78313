import { listTasks } from '@webtasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { migratePostgres } from './migrations.js';
import { createPostgresTaskStore } from './task-store.js';

const pool = createTestPool();
const schema = uniqueSchema('listlat');
const RUNS = 10_000;
const WORKSPACE = 'ws_list';

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

beforeAll(async () => {
  await migratePostgres({ pool, schema });
  // 10,000 runs of one workspace (plus 10,000 of another), a quarter completed, over 20 reuse
  // keys, each with a run record of a typical size (~6 KB).
  await pool.query(
    `INSERT INTO "${schema}".tasks (web_task_id, workspace_id, status, request, reuse, created_at, outcome, completed_at)
     SELECT 'wt_' || lpad(g::text, 6, '0'), CASE WHEN g % 2 = 0 THEN $1 ELSE 'ws_other' END,
            CASE WHEN g % 4 = 0 THEN 'completed' ELSE 'pending' END,
            jsonb_build_object('task', 'List the companies', 'reuseKey', 'key_' || (g % 20), 'parameters', '{}'::jsonb, 'model', 'haiku', 'reuseKeyGenerated', false),
            '{"key":"k","used":false,"created":false,"updated":false}'::jsonb,
            now() - (g || ' seconds')::interval,
            CASE WHEN g % 4 = 0 THEN 'success' END, CASE WHEN g % 4 = 0 THEN now() END
     FROM generate_series(1, $2) AS g`,
    [WORKSPACE, RUNS * 2],
  );
  await pool.query(
    `INSERT INTO "${schema}".task_runs (web_task_id, workspace_id, record)
     SELECT web_task_id, workspace_id, jsonb_build_object('events', (SELECT jsonb_agg(jsonb_build_object('seq', s, 'line', repeat('x', 60))) FROM generate_series(1, 80) s))
     FROM "${schema}".tasks`,
  );
  await pool.query(`ANALYZE "${schema}".tasks`);
}, 120_000);

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describe(`list() with ${RUNS.toLocaleString('en')} runs in one workspace`, () => {
  it('pages newest first through the index: p95 well under 100 ms for first pages, filtered pages and deep cursors', {
    timeout: 60_000,
  }, async () => {
    const tasks = createPostgresTaskStore({ pool, schema, migrate: false });
    const queries = [
      {},
      { status: 'completed' as const },
      { reuseKey: 'key_4' },
      { status: 'pending' as const, reuseKey: 'key_6' },
      { since: new Date(Date.now() - 3600_000).toISOString() },
    ];
    const samples: number[] = [];
    for (let round = 0; round < 40; round += 1) {
      for (const query of queries) {
        let cursor: string | undefined;
        // First page and four pages deeper, each through the opaque cursor.
        for (let page = 0; page < 5; page += 1) {
          const started = performance.now();
          const result = await listTasks(tasks, {
            workspaceId: WORKSPACE,
            query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) },
          });
          samples.push(performance.now() - started);
          expect(result.tasks.length).toBeGreaterThan(0);
          cursor = result.nextCursor;
          if (!cursor) break;
        }
      }
    }
    const p50 = percentile(samples, 0.5);
    const p95 = percentile(samples, 0.95);
    console.log(
      `[store-postgres] list of 50 over ${RUNS} runs (${samples.length} pages): p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`,
    );
    expect(p95).toBeLessThan(100);
  });
});
