/**
 * Scale-out scenarios: real server processes (API and workers) on PostgreSQL, Redis locks,
 * BullMQ and S3 (s3rver), with fake browser, sandbox, compiler and model (see
 * `server-process.mjs`). Needs the built packages (`pnpm exec turbo run build`).
 *
 * The tests run one after another in this file: each starts its own processes under a
 * random schema / prefix, and one restarts PostgreSQL.
 */
import type { TaskRecord } from '@webtasks/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, ensurePrerequisites, maxOverlap, WORKSPACE } from './cluster.js';
import { PrivatePostgres } from './private-services.js';

const LIST_URL = 'https://fake.test/list';
const NAMES_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1 } },
  },
};

let cluster: Cluster | undefined;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(ensurePrerequisites, 120_000);
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
}, 60_000);

const since = (start: number) => `${((Date.now() - start) / 1000).toFixed(1)} s`;
const time = (iso: string | undefined) => Date.parse(iso ?? '');

function report(name: string, figures: Record<string, unknown>): void {
  console.info(`[multiprocess] ${name}: ${JSON.stringify(figures)}`);
}

describe('scale-out across processes (PostgreSQL, Redis, BullMQ, S3)', () => {
  it('200 tasks on one reuse key: each runs once, one at a time, saving versions 1..200 in order', async () => {
    const began = Date.now();
    cluster = await Cluster.start({
      roles: ['api', 'worker', 'worker'],
      env: { WEBTASKS_WORKER_CONCURRENCY: '10' },
    });
    const client = cluster.client();
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 1; i <= 200; i += 1) {
      const { webTaskId } = await client.webTasks.start({
        task: 'Collect the company names',
        startUrl: LIST_URL,
        reuseKey: 'shared',
        outputSchema: NAMES_SCHEMA,
        parameters: { runNumber: i },
      });
      ids.push(webTaskId);
    }
    const submitted = since(started);
    await cluster.waitFor((counts) => counts.completed === 200, 150_000);
    const ran = since(started);

    const records = await cluster.records(ids);
    expect(records.filter((r) => r.outcome !== 'success').map((r) => r.error)).toEqual([]);
    // No task was started twice, and each one's valid code ran exactly once.
    expect(records.every((r) => r.attempts === 1)).toBe(true);
    const executions = cluster.executions().filter((e) => e.event === 'end');
    const validRuns = new Map<number, number>();
    for (const e of executions) if (e.ok) validRuns.set(e.runNumber!, (validRuns.get(e.runNumber!) ?? 0) + 1);
    expect([...validRuns.values()].every((n) => n === 1)).toBe(true);
    expect(validRuns.size).toBe(200);
    // One at a time across processes: no two runs of the key overlap in time.
    expect(maxOverlap(executions.map((e) => ({ start: e.startedAt!, end: e.at })))).toBe(1);
    // Both workers took part.
    const pids = new Set(executions.map((e) => e.pid));
    expect(pids.size).toBe(2);

    // Linear versions: in the order tasks ran, each saved the next version (run 1 explored v1,
    // every later run repaired the previous version into the next one).
    const byStart = [...records].sort((a, b) => time(a.startedAt) - time(b.startedAt));
    expect(byStart.map((r) => r.bundleVersion)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(byStart[0]?.reuse).toMatchObject({ used: false, created: true, updated: true });
    expect(byStart.slice(1).every((r) => r.reuse.used && r.reuse.updated && !r.reuse.created)).toBe(true);
    const history = await cluster.stores.bundles.history({
      workspaceId: WORKSPACE,
      reuseKey: 'shared',
      limit: 500,
    });
    expect(history.map((b) => b.version)).toEqual(Array.from({ length: 200 }, (_, i) => 200 - i));
    // Each version was saved by the task that ran it, from its own code.
    const byVersion = new Map(history.map((b) => [b.version, b]));
    for (const r of records) expect(byVersion.get(r.bundleVersion!)?.webTaskId).toBe(r.webTaskId);
    const last = await cluster.stores.bundles.get({
      workspaceId: WORKSPACE,
      reuseKey: 'shared',
      version: 200,
    });
    expect(last?.source).toContain(`run ${byStart[199]?.request.parameters.runNumber}`);

    // FIFO across processes: the lock serves waiters in arrival order, and tasks arrive at it
    // in queue order give or take the tasks already taken by the 2 × 10 consumers.
    const submittedPosition = new Map(ids.map((id, i) => [id, i]));
    const displacement = byStart.map((r, i) => Math.abs(submittedPosition.get(r.webTaskId)! - i));
    const inOrder = byStart.filter((r, i) => submittedPosition.get(r.webTaskId) === i).length;
    expect(Math.max(...displacement)).toBeLessThanOrEqual(20);
    report('200 tasks on one key', {
      submitted,
      allCompleted: ran,
      perTaskMs: Math.round((Date.now() - started) / 200),
      inSubmissionOrder: inOrder,
      maxDisplacement: Math.max(...displacement),
      total: since(began),
    });
  }, 240_000);

  it('30 tasks of one workspace on two processes: never more than 10 started at once', async () => {
    cluster = await Cluster.start({
      roles: ['both', 'both'],
      env: { WEBTASKS_WORKER_CONCURRENCY: '20' },
    });
    const clients = [cluster.client(), cluster.client()];
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        clients[i % 2]!.webTasks.start({
          task: 'Collect the company names',
          startUrl: LIST_URL,
          reuseKey: `key-${i}`,
          outputSchema: NAMES_SCHEMA,
          parameters: { key: `key-${i}`, delayMs: 700 },
        }),
      ),
    );
    let maxStarted = 0;
    let maxPending = 0;
    await cluster.waitFor(
      (counts) => counts.completed === 30,
      90_000,
      (counts) => {
        maxStarted = Math.max(maxStarted, counts.started);
        maxPending = Math.max(maxPending, counts.pending);
      },
    );
    const records = await cluster.records(ids.map((s) => s.webTaskId));
    expect(records.every((r) => r.outcome === 'success' && r.attempts === 1)).toBe(true);
    const runs = cluster.executions().filter((e) => e.event === 'end');
    const overlap = maxOverlap(runs.map((e) => ({ start: e.startedAt!, end: e.at })));
    // Polled in PostgreSQL and computed from the runs' own timestamps across both processes.
    expect(maxStarted).toBeLessThanOrEqual(10);
    expect(overlap).toBeLessThanOrEqual(10);
    // The limit, not the 2 × 20 consumers, is what held tasks back.
    expect(overlap).toBe(10);
    expect(maxPending).toBeGreaterThan(0);
    expect(new Set(runs.map((e) => e.pid)).size).toBe(2);
    // Record timestamps agree: at most 10 tasks between started and completed at any instant.
    expect(
      maxOverlap(records.map((r) => ({ start: time(r.startedAt), end: time(r.completedAt) }))),
    ).toBeLessThanOrEqual(10);
    report('30 tasks in one workspace', {
      maxStartedPolled: maxStarted,
      maxConcurrentRuns: overlap,
      maxPendingPolled: maxPending,
      allCompleted: since(started),
    });
  }, 180_000);

  it('kill -9 of a worker mid-run: the other worker finishes the task, the bundle stays intact', async () => {
    cluster = await Cluster.start({
      roles: ['api', 'worker', 'worker'],
      env: {
        WEBTASKS_WORKER_CONCURRENCY: '5',
        MP_LOCK_TTL_MS: '6000',
        MP_QUEUE_LOCK_MS: '5000',
        MP_QUEUE_STALLED_MS: '2000',
      },
    });
    const client = cluster.client();
    const start = (runNumber: number, delayMs: number, reuseKey = 'victim') =>
      client.webTasks.start({
        task: 'Collect the company names',
        startUrl: LIST_URL,
        reuseKey,
        outputSchema: NAMES_SCHEMA,
        parameters: { runNumber, delayMs, key: reuseKey },
      });
    const first = await start(1, 0);
    await client.webTasks.result(first.webTaskId, { waitSeconds: 30 });
    const v1 = await cluster.stores.bundles.latest({ workspaceId: WORKSPACE, reuseKey: 'victim' });
    expect(v1?.version).toBe(1);

    // The victim repairs v1 (slowly); a task behind it on the same key, and other keys' tasks.
    const victim = await start(2, 4000);
    const behind = await start(3, 0);
    const others = await Promise.all(Array.from({ length: 6 }, (_, i) => start(100 + i, 1500, `other-${i}`)));
    // The repaired candidate of run 2 starts (its second sandbox run): kill its process.
    const deadline = Date.now() + 30_000;
    let candidate: { pid: number } | undefined;
    while (!candidate && Date.now() < deadline) {
      candidate = cluster.executions().filter((e) => e.event === 'start' && e.runNumber === 2)[1];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(candidate).toBeDefined();
    const killed = cluster.processes.find((p) => p.child.pid === candidate!.pid)!;
    expect(killed.role).toBe('worker');
    killed.child.kill('SIGKILL');
    const killedAt = Date.now();

    const all = [first, victim, behind, ...others].map((s) => s.webTaskId);
    await cluster.waitFor((counts) => counts.completed === all.length, 60_000);
    const recoveredIn = Date.now() - killedAt;
    const [victimRecord, behindRecord] = await cluster.records([victim.webTaskId, behind.webTaskId]);
    expect(victimRecord).toMatchObject({ status: 'completed', outcome: 'success', attempts: 2 });
    expect(time(victimRecord!.completedAt) - killedAt).toBeLessThan(60_000);
    // It finished on the surviving worker.
    const survivor = cluster.processes.find((p) => p.role === 'worker' && p !== killed)!;
    const victimRuns = cluster.executions().filter((e) => e.event === 'end' && e.runNumber === 2 && e.ok);
    expect(victimRuns.map((e) => e.pid)).toEqual([survivor.child.pid]);
    // The bundle: v1 untouched, then one version from each of the two repairs. The task
    // behind the victim may go first: a redelivered task joins the lock's queue at the back.
    expect(behindRecord).toMatchObject({ outcome: 'success' });
    const history = await cluster.stores.bundles.history({
      workspaceId: WORKSPACE,
      reuseKey: 'victim',
      limit: 10,
    });
    expect(history.map((b) => b.version)).toEqual([3, 2, 1]);
    expect(history[2]?.webTaskId).toBe(first.webTaskId);
    expect(new Set(history.slice(0, 2).map((b) => b.webTaskId))).toEqual(
      new Set([victim.webTaskId, behind.webTaskId]),
    );
    expect([victimRecord!.bundleVersion, behindRecord!.bundleVersion].sort()).toEqual([2, 3]);
    const kept = await cluster.stores.bundles.get({ workspaceId: WORKSPACE, reuseKey: 'victim', version: 1 });
    expect(kept?.source).toBe(v1?.source);
    const counts = await cluster.counts();
    expect(counts).toMatchObject({ started: 0, pending: 0, completed: all.length });
    expect(cluster.logged(/failed its last attempt/)).toEqual([]);
    report('kill -9 of a worker', {
      victimCompletedAfterKill: `${((time(victimRecord!.completedAt) - killedAt) / 1000).toFixed(1)} s`,
      allCompletedAfterKill: `${(recoveredIn / 1000).toFixed(1)} s`,
      victimAttempts: victimRecord!.attempts,
      behindRanFirst: behindRecord!.bundleVersion === 2,
    });
  }, 120_000);

  it('PostgreSQL restarted under load: the servers recover, every task completes once, starts meanwhile get 503 not 500', async () => {
    // A private PostgreSQL, so that stopping it disturbs no other test on the machine.
    const postgres = await PrivatePostgres.start();
    cleanups.push(() => postgres.close());
    cluster = await Cluster.start({
      roles: ['both', 'both'],
      postgresUrl: postgres.url,
      env: { WEBTASKS_WORKER_CONCURRENCY: '10', MP_INLINE_BYTES: '200' },
    });
    const client = cluster.client();
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 80; i += 1) {
      const { webTaskId } = await client.webTasks.start({
        task: 'Collect the company names',
        startUrl: LIST_URL,
        reuseKey: `load-${i % 8}`,
        outputSchema: NAMES_SCHEMA,
        parameters: { key: `load-task-${i}`, delayMs: 800, copies: 2 },
      });
      ids.push(webTaskId);
    }
    let restartedAt = 0;
    let stoppedAt = 0;
    let completedBefore = 0;
    await cluster.waitFor((counts) => counts.completed >= 15, 60_000);
    completedBefore = (await cluster.counts()).completed;
    stoppedAt = Date.now();
    // Starts keep arriving while PostgreSQL is down: each gets 202 or 503, never a 500.
    const duringOutage: Array<{ status: number; retryAfter?: string; webTaskId?: string }> = [];
    let outage = true;
    const starts = (async () => {
      for (let i = 0; outage; i += 1) {
        try {
          const { webTaskId } = await client.webTasks.start({
            task: 'Collect the company names',
            startUrl: LIST_URL,
            reuseKey: `load-${i % 8}`,
            outputSchema: NAMES_SCHEMA,
            parameters: { key: `outage-task-${i}`, copies: 2 },
          });
          duringOutage.push({ status: 202, webTaskId });
        } catch (error) {
          const failure = error as { status?: number; headers?: Headers };
          duringOutage.push({ status: failure.status ?? 0 });
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    try {
      await postgres.restart(3000);
    } finally {
      outage = false;
      await starts;
    }
    restartedAt = Date.now();
    const accepted = duringOutage.flatMap((s) => (s.webTaskId ? [s.webTaskId] : []));
    ids.push(...accepted);
    await cluster.waitFor((counts) => counts.completed === ids.length, 120_000);
    const allCompletedAfterRestart = Date.now() - restartedAt;
    const records: TaskRecord[] = await cluster.records(ids);
    const exited = cluster.processes.filter((p) => p.child.exitCode !== null);
    expect(exited.map((p) => `exit ${p.child.exitCode}:\n${p.output.slice(-15).join('\n')}`)).toEqual([]);
    const failures = records.filter((r) => r.outcome !== 'success').map((r) => r.error);
    expect(failures).toEqual([]);
    // No task ran twice: one valid run of each task's code across both processes, and no
    // task was started a second time.
    const validRuns = new Map<string, number>();
    for (const e of cluster.executions()) {
      if (e.event === 'end' && e.ok && e.key) validRuns.set(e.key, (validRuns.get(e.key) ?? 0) + 1);
    }
    expect(validRuns.size).toBe(ids.length);
    expect([...validRuns.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(records.every((r) => r.attempts === 1)).toBe(true);
    expect(duringOutage.filter((s) => s.status !== 202 && s.status !== 503)).toEqual([]);
    expect(duringOutage.some((s) => s.status === 503)).toBe(true);
    // BullMQ gave up on no message (it has deliveries to spare for an outage this long).
    expect(cluster.logged(/failed its last attempt/)).toEqual([]);
    const firstAfter = Math.min(...records.map((r) => time(r.completedAt)).filter((at) => at > restartedAt));
    // Results live in S3 behind presigned URLs, readable through the API of either process.
    for (const id of ids.slice(0, 80)) {
      const result = await client.webTasks.result(id);
      expect(result.status).toBe('completed');
      if (result.status !== 'completed' || result.outcome !== 'success') continue;
      expect(result.result.type).toBe('file');
      if (result.result.type !== 'file') continue;
      const body = (await (await fetch(result.result.file.url)).json()) as unknown[];
      expect(body).toHaveLength(6);
    }
    report('PostgreSQL restart under load', {
      completedBeforeRestart: completedBefore,
      down: `${((restartedAt - stoppedAt) / 1000).toFixed(1)} s`,
      firstCompletionAfterRestart: `${((firstAfter - restartedAt) / 1000).toFixed(1)} s`,
      allCompletedAfterRestart: `${(allCompletedAfterRestart / 1000).toFixed(1)} s`,
      maxAttempts: Math.max(...records.map((r) => r.attempts)),
      startsDuringOutage: duringOutage.length,
      answered503: duringOutage.filter((s) => s.status === 503).length,
      total: since(started),
    });
  }, 240_000);
});
