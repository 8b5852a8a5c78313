import { describeTaskStoreContract, sampleTaskRecord } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, dropSchema, uniqueSchema } from './__fixtures__/database.js';
import { migratePostgres } from './migrations.js';
import { createPostgresTaskStore } from './task-store.js';

const pool = createTestPool();
const schema = uniqueSchema('tasks');

beforeAll(async () => {
  await migratePostgres({ pool, schema });
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describeTaskStoreContract({
  name: 'postgres',
  create: () => createPostgresTaskStore({ pool, schema, migrate: false }),
});

describe('PostgreSQL task store', () => {
  it('a patch field given as undefined clears it; absent fields are kept', async () => {
    const store = createPostgresTaskStore({ pool, schema, migrate: false });
    const task = sampleTaskRecord();
    await store.create({ task });
    await store.transition({
      ...task,
      from: ['pending'],
      patch: { status: 'started', workerId: 'w1', attempts: 1 },
    });
    const back = await store.transition({
      ...task,
      from: ['started'],
      patch: { status: 'pending', workerId: undefined },
    });
    expect(back.workerId).toBeUndefined();
    expect(back.attempts).toBe(1);
    expect('workerId' in back).toBe(false);
  });

  it('transition accepts several from statuses and an empty patch', async () => {
    const store = createPostgresTaskStore({ pool, schema, migrate: false });
    const task = sampleTaskRecord();
    await store.create({ task });
    expect(await store.transition({ ...task, from: ['started', 'pending'], patch: {} })).toEqual(task);
  });

  it('a conflict says which status the task is in', async () => {
    const store = createPostgresTaskStore({ pool, schema, migrate: false });
    const task = sampleTaskRecord();
    await store.create({ task });
    await expect(
      store.transition({ ...task, from: ['started'], patch: { status: 'completed' } }),
    ).rejects.toMatchObject({
      code: 'conflict',
      details: { status: 'pending' },
      message: expect.stringMatching(/^\[webtasks:store-postgres\] /),
    });
  });

  it("sends a start's insert as one prepared statement, parsed once per connection", async () => {
    const single = createTestPool(1);
    try {
      const store = createPostgresTaskStore({ pool: single, schema, migrate: false });
      for (let i = 0; i < 3; i += 1) {
        const task = sampleTaskRecord();
        await store.create({ task: { ...task, workspaceId: `ws_prepared_${i % 2}` }, maxPending: 10 });
      }
      // The one connection has seen the statement three times, with two workspaces.
      const rows = await single.query<{ statement: string }>(
        "SELECT statement FROM pg_prepared_statements WHERE name LIKE 'webtasks\\_%'",
      );
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]?.statement).toMatch(/FOR UPDATE SKIP LOCKED/);
    } finally {
      await single.end();
    }
  });

  it('creates the schema itself on first use when migrate is left on', async () => {
    const ownSchema = uniqueSchema('auto');
    try {
      const store = createPostgresTaskStore({ pool, schema: ownSchema });
      const task = sampleTaskRecord();
      await store.create({ task });
      expect((await store.get(task))?.webTaskId).toBe(task.webTaskId);
    } finally {
      await dropSchema(pool, ownSchema);
    }
  });

  it('an unreachable server gives a retryable storage-error that says what to do', async () => {
    const store = createPostgresTaskStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      migrate: false,
    });
    try {
      const error = await store
        .get({ workspaceId: 'ws_x', webTaskId: 'wt_x' })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'storage-error', retryable: true });
      expect((error as Error).message).toMatch(
        /^\[webtasks:store-postgres\] Failed to read a task: .*reachable/,
      );
    } finally {
      await store.close();
    }
  });
});
