import { hashSource } from '@webtasks/core';
import { sampleNewBundle, sampleTaskRecord } from '@webtasks/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { createPostgresBundleStore } from './bundle-store.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from './migrations.js';
import { createPostgresTaskStore } from './task-store.js';

const pool = createTestPool(20);
const schemas: string[] = [];

afterAll(async () => {
  for (const schema of schemas) await dropSchema(pool, schema);
  await pool.end();
});

const latest = Math.max(...POSTGRES_MIGRATIONS.map((migration) => migration.version));

describe('migratePostgres', () => {
  it('8 concurrent callers: each migration is applied exactly once', async () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    const results = await Promise.all(Array.from({ length: 8 }, () => migratePostgres({ pool, schema })));
    const applied = results.flatMap((result) => result.applied);
    expect(applied.sort()).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
    expect(results.every((result) => result.version === latest)).toBe(true);
    const { rows } = await pool.query(`SELECT version FROM "${schema}".webtasks_migrations ORDER BY version`);
    expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
  });

  it('is idempotent: a second run applies nothing', async () => {
    const schema = uniqueSchema('again');
    schemas.push(schema);
    expect((await migratePostgres({ pool, schema })).applied).toEqual(
      POSTGRES_MIGRATIONS.map((migration) => migration.version),
    );
    expect(await migratePostgres({ pool, schema })).toEqual({ applied: [], version: latest });
  });

  it('migration 2 keeps versions saved before it: they read without compiled code and can get it', async () => {
    const schema = uniqueSchema('compiled');
    schemas.push(schema);
    // A schema at version 1 with a row written the way the adapter wrote it then.
    const first = POSTGRES_MIGRATIONS[0];
    if (!first) throw new Error('no migration 1');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(first.sql(`"${schema}"`));
    await pool.query(
      `CREATE TABLE "${schema}".webtasks_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(`INSERT INTO "${schema}".webtasks_migrations (version, name) VALUES (1, $1)`, [
      first.name,
    ]);
    const old = sampleNewBundle();
    await pool.query(
      `INSERT INTO "${schema}".bundles (workspace_id, reuse_key, version, source, output_schema, origin, task)
       VALUES ($1, $2, 1, $3, $4::jsonb, 'import', $5)`,
      [old.workspaceId, old.reuseKey, old.source, JSON.stringify(old.outputSchema), old.task],
    );
    // 2 (compiled code) and every later migration.
    expect((await migratePostgres({ pool, schema })).applied).toEqual(
      POSTGRES_MIGRATIONS.slice(1).map((migration) => migration.version),
    );

    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const key = { workspaceId: old.workspaceId, reuseKey: old.reuseKey };
    const before = await store.latest(key);
    expect(before?.source).toBe(old.source);
    expect(before && 'compiled' in before).toBe(false);
    const compiled = {
      javascript: 'exports.default = 1;',
      sourceHash: hashSource(old.source),
      compilerVersion: 'c1',
    };
    await store.saveCompiled({ ...key, version: 1, compiled });
    expect((await store.get({ ...key, version: 1 }))?.compiled).toEqual(compiled);
  });

  it('works from a connection string and closes its own pool', async () => {
    const schema = uniqueSchema('url');
    schemas.push(schema);
    const user = process.env.PGUSER || 'postgres';
    const result = await migratePostgres({
      connectionString: `postgres://${user}@127.0.0.1:5432/test`,
      schema,
    });
    expect(result.version).toBe(latest);
  });

  it('the promotion migration keeps the bundles of a version-1 schema readable, as active versions', async () => {
    const schema = uniqueSchema('upgrade');
    schemas.push(schema);
    const quoted = `"${schema}"`;
    const first = POSTGRES_MIGRATIONS[0];
    if (!first) throw new Error('no migrations');
    await pool.query(`CREATE SCHEMA ${quoted}`);
    await pool.query(
      `CREATE TABLE ${quoted}.webtasks_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(first.sql(quoted));
    await pool.query(`INSERT INTO ${quoted}.webtasks_migrations (version, name) VALUES (1, $1)`, [
      first.name,
    ]);
    await pool.query(
      `INSERT INTO ${quoted}.bundles (workspace_id, reuse_key, version, source, output_schema, origin, task)
       VALUES ('ws', 'key', 1, 'export default async function run() { return 1; }', '{}'::jsonb, 'explore', 'old task')`,
    );
    expect((await migratePostgres({ pool, schema })).applied).toEqual(
      POSTGRES_MIGRATIONS.filter((migration) => migration.version > 1).map((migration) => migration.version),
    );
    const store = createPostgresBundleStore({ pool, schema });
    const old = await store.latest({ workspaceId: 'ws', reuseKey: 'key' });
    expect(old).toMatchObject({ version: 1, task: 'old task' });
    expect(old?.status).toBeUndefined();
    expect(old?.paramsSchema).toBeUndefined();
    expect(await store.getSettings({ workspaceId: 'ws', reuseKey: 'key' })).toEqual({ promotion: 'auto' });
    await store.close();
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(migratePostgres({ pool, schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({
      code: 'invalid-config',
    });
  });
});

describe('migration 3 (run records)', () => {
  it('upgrades a schema at version 1 that already holds tasks, and runs follow their task on delete', async () => {
    const schema = uniqueSchema('v1to2');
    schemas.push(schema);
    const first = POSTGRES_MIGRATIONS[0];
    if (!first) throw new Error('no migrations');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(
      `CREATE TABLE "${schema}".webtasks_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(first.sql(`"${schema}"`));
    await pool.query(`INSERT INTO "${schema}".webtasks_migrations (version, name) VALUES (1, $1)`, [
      first.name,
    ]);
    await pool.query(
      `INSERT INTO "${schema}".tasks (web_task_id, workspace_id, status, request, reuse, created_at)
       VALUES ('wt_old', 'ws_a', 'pending', '{"reuseKey":"k"}', '{}', now())`,
    );
    expect((await migratePostgres({ pool, schema })).applied).toEqual(
      POSTGRES_MIGRATIONS.slice(1).map((migration) => migration.version),
    );
    await pool.query(
      `INSERT INTO "${schema}".task_runs (web_task_id, workspace_id, record) VALUES ('wt_old', 'ws_a', '{}')`,
    );
    await pool.query(`DELETE FROM "${schema}".tasks WHERE web_task_id = 'wt_old'`);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".task_runs`);
    expect(rows[0].n).toBe(0);
  });
});

