import { type TaskEvent, WebTasksError } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_cancel';

/** Resolves when `events` holds an event matching `match`. */
function eventSeen(h: ReturnType<typeof createHarness>, match: (event: TaskEvent) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (h.events.some(match)) return resolve();
    const stop = h.engine.subscribe((event) => {
      if (match(event)) {
        stop();
        resolve();
      }
    });
  });
}

describe('engine cancel on fakes', () => {
  it('aborts a task while the agent explores: failed/canceled, nothing saved, no further model call', async () => {
    let release: (() => void) | undefined;
    const h = createHarness({
      site: listSite(['A', 'B']),
      // The first model call hangs until its signal aborts (as a real HTTP call would).
      script: (options) =>
        new Promise((resolve, reject) => {
          release = () => resolve(submit(listCode('.name')));
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
        }),
    });
    const started = await h.engine.start({
      workspaceId: WS,
      request: { task: 'names', startUrl: LIST_URL, reuseKey: 'cancel-explore', outputSchema: NAMES_SCHEMA },
    });
    await eventSeen(h, (e) => e.type === 'phase' && e.phase === 'exploring');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = Date.now();
    const result = await h.engine.cancel({ workspaceId: WS, webTaskId: started.webTaskId });
    expect(Date.now() - before).toBeLessThan(5000);
    expect(result).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: { code: 'canceled', message: expect.stringContaining('Nothing was saved') },
      reuse: { key: 'cancel-explore', used: false, created: false, updated: false },
    });
    release?.();
    expect(h.model.calls).toHaveLength(1);
    expect(await h.bundles.latest({ workspaceId: WS, reuseKey: 'cancel-explore' })).toBeUndefined();
    await h.engine.close();
  });

  it('completes a pending task at once; it never runs', async () => {
    let release: (() => void) | undefined;
    const h = createHarness({
      site: listSite(['A']),
      script: (_options, index) =>
        index === 0
          ? new Promise((resolve) => {
              release = () => resolve(submit(listCode('.name')));
            })
          : submit(listCode('.name')),
    });
    const request = { task: 'names', startUrl: LIST_URL, reuseKey: 'same-key', outputSchema: NAMES_SCHEMA };
    const first = await h.engine.start({ workspaceId: WS, request });
    await eventSeen(
      h,
      (e) => e.type === 'phase' && e.webTaskId === first.webTaskId && e.phase === 'exploring',
    );
    // Same reuse key: the second waits, pending, for the first one's lease.
    const second = await h.engine.start({ workspaceId: WS, request });
    const cancelled = await h.engine.cancel({ workspaceId: WS, webTaskId: second.webTaskId });
    expect(cancelled).toMatchObject({ status: 'completed', outcome: 'failed', error: { code: 'canceled' } });
    release?.();
    const done = await h.engine.wait({ workspaceId: WS, webTaskId: first.webTaskId, timeoutMs: 10_000 });
    expect(done).toMatchObject({ outcome: 'success', reuse: { created: true } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.events.some((e) => e.webTaskId === second.webTaskId && e.type === 'phase')).toBe(false);
    expect((await h.engine.getTask({ workspaceId: WS, webTaskId: second.webTaskId }))?.status).toBe(
      'completed',
    );
    await h.engine.close();
  });

  it('refuses to cancel a completed task with conflict, and an unknown one with not-found', async () => {
    const h = createHarness({ site: listSite(['A']), script: () => submit(listCode('.name')) });
    const done = await h.engine.run({
      workspaceId: WS,
      request: { task: 'names', startUrl: LIST_URL, reuseKey: 'done', outputSchema: NAMES_SCHEMA },
    });
    const error = await h.engine.cancel({ workspaceId: WS, webTaskId: done.webTaskId }).catch((e) => e);
    expect(WebTasksError.hasCode(error, 'conflict')).toBe(true);
    expect(error.message).toContain('already completed');
    const missing = await h.engine.cancel({ workspaceId: WS, webTaskId: 'wt_nope' }).catch((e) => e);
    expect(WebTasksError.hasCode(missing, 'not-found')).toBe(true);
    await h.engine.close();
  });
});
