import { sampleNewBundle, sampleTaskRecord } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { migratePostgres } from './migrations.js';
import { createPostgresStores } from './postgres-stores.js';

const pool = createTestPool();
const schema = uniqueSchema('stores');

beforeAll(async () => {
  await migratePostgres({ pool, schema });
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describe('createPostgresStores().transaction', () => {
  it('commits a bundle save and the task completion together', async () => {
    const stores = createPostgresStores({ pool, schema, migrate: false });
    const task = sampleTaskRecord({ status: 'started' });
    await stores.tasks.create({ task });
    const bundle = sampleNewBundle({ workspaceId: task.workspaceId, webTaskId: task.webTaskId });
    await stores.transaction(async ({ bundles, tasks }) => {
      const saved = await bundles.save({ bundle, expectedVersion: 0 });
      await tasks.transition({
        ...task,
        from: ['started'],
        patch: { status: 'completed', bundleVersion: saved.version },
      });
    });
    expect((await stores.bundles.latest(bundle))?.version).toBe(1);
    expect((await stores.tasks.get(task))?.bundleVersion).toBe(1);
  });

  it('rolls the bundle save back when the task transition conflicts', async () => {
    const stores = createPostgresStores({ pool, schema, migrate: false });
    const task = sampleTaskRecord({ status: 'completed' });
    await stores.tasks.create({ task });
    const bundle = sampleNewBundle({ workspaceId: task.workspaceId });
    await expect(
      stores.transaction(async ({ bundles, tasks }) => {
        await bundles.save({ bundle, expectedVersion: 0 });
        await tasks.transition({ ...task, from: ['started'], patch: { status: 'completed' } });
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await stores.bundles.latest(bundle)).toBeUndefined();
  });

  it('rolls the task transition back when the bundle save conflicts', async () => {
    const stores = createPostgresStores({ pool, schema, migrate: false });
    const task = sampleTaskRecord({ status: 'started' });
    await stores.tasks.create({ task });
    const bundle = sampleNewBundle({ workspaceId: task.workspaceId });
    await stores.bundles.save({ bundle, expectedVersion: 0 });
    await expect(
      stores.transaction(async ({ bundles, tasks }) => {
        await tasks.transition({ ...task, from: ['started'], patch: { status: 'completed' } });
        await bundles.save({ bundle, expectedVersion: 0 });
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await stores.tasks.get(task))?.status).toBe('started');
  });
});