describe('migration 8 (queued-task slots)', () => {
  it('counts the tasks already pending against the limit, and frees a place when one starts', async () => {
    const schema = uniqueSchema('v7to8');
    schemas.push(schema);
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(
      `CREATE TABLE "${schema}".webtasks_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version <= 7)) {
      await pool.query(migration.sql(`"${schema}"`));
      await pool.query(`INSERT INTO "${schema}".webtasks_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
    }
    for (const id of ['wt_a', 'wt_b', 'wt_c']) {
      await pool.query(
        `INSERT INTO "${schema}".tasks (web_task_id, workspace_id, status, request, reuse, created_at)
         VALUES ($1, 'ws_q', 'pending', '{"reuseKey":"k"}', '{}', now())`,
        [id],
      );
    }
    expect((await migratePostgres({ pool, schema })).applied).toEqual(
      POSTGRES_MIGRATIONS.filter((m) => m.version >= 8).map((m) => m.version),
    );
    const store = createPostgresTaskStore({ pool, schema });
    const task = (id: string) => ({ ...sampleTaskRecord({ workspaceId: 'ws_q' }), webTaskId: id });
    await expect(store.create({ task: task('wt_d'), maxPending: 3 })).rejects.toMatchObject({
      code: 'workspace-rate-limited',
    });
    await store.transition({
      workspaceId: 'ws_q',
      webTaskId: 'wt_a',
      from: ['pending'],
      patch: { status: 'started' },
    });
    await store.create({ task: task('wt_d'), maxPending: 3 });
    await expect(store.create({ task: task('wt_e'), maxPending: 3 })).rejects.toMatchObject({
      code: 'workspace-rate-limited',
    });
    await pool.query(`DELETE FROM "${schema}".tasks WHERE web_task_id = 'wt_b'`);
    await store.create({ task: task('wt_e'), maxPending: 3 });
    await store.close();
  });
});
