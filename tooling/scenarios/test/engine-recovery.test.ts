/**
 * Recovery from the task store, in one process on the memory adapters: what a worker does at
 * start-up and on its periodic sweep with tasks the queue lost, with started tasks whose
 * worker died, and with a store that fails the writes after a run.
 */
import {
  createWebTasks,
  type SecretStore,
  type TaskRecord,
  type TaskStore,
  WebTasksError,
} from '@webtasks/core';
import {
  createMemoryBlobStore,
  createMemoryBundleStore,
  createMemoryLockManager,
  createMemorySecretStore,
  createMemoryTaskQueue,
  createMemoryTaskStore,
} from '@webtasks/memory';
import {
  createFakeBrowserProvider,
  createFakeCompiler,
  createFakeSandbox,
  createScriptedLanguageModel,
} from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_recovery';
const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
const request = (reuseKey: string, extra: Record<string, unknown> = {}) => ({
  task: 'List the company names',
  startUrl: LIST_URL,
  reuseKey,
  outputSchema: NAMES_SCHEMA,
  ...extra,
});

/** An engine over shared stores: a "process" that can come and go. */
function processOn(
  shared: { tasks: TaskStore; bundles: ReturnType<typeof createMemoryBundleStore>; secrets?: SecretStore },
  worker: boolean,
) {
  const sandbox = createFakeSandbox();
  const engine = createWebTasks({
    bundles: shared.bundles,
    tasks: shared.tasks,
    blobs: createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'test-secret' }),
    locks: createMemoryLockManager(),
    queue: createMemoryTaskQueue(),
    browser: createFakeBrowserProvider({ site: listSite(['Acme', 'Globex']) }),
    sandbox,
    compiler: createFakeCompiler(),
    model: createScriptedLanguageModel(() =>
      submit(
        listCode('.name', '  if (ctx.params.delayMs) await ctx.page.waitForTimeout(ctx.params.delayMs);'),
      ),
    ),
    worker,
    limits: { lockTtlMs: 3_000, reconcileIntervalMs: 200 },
    ...(shared.secrets ? { secrets: { store: shared.secrets, key: SECRETS_KEY } } : {}),
  });
  return { engine, sandbox };
}

