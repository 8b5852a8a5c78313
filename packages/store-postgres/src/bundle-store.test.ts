import { describeBundleStoreContract, sampleNewBundle } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { createPostgresBundleStore } from './bundle-store.js';
import { migratePostgres } from './migrations.js';

const pool = createTestPool();
const schema = uniqueSchema('bundles');

beforeAll(async () => {
  await migratePostgres({ pool, schema });
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describeBundleStoreContract({
  name: 'postgres',
  create: () => createPostgresBundleStore({ pool, schema, migrate: false }),
});

describe('PostgreSQL bundle store', () => {
  it('keeps JSON schemas as jsonb, so SQL can query them', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const bundle = sampleNewBundle();
    await store.save({ bundle, expectedVersion: 0 });
    const { rows } = await pool.query(
      `SELECT output_schema->>'type' AS type, jsonb_typeof(output_schema) AS kind FROM "${schema}".bundles
       WHERE workspace_id = $1`,
      [bundle.workspaceId],
    );
    expect(rows).toEqual([{ type: 'object', kind: 'object' }]);
  });

  it('round-trips a boolean output schema and a bundle whose prefix contains LIKE wildcards', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const workspaceId = `ws_${crypto.randomUUID()}`;
    await store.save({
      bundle: sampleNewBundle({ workspaceId, reuseKey: 'a_b.1', outputSchema: true }),
      expectedVersion: 0,
    });
    await store.save({ bundle: sampleNewBundle({ workspaceId, reuseKey: 'axb.2' }), expectedVersion: 0 });
    expect((await store.latest({ workspaceId, reuseKey: 'a_b.1' }))?.outputSchema).toBe(true);
    expect((await store.list({ workspaceId, prefix: 'a_' })).map((line) => line.reuseKey)).toEqual(['a_b.1']);
  });

  it('orders keys by code point, upper case before lower case', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const workspaceId = `ws_${crypto.randomUUID()}`;
    for (const reuseKey of ['beta', 'Zulu', 'alpha', 'Alpha']) {
      await store.save({ bundle: sampleNewBundle({ workspaceId, reuseKey }), expectedVersion: 0 });
    }
    expect((await store.list({ workspaceId })).map((line) => line.reuseKey)).toEqual([
      'Alpha',
      'Zulu',
      'alpha',
      'beta',
    ]);
  });

  it('a save racing a delete either conflicts or is deleted with the rest: the key ends up empty', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    const bundle = sampleNewBundle();
    await store.save({ bundle, expectedVersion: 0 });
    const [saved, deleted] = await Promise.allSettled([
      store.save({ bundle, expectedVersion: 1 }),
      store.delete(bundle),
    ]);
    expect(deleted).toMatchObject({ status: 'fulfilled', value: true });
    if (saved.status === 'rejected') expect(saved.reason).toMatchObject({ code: 'conflict' });
    expect(await store.history(bundle)).toEqual([]);
  });

  it('rejects a negative expectedVersion with invalid-request', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    await expect(store.save({ bundle: sampleNewBundle(), expectedVersion: -1 })).rejects.toMatchObject({
      code: 'invalid-request',
    });
  });

  it('an aborted call rejects with aborted', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    await expect(store.latest({ ...sampleNewBundle(), signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'aborted',
    });
  });

  it('close() leaves a pool the caller passed in open', async () => {
    const store = createPostgresBundleStore({ pool, schema, migrate: false });
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
  });
});
