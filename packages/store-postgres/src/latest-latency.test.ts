import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { createPostgresBundleStore } from './bundle-store.js';
import { migratePostgres } from './migrations.js';

const pool = createTestPool();
const schema = uniqueSchema('latency');
const WORKSPACES = 10;
const KEYS_PER_WORKSPACE = 2_000;
const VERSIONS = 5;
const ROWS = WORKSPACES * KEYS_PER_WORKSPACE * VERSIONS;

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

beforeAll(async () => {
  await migratePostgres({ pool, schema });
  // One statement: 10 workspaces × 2,000 keys × 5 versions, ~600-byte sources.
  await pool.query(
    `INSERT INTO "${schema}".bundles (workspace_id, reuse_key, version, source, output_schema, origin, task)
     SELECT 'ws_' || (g % $1), 'key_' || lpad(((g / $1) % $2)::text, 5, '0'), g / ($1 * $2) + 1,
            repeat(md5(g::text), 20), '{"type":"object"}'::jsonb, 'explore', 'benchmark task'
     FROM generate_series(0, $3 - 1) AS g`,
    [WORKSPACES, KEYS_PER_WORKSPACE, ROWS],
  );
  await pool.query(`ANALYZE "${schema}".bundles`);
}, 120_000);

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describe(`latest() with ${ROWS.toLocaleString('en')} bundle rows`, () => {
  it('uses the unique index and stays around a millisecond', { timeout: 60_000 }, async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT * FROM "${schema}".bundles WHERE workspace_id = 'ws_3' AND reuse_key = 'key_00042'
       ORDER BY version DESC LIMIT 1`,
    );
    const planText = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(planText).toMatch(/Index Scan using bundles_version_unique/);
    expect(planText).not.toMatch(/Seq Scan|Sort/);

    const samples: number[] = [];
    for (let index = 0; index < 400; index += 1) {
      const workspaceId = `ws_${index % WORKSPACES}`;
      const reuseKey = `key_${String((index * 37) % KEYS_PER_WORKSPACE).padStart(5, '0')}`;
      const started = performance.now();
      const bundle = await store.latest({ workspaceId, reuseKey });
      samples.push(performance.now() - started);
      expect(bundle?.version).toBe(VERSIONS);
    }
    const p50 = percentile(samples, 0.5);
    const p95 = percentile(samples, 0.95);
    console.log(
      `[store-postgres] latest() over ${ROWS} rows: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`,
    );
    // The plan above is the real check; this bound only catches gross regressions on a loaded CI box.
    expect(p50).toBeLessThan(100);
  });

  it('lists a 2,000-key workspace page by page without sorting the whole workspace', {
    timeout: 60_000,
  }, async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const started = performance.now();
    const page = await store.list({ workspaceId: 'ws_7', limit: 50 });
    const firstPageMs = performance.now() - started;
    expect(page).toHaveLength(50);
    expect(page[0]).toMatchObject({ reuseKey: 'key_00000', version: VERSIONS });
    const next = await store.list({ workspaceId: 'ws_7', limit: 50, after: page[49]?.reuseKey });
    expect(next[0]?.reuseKey).toBe('key_00050');
    const all = await store.list({ workspaceId: 'ws_7' });
    expect(all).toHaveLength(KEYS_PER_WORKSPACE);
    console.log(`[store-postgres] list() first page of 50 over ${ROWS} rows: ${firstPageMs.toFixed(2)} ms`);
    expect(firstPageMs).toBeLessThan(500);
  });
});