async function waitForCompleted(tasks: TaskStore, ids: string[], timeoutMs = 10_000): Promise<TaskRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(ids.map((webTaskId) => tasks.get({ workspaceId: WS, webTaskId })));
    if (records.every((r) => r?.status === 'completed')) return records as TaskRecord[];
    if (Date.now() > deadline)
      throw new Error(`not completed: ${JSON.stringify(records.map((r) => r?.status))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('recovery from the task store', () => {
  it('pending tasks whose queue entries were lost run once when a worker starts', async () => {
    const shared = { tasks: createMemoryTaskStore(), bundles: createMemoryBundleStore() };
    // An API-only process accepts tasks into a queue nobody will ever read (it "crashes").
    const api = processOn(shared, false);
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1)
      ids.push((await api.engine.start({ workspaceId: WS, request: request('k') })).webTaskId);
    // A worker on a fresh queue: its start-up sweep finds the six in the store.
    const worker = processOn(shared, true);
    await worker.engine.startWorker();
    const records = await waitForCompleted(shared.tasks, ids);
    expect(records.map((r) => r.outcome)).toEqual(Array(6).fill('success'));
    expect(records.every((r) => r.attempts === 1)).toBe(true);
    // One run of the explored candidate for the first, one reuse run each for the rest.
    expect(worker.sandbox.runs).toBe(6);
    // In submission order: version 1 came from the first task, the rest reused it.
    expect(records[0]?.reuse).toMatchObject({ created: true });
    expect(records.slice(1).every((r) => r.reuse.used && !r.reuse.updated)).toBe(true);
    await worker.engine.close();
  });

  it('a started task whose lease lapsed is delivered again; a side-effecting one fails instead', async () => {
    const shared = { tasks: createMemoryTaskStore(), bundles: createMemoryBundleStore() };
    const api = processOn(shared, false);
    const plain = await api.engine.start({ workspaceId: WS, request: request('plain') });
    const effect = await api.engine.start({
      workspaceId: WS,
      request: request('effect', { sideEffects: true }),
    });
    const alive = await api.engine.start({ workspaceId: WS, request: request('alive') });
    // Their workers died after starting them; one worker is still alive (lease in the future).
    const startedBy = (webTaskId: string, leaseMs: number) =>
      shared.tasks.transition({
        workspaceId: WS,
        webTaskId,
        from: ['pending'],
        patch: {
          status: 'started',
          attempts: 1,
          workerId: 'dead-worker',
          startedAt: new Date().toISOString(),
          leaseExpiresAt: new Date(Date.now() + leaseMs).toISOString(),
        },
      });
    await startedBy(plain.webTaskId, -1_000);
    await startedBy(effect.webTaskId, -1_000);
    await startedBy(alive.webTaskId, 60_000);
    expect(
      (await shared.tasks.get({ workspaceId: WS, webTaskId: effect.webTaskId }))?.request.sideEffects,
    ).toBe(true);

    const worker = processOn(shared, true);
    await worker.engine.startWorker();
    const [plainRecord, effectRecord] = await waitForCompleted(shared.tasks, [
      plain.webTaskId,
      effect.webTaskId,
    ]);
    expect(plainRecord).toMatchObject({ outcome: 'success', attempts: 2 });
    expect(effectRecord).toMatchObject({
      outcome: 'failed',
      attempts: 1,
      error: { code: 'internal-error' },
      reuse: { used: false, created: false, updated: false },
    });
    expect(effectRecord?.error?.message).toMatch(/sideEffects: true.*not run again/);
    // Its code never ran again: only the plain task's explored candidate ran.
    expect(worker.sandbox.runs).toBe(1);
    // The live worker's task is left alone over several sweeps.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await shared.tasks.get({ workspaceId: WS, webTaskId: alive.webTaskId })).toMatchObject({
      status: 'started',
      attempts: 1,
    });
    await worker.engine.close();
  });

  it('completion is retried through a store outage after the run: the code runs once', async () => {
    const inner = createMemoryTaskStore();
    let failures = 0;
    const flaky: TaskStore = {
      ...inner,
      async transition(call) {
        if (call.patch.status === 'completed' && failures < 3) {
          failures += 1;
          throw new WebTasksError({
            code: 'storage-error',
            retryable: true,
            message: '[webtasks:test] connection refused (the database is restarting)',
          });
        }
        return inner.transition(call);
      },
    };
    const shared = { tasks: flaky, bundles: createMemoryBundleStore() };
    const worker = processOn(shared, true);
    const result = await worker.engine.run({ workspaceId: WS, request: request('outage') });
    expect(result).toMatchObject({ status: 'completed', outcome: 'success' });
    expect(failures).toBe(3);
    // One explore candidate run; the task was not run a second time.
    expect(worker.sandbox.runs).toBe(1);
    const record = await inner.get({ workspaceId: WS, webTaskId: result.webTaskId });
    expect(record?.attempts).toBe(1);
    await worker.engine.close();
  });

  it('the secrets read before a run waits out a store outage instead of failing the task', async () => {
    const inner = createMemorySecretStore();
    let failures = 0;
    const flaky: SecretStore = {
      ...inner,
      async list(call) {
        if (failures < 2) {
          failures += 1;
          throw new WebTasksError({
            code: 'storage-error',
            retryable: true,
            message: '[webtasks:test] Failed to list sealed entries: terminating connection',
          });
        }
        return inner.list(call);
      },
    };
    const shared = { tasks: createMemoryTaskStore(), bundles: createMemoryBundleStore(), secrets: flaky };
    const worker = processOn(shared, true);
    await worker.engine.secrets.set({ workspaceId: WS, name: 'API_TOKEN', value: 'tok-123' });
    failures = 0;
    const result = await worker.engine.run({ workspaceId: WS, request: request('secrets-outage') });
    expect(result).toMatchObject({ status: 'completed', outcome: 'success' });
    expect(failures).toBe(2);
    await worker.engine.close();
  });

  it('a stopping worker hands back tasks still waiting for their key and starts none of them', async () => {
    const shared = { tasks: createMemoryTaskStore(), bundles: createMemoryBundleStore() };
    const worker = processOn(shared, true);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        (
          await worker.engine.start({
            workspaceId: WS,
            request: request('one-key', { parameters: { delayMs: 300 } }),
          })
        ).webTaskId,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.engine.close({ graceful: true, timeoutMs: 5_000 });
    const records = await Promise.all(
      ids.map((webTaskId) => shared.tasks.get({ workspaceId: WS, webTaskId })),
    );
    const statuses = records.map((r) => r?.status);
    // The one running finished; the four waiting behind it were never started.
    expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(4);
    // A new process on the same store runs them, in order.
    const next = processOn(shared, true);
    await next.engine.startWorker();
    const done = await waitForCompleted(shared.tasks, ids);
    expect(done.every((r) => r.outcome === 'success' && r.attempts === 1)).toBe(true);
    const order = [...done].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
    expect(order.map((r) => r.webTaskId)).toEqual(ids);
    await next.engine.close();
  });
});
