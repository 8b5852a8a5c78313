import type { TaskEvent } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_concurrency';

/** Code that only works for run number `n`: every run after it must repair and save. */
function codeForRun(n: number): string {
  return listCode(
    '.name',
    `  if (ctx.params.run !== ${n}) throw new Error('this code was written for run ${n}');\n  await ctx.page.waitForTimeout(15);`,
  );
}

describe('engine concurrency on fakes', () => {
  it('runs 20 tasks on one key one at a time, in FIFO order, with versions strictly increasing', async () => {
    const h = createHarness({
      site: listSite(['A', 'B', 'C']),
      // Code written for one run only is what the replay gate refuses; this test is about
      // ordering, so the gate is off (promotion-gate.test.ts covers it).
      limits: { replaySamples: 0 },
      // The model reads the run number from the prompt and writes code for exactly that run.
      script: (request) => {
        const runs = [...JSON.stringify(request.messages).matchAll(/\\"run\\": (\d+)/g)];
        return submit(codeForRun(Number(runs.at(-1)?.[1])));
      },
    });
    const started = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.engine.start({
          workspaceId: WS,
          request: {
            task: 'names',
            startUrl: LIST_URL,
            reuseKey: 'shared',
            outputSchema: NAMES_SCHEMA,
            parameters: { run: i + 1 },
          },
        }),
      ),
    );
    const results = await Promise.all(
      started.map((s) => h.engine.wait({ workspaceId: WS, webTaskId: s.webTaskId, timeoutMs: 60_000 })),
    );
    expect(results.every((r) => r.status === 'completed' && r.outcome === 'success')).toBe(true);

    // One at a time: between a task's start and its completion no other task of the key starts.
    const order = started.map((s) => s.webTaskId);
    const lifecycle = h.events.filter(
      (e): e is Extract<TaskEvent, { type: 'status' }> => e.type === 'status' && e.status !== 'pending',
    );
    let running = 0;
    let maxRunning = 0;
    for (const event of lifecycle) {
      running += event.status === 'started' ? 1 : -1;
      maxRunning = Math.max(maxRunning, running);
    }
    expect(maxRunning).toBe(1);
    // FIFO: tasks started in the order they were submitted.
    expect(lifecycle.filter((e) => e.status === 'started').map((e) => e.webTaskId)).toEqual(order);
    // Each run saved the next version: run 1 explored v1, run k repaired into vk.
    const records = await Promise.all(
      order.map((id) => h.engine.getTask({ workspaceId: WS, webTaskId: id })),
    );
    expect(records.map((r) => r?.bundleVersion)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records[0]?.reuse).toMatchObject({ created: true, used: false });
    expect(records.slice(1).every((r) => r?.reuse.used && r.reuse.updated)).toBe(true);
    const history = await h.engine.bundles.history({ workspaceId: WS, reuseKey: 'shared', limit: 100 });
    expect(history.map((b) => b.version)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    await h.engine.close();
  });

  it('never has more than 10 tasks of a workspace started at once', async () => {
    const h = createHarness({ site: listSite(['A', 'B', 'C']) });
    const slow = listCode('.name', '  await ctx.page.waitForTimeout(150);');
    for (let i = 0; i < 25; i += 1) {
      await h.engine.bundles.import({
        workspaceId: WS,
        reuseKey: `key-${i}`,
        source: slow,
        outputSchema: NAMES_SCHEMA,
      });
    }
    let started = 0;
    let maxStarted = 0;
    const pendingSeen = new Set<string>();
    h.engine.subscribe((event) => {
      if (event.type !== 'status') return;
      if (event.status === 'pending') pendingSeen.add(event.webTaskId);
      if (event.status === 'started') started += 1;
      if (event.status === 'completed') started -= 1;
      maxStarted = Math.max(maxStarted, started);
    });
    const ids = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        h.engine.start({
          workspaceId: WS,
          request: { task: 'names', reuseKey: `key-${i}`, outputSchema: NAMES_SCHEMA },
        }),
      ),
    );
    // While the first ten run, the rest wait as pending.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const counts = await h.tasks.countByStatus({ workspaceId: WS });
    expect(counts.started).toBe(10);
    expect(counts.pending).toBe(15);
    const results = await Promise.all(
      ids.map((s) => h.engine.wait({ workspaceId: WS, webTaskId: s.webTaskId, timeoutMs: 30_000 })),
    );
    expect(results.every((r) => r.status === 'completed' && r.outcome === 'success' && r.reuse.used)).toBe(
      true,
    );
    expect(maxStarted).toBe(10);
    expect(h.model.calls).toHaveLength(0);
    // Another workspace is not held back by this one's limit.
    await h.engine.close();
  });

  it('answers workspace-rate-limited when too many tasks wait', async () => {
    const h = createHarness({
      site: listSite(['A']),
      limits: { maxQueuedPerWorkspace: 3 },
      extra: { worker: false },
    });
    for (let i = 0; i < 3; i += 1) await h.engine.start({ workspaceId: WS, request: { task: 'x' } });
    await expect(h.engine.start({ workspaceId: WS, request: { task: 'x' } })).rejects.toMatchObject({
      code: 'workspace-rate-limited',
      retryable: true,
    });
    // Other workspaces are unaffected.
    await expect(h.engine.start({ workspaceId: 'ws_other', request: { task: 'x' } })).resolves.toMatchObject({
      status: 'pending',
    });
    const pending = await h.engine.result({
      workspaceId: WS,
      webTaskId: (await h.tasks.list({ workspaceId: WS }))[0]!.webTaskId,
    });
    expect(pending).toMatchObject({
      status: 'pending',
      reuse: { used: false, created: false, updated: false },
    });
    expect(pending.reuse.key).toMatch(/^wtr_/);
    await h.engine.close();
  });
});
