/**
 * Recovery scenarios: real server processes that are stopped, restarted or lose their queue,
 * with fake browser, sandbox, compiler and model (see `server-process.mjs`). Needs the built
 * packages (`pnpm exec turbo run build`). Redis and PostgreSQL that get restarted here are
 * private instances of the test (`private-services.ts`), so nothing else on the machine is hit.
 */
import type { TaskRecord } from '@webtasks/core';
import { createFsTaskStore } from '@webtasks/store-fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, ensurePrerequisites, type ServerProcess, WORKSPACE } from './cluster.js';
import { PrivateRedis } from './private-services.js';

const LIST_URL = 'https://fake.test/list';
const NAMES_SCHEMA = {
  type: 'array',
  items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
};

let cluster: Cluster | undefined;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(ensurePrerequisites, 120_000);
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function report(name: string, figures: Record<string, unknown>): void {
  console.info(`[multiprocess] ${name}: ${JSON.stringify(figures)}`);
}

/** SIGTERM and wait for the exit code. */
function terminate(server: ServerProcess): Promise<number | null> {
  return new Promise((resolve) => {
    server.child.once('exit', (code) => resolve(code));
    server.child.kill('SIGTERM');
  });
}

/** Successful (schema-valid) runs per task key, from every process's execution log. */
function validRunsPerKey(c: Cluster): Map<string, number> {
  const runs = new Map<string, number>();
  for (const e of c.executions()) {
    if (e.event === 'end' && e.ok && e.key) runs.set(e.key, (runs.get(e.key) ?? 0) + 1);
  }
  return runs;
}

