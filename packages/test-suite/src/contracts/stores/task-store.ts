import { randomUUID } from 'node:crypto';
import { type TaskRecord, type TaskStore, WebTasksError } from '@webtasks/core';
import { describe, expect } from 'vitest';
import { type ContractOptions, contractTests, expectWebTasksError } from './contract-options.js';
import { registerRunRecordTests } from './task-store-runs.js';

/** A pending task record for a fresh random workspace unless given. */
export function sampleTaskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  const reuseKey = `key_${randomUUID()}`;
  return {
    webTaskId: `wt_${randomUUID()}`,
    workspaceId: `ws_${randomUUID()}`,
    request: {
      task: 'Collect every company in the directory',
      startUrl: 'https://example.com/directory',
      parameters: { batch: 'S24', pages: [1, 2] },
      outputSchema: { type: 'array', items: { type: 'object' } },
      reuseKey,
      reuseKeyGenerated: false,
      model: 'haiku',
    },
    status: 'pending',
    reuse: { key: reuseKey, used: false, created: false, updated: false },
    attempts: 0,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * The TaskStore contract: create/get per workspace, atomic `transition` guarded by `from`,
 * listing newest first, counts by status.
 */
export function describeTaskStoreContract(options: ContractOptions<TaskStore>): void {
  describe(`TaskStore contract: ${options.name}`, () => {
    const test = contractTests(options);

    test('declares specification v1', async (store) => {
      expect(store.specificationVersion).toBe('v1');
    });

    test('create then get returns the same record', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      expect(await store.get({ workspaceId: task.workspaceId, webTaskId: task.webTaskId })).toEqual(task);
    });

    test('get returns undefined for an unknown id', async (store) => {
      expect(
        await store.get({ workspaceId: `ws_${randomUUID()}`, webTaskId: `wt_${randomUUID()}` }),
      ).toBeUndefined();
    });

    test('creating an existing id fails with conflict and keeps the first record', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      await expectWebTasksError(store.create({ task: { ...task, attempts: 5 } }), 'conflict');
      expect((await store.get(task))?.attempts).toBe(0);
    });

    test("get returns undefined for another workspace's id", async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      expect(
        await store.get({ workspaceId: `ws_${randomUUID()}`, webTaskId: task.webTaskId }),
      ).toBeUndefined();
    });

    test('transition applies the patch when the status is in from, and the fields persist', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      const startedAt = new Date().toISOString();
      const started = await store.transition({
        workspaceId: task.workspaceId,
        webTaskId: task.webTaskId,
        from: ['pending'],
        patch: { status: 'started', startedAt, workerId: 'worker-1', attempts: 1 },
      });
      expect(started).toEqual({ ...task, status: 'started', startedAt, workerId: 'worker-1', attempts: 1 });
      const completedAt = new Date().toISOString();
      const patch = {
        status: 'completed',
        outcome: 'success',
        completedAt,
        bundleVersion: 3,
        result: { type: 'inline', data: [{ name: 'Acme', tags: ['b2b'] }] },
        reuse: { key: task.reuse.key, used: false, created: true, updated: true },
        cost: { aiUsd: 0.42, compute: { unit: 'hours', amount: 0.023 } },
      } as const;
      const completed = await store.transition({ ...task, from: ['started'], patch });
      expect(completed).toEqual({ ...started, ...patch });
      expect(await store.get(task)).toEqual(completed);
    });

    test('transition from a status not in from fails with conflict and changes nothing', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      await expectWebTasksError(
        store.transition({
          ...task,
          from: ['started', 'completed'],
          patch: { status: 'completed', outcome: 'failed' },
        }),
        'conflict',
      );
      expect(await store.get(task)).toEqual(task);
    });

    test('transition of an unknown or foreign id fails with not-found', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      const patch = { status: 'started' } as const;
      await expectWebTasksError(
        store.transition({
          workspaceId: task.workspaceId,
          webTaskId: `wt_${randomUUID()}`,
          from: ['pending'],
          patch,
        }),
        'not-found',
      );
      await expectWebTasksError(
        store.transition({
          workspaceId: `ws_${randomUUID()}`,
          webTaskId: task.webTaskId,
          from: ['pending'],
          patch,
        }),
        'not-found',
      );
      expect((await store.get(task))?.status).toBe('pending');
    });

    test('10 concurrent transitions pending→started: exactly one succeeds', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, (_, index) =>
          store.transition({
            ...task,
            from: ['pending'],
            patch: { status: 'started', workerId: `worker-${index}`, attempts: 1 },
          }),
        ),
      );
      const winners = attempts.filter((attempt) => attempt.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected')
          expect(WebTasksError.hasCode(attempt.reason, 'conflict')).toBe(true);
      }
      const winner = (winners[0] as PromiseFulfilledResult<TaskRecord>).value;
      const stored = await store.get(task);
      expect(stored?.workerId).toBe(winner.workerId);
      expect(stored?.attempts).toBe(1);
    });

    test('list is newest first, filters by status and honours limit', async (store) => {
      const workspaceId = `ws_${randomUUID()}`;
      const base = Date.now() - 60_000;
      const tasks = Array.from({ length: 5 }, (_, index) =>
        sampleTaskRecord({ workspaceId, createdAt: new Date(base + index * 1_000).toISOString() }),
      );
      for (const task of [tasks[2], tasks[0], tasks[4], tasks[1], tasks[3]])
        await store.create({ task: task as TaskRecord });
      await store.create({ task: sampleTaskRecord() });
      for (const task of [tasks[1], tasks[3]] as TaskRecord[]) {
        await store.transition({ ...task, from: ['pending'], patch: { status: 'started' } });
      }
      const newestFirst = [...tasks].reverse().map((task) => task.webTaskId);
      expect((await store.list({ workspaceId })).map((task) => task.webTaskId)).toEqual(newestFirst);
      expect((await store.list({ workspaceId, limit: 2 })).map((task) => task.webTaskId)).toEqual(
        newestFirst.slice(0, 2),
      );
      const started = await store.list({ workspaceId, status: 'started' });
      expect(started.map((task) => task.webTaskId)).toEqual([tasks[3]?.webTaskId, tasks[1]?.webTaskId]);
      expect(started.every((task) => task.status === 'started')).toBe(true);
      expect(await store.list({ workspaceId, status: 'completed' })).toEqual([]);
      expect(
        (await store.list({ workspaceId, status: 'pending', limit: 1 })).map((task) => task.webTaskId),
      ).toEqual([tasks[4]?.webTaskId]);
    });

    test('countByStatus counts each status of one workspace, zeros included', async (store) => {
      const workspaceId = `ws_${randomUUID()}`;
      expect(await store.countByStatus({ workspaceId })).toEqual({ pending: 0, started: 0, completed: 0 });
      const tasks = Array.from({ length: 4 }, () => sampleTaskRecord({ workspaceId }));
      for (const task of tasks) await store.create({ task });
      await store.create({ task: sampleTaskRecord() });
      const [first, second] = tasks as [TaskRecord, TaskRecord];
      await store.transition({ ...first, from: ['pending'], patch: { status: 'started' } });
      await store.transition({ ...second, from: ['pending'], patch: { status: 'started' } });
      await store.transition({
        ...second,
        from: ['started'],
        patch: { status: 'completed', outcome: 'failed' },
      });
      expect(await store.countByStatus({ workspaceId })).toEqual({ pending: 2, started: 1, completed: 1 });
    });

    test('create with maxPending admits at most that many pending tasks, even all at once', async (store) => {
      const workspaceId = `ws_${randomUUID()}`;
      const attempts = Array.from({ length: 100 }, () => sampleTaskRecord({ workspaceId }));
      const outcomes = await Promise.allSettled(
        attempts.map((task) => store.create({ task, maxPending: 7 })),
      );
      const admitted = attempts.filter((_, i) => outcomes[i]?.status === 'fulfilled');
      expect(admitted).toHaveLength(7);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(WebTasksError.hasCode(outcome.reason, 'workspace-rate-limited')).toBe(true);
        }
      }
      expect((await store.countByStatus({ workspaceId })).pending).toBe(7);
      // Another workspace has its own limit; a task that leaves `pending` frees a place.
      await store.create({ task: sampleTaskRecord(), maxPending: 7 });
      await store.transition({ ...admitted[0]!, from: ['pending'], patch: { status: 'started' } });
      await store.create({ task: sampleTaskRecord({ workspaceId }), maxPending: 7 });
      await expectWebTasksError(
        store.create({ task: sampleTaskRecord({ workspaceId }), maxPending: 7 }),
        'workspace-rate-limited',
      );
    });

    test('deleteCompleted removes completed records finished before the cutoff, nothing else', async (store) => {
      expect(typeof store.deleteCompleted).toBe('function');
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const workspaceId = `ws_${randomUUID()}`;
      const [old, recent, waiting] = [0, 1, 2].map(() => sampleTaskRecord({ workspaceId })) as [
        TaskRecord,
        TaskRecord,
        TaskRecord,
      ];
      for (const task of [old, recent, waiting]) await store.create({ task });
      await store.transition({
        ...old,
        from: ['pending'],
        patch: { status: 'completed', completedAt: iso(now) },
      });
      await store.transition({
        ...recent,
        from: ['pending'],
        patch: { status: 'completed', completedAt: iso(now + 2 * 86_400_000) },
      });
      const deleted = await store.deleteCompleted({
        completedBefore: iso(now + 86_400_000),
        limit: 1_000_000,
      });
      expect(deleted.map((task) => task.webTaskId)).toContain(old.webTaskId);
      expect(await store.get(old)).toBeUndefined();
      expect((await store.get(recent))?.status).toBe('completed');
      expect((await store.get(waiting))?.status).toBe('pending');
      expect(await store.countByStatus({ workspaceId })).toEqual({ pending: 1, started: 0, completed: 1 });
    });

    test('listUnfinished returns pending and started tasks of every workspace, oldest first', async (store) => {
      expect(typeof store.listUnfinished).toBe('function');
      // Far in the past, so that these come first whatever else the store holds.
      const at = (second: number) => new Date(Date.UTC(2001, 0, 1, 0, 0, second)).toISOString();
      const [a, b, c, d] = [
        sampleTaskRecord({ createdAt: at(3) }),
        sampleTaskRecord({ createdAt: at(1) }),
        sampleTaskRecord({ createdAt: at(2) }),
        sampleTaskRecord({ createdAt: at(0) }),
      ] as [TaskRecord, TaskRecord, TaskRecord, TaskRecord];
      for (const task of [a, b, c, d]) await store.create({ task });
      await store.transition({
        ...c,
        from: ['pending'],
        patch: { status: 'started', leaseExpiresAt: at(30), attempts: 1 },
      });
      await store.transition({ ...d, from: ['pending'], patch: { status: 'completed', outcome: 'failed' } });
      const mine = new Set([a, b, c, d].map((task) => task.webTaskId));
      const listed = (await store.listUnfinished!({ limit: 1_000 })).filter((r) => mine.has(r.webTaskId));
      expect(listed.map((r) => r.webTaskId)).toEqual([b.webTaskId, c.webTaskId, a.webTaskId]);
      expect(listed[1]).toMatchObject({ status: 'started', leaseExpiresAt: at(30), attempts: 1 });
      const finished = await store.transition({ ...c, from: ['started'], patch: { status: 'completed' } });
      expect(finished.leaseExpiresAt).toBe(at(30));
      const after = (await store.listUnfinished!({ limit: 1_000 })).filter((r) => mine.has(r.webTaskId));
      expect(after.map((r) => r.webTaskId)).toEqual([b.webTaskId, a.webTaskId]);
    });

    test('returned records are copies: mutating them changes nothing stored', async (store) => {
      const task = sampleTaskRecord();
      await store.create({ task });
      task.request.parameters.batch = 'mutated-input';
      const loaded = await store.get(task);
      expect(loaded?.request.parameters.batch).toBe('S24');
      if (loaded) loaded.request.parameters.batch = 'mutated-output';
      expect((await store.get(task))?.request.parameters.batch).toBe('S24');
    });

    registerRunRecordTests(test, sampleTaskRecord);

    test.checkSkips();
  });
}