describe('recovery from the task store', () => {
  it('fs store + memory queue: SIGTERM with 200 tasks queued on one key, restart on the same data dir → every task runs once', async () => {
    cluster = await Cluster.start({
      roles: ['both'],
      env: {
        WEBTASKS_STORE: 'fs',
        WEBTASKS_BLOBS: 'fs',
        WEBTASKS_LOCKS: 'memory',
        WEBTASKS_QUEUE: 'memory',
        WEBTASKS_WORKER_CONCURRENCY: '10',
        WEBTASKS_SHUTDOWN_TIMEOUT_MS: '10000',
      },
    });
    const store = createFsTaskStore({ directory: cluster.dataDir });
    // The client of the process that is running now (a new one after the restart).
    const start = (key: string) =>
      cluster!.client().webTasks.start({
        task: 'Collect the company names',
        startUrl: LIST_URL,
        reuseKey: 'one-key',
        outputSchema: NAMES_SCHEMA,
        parameters: { key, delayMs: 30 },
      });
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) ids.push((await start(`t${i}`)).webTaskId);
    while ((await store.countByStatus({ workspaceId: WORKSPACE })).completed < 5) await sleep(20);

    const first = cluster.processes[0]!;
    const exitCode = await terminate(first);
    expect(exitCode).toBe(0);
    const atStop = await store.countByStatus({ workspaceId: WORKSPACE });
    // Graceful: what was running finished; nothing was left `started`; the rest waits.
    expect(atStop.started).toBe(0);
    expect(atStop.pending).toBeGreaterThan(100);
    const runsBefore = [...validRunsPerKey(cluster).values()].reduce((a, b) => a + b, 0);
    expect(runsBefore).toBe(atStop.completed);

    const restartedAt = Date.now();
    await cluster.spawn('both');
    const more = [];
    for (let i = 0; i < 5; i += 1) more.push((await start(`new${i}`)).webTaskId);
    const all = [...ids, ...more];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const counts = await store.countByStatus({ workspaceId: WORKSPACE });
      if (counts.completed === all.length) break;
      if (Date.now() > deadline) throw new Error(`not done: ${JSON.stringify(counts)}`);
      await sleep(100);
    }
    const records = (await Promise.all(
      all.map((webTaskId) => store.get({ workspaceId: WORKSPACE, webTaskId })),
    )) as TaskRecord[];
    expect(records.filter((r) => r.outcome !== 'success').map((r) => r.error)).toEqual([]);
    expect(records.every((r) => r.attempts === 1)).toBe(true);
    // None twice: each task's code produced exactly one valid run across both processes.
    const runs = validRunsPerKey(cluster);
    expect(runs.size).toBe(all.length);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    // The recovered tasks kept their order (FIFO on the key across the restart).
    const byStart = [...records.slice(0, 200)].sort(
      (a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!),
    );
    expect(byStart.map((r) => r.webTaskId)).toEqual(ids);
    report('fs restart with 200 queued on one key', {
      completedBeforeStop: atStop.completed,
      pendingAtStop: atStop.pending,
      allCompletedAfterRestart: `${((Date.now() - restartedAt) / 1000).toFixed(1)} s`,
    });
  }, 180_000);

  it('kill -9 of a worker at the default lease settings: its tasks finish on the other worker within 60 s', async () => {
    cluster = await Cluster.start({
      roles: ['api', 'worker', 'worker'],
      // Default lease and queue timings: no MP_* overrides.
      env: { WEBTASKS_WORKER_CONCURRENCY: '4' },
    });
    const client = cluster.client();
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const { webTaskId } = await client.webTasks.start({
        task: 'Collect the company names',
        startUrl: LIST_URL,
        reuseKey: `crash-${i}`,
        outputSchema: NAMES_SCHEMA,
        parameters: { key: `crash-${i}`, delayMs: 3_000 },
      });
      ids.push(webTaskId);
    }
    // Wait until both workers run tasks, then kill the one running more of them.
    let running = new Map<number, Set<string>>();
    const deadline = Date.now() + 30_000;
    for (;;) {
      running = new Map();
      const ended = new Set(
        cluster
          .executions()
          .filter((e) => e.event === 'end')
          .map((e) => e.key),
      );
      for (const e of cluster.executions()) {
        if (e.event !== 'start' || !e.key || ended.has(e.key)) continue;
        running.set(e.pid, (running.get(e.pid) ?? new Set()).add(e.key));
      }
      if (running.size === 2 || Date.now() > deadline) break;
      await sleep(20);
    }
    const [victimPid, victimKeys] = [...running.entries()].sort((a, b) => b[1].size - a[1].size)[0]!;
    const victim = cluster.processes.find((p) => p.child.pid === victimPid)!;
    expect(victim.role).toBe('worker');
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await cluster.waitFor((counts) => counts.completed === ids.length, 90_000);
    const records = await cluster.records(ids);
    expect(records.every((r) => r.outcome === 'success')).toBe(true);
    const recovered = records.filter((r) => victimKeys.has(String(r.request.parameters.key)));
    expect(recovered.length).toBeGreaterThan(0);
    expect(recovered.every((r) => r.attempts === 2)).toBe(true);
    const seconds = recovered
      .map((r) => (Date.parse(r.completedAt!) - killedAt) / 1000)
      .sort((a, b) => a - b);
    const p95 = seconds[Math.min(seconds.length - 1, Math.ceil(seconds.length * 0.95) - 1)]!;
    expect(p95).toBeLessThan(60);
    report('kill -9 at default lease settings', {
      tasksOnKilledWorker: recovered.length,
      completedAfterKillSeconds: seconds.map((s) => s.toFixed(1)),
      p95: `${p95.toFixed(1)} s`,
    });
  }, 150_000);

  it('PostgreSQL + BullMQ: Redis restarted without persistence under a stream of tasks → every task completes, none twice', async () => {
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.stop());
    cluster = await Cluster.start({
      roles: ['api', 'worker', 'worker'],
      redisUrl: redis.url,
      env: {
        // Few consumers, so that a backlog waits in Redis when it restarts.
        WEBTASKS_WORKER_CONCURRENCY: '2',
        WEBTASKS_RECONCILE_INTERVAL_MS: '1000',
        MP_QUEUE_RETRY_MS: '200',
      },
    });
    const client = cluster.client();
    const ids: string[] = [];
    let restartedAt = 0;
    const stream = (async () => {
      for (let i = 0; i < 60; i += 1) {
        const { webTaskId } = await client.webTasks.start({
          task: 'Collect the company names',
          startUrl: LIST_URL,
          reuseKey: `stream-${i % 6}`,
          outputSchema: NAMES_SCHEMA,
          parameters: { key: `s${i}`, delayMs: 600 },
        });
        ids.push(webTaskId);
        await sleep(50);
      }
    })();
    await sleep(2_000);
    await redis.restart(500);
    restartedAt = Date.now();
    await stream;
    await cluster.waitFor((counts) => counts.completed === 60, 60_000);
    const recovered = Date.now() - restartedAt;
    const records = await cluster.records(ids);
    expect(records.filter((r) => r.outcome !== 'success').map((r) => r.error)).toEqual([]);
    const runs = validRunsPerKey(cluster);
    expect(runs.size).toBe(60);
    expect([...runs.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(cluster.processes.every((p) => p.child.exitCode === null)).toBe(true);
    // The backlog waiting in Redis was lost and came back from PostgreSQL.
    expect(cluster.logged(/reconciled the queue/).length).toBeGreaterThan(0);
    report('Redis restart without persistence', {
      allCompletedAfterRestart: `${(recovered / 1000).toFixed(1)} s`,
      reconciled: cluster.logged(/reconciled the queue/).length,
      maxAttempts: Math.max(...records.map((r) => r.attempts)),
    });
  }, 180_000);
});
