import type { TaskStreamItem } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_runs';
const names = ['Acme', 'Globex', 'Initech'];
const request = {
  task: 'List the company names',
  startUrl: LIST_URL,
  reuseKey: 'companies',
  outputSchema: NAMES_SCHEMA,
};

async function collect(stream: AsyncIterable<TaskStreamItem>): Promise<TaskStreamItem[]> {
  const items: TaskStreamItem[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe('run records on fakes', () => {
  it('records phases, attempts with evidence and artifacts, model calls, agent steps, logs and output', async () => {
    const h = createHarness({ site: listSite(names, '.name') });
    // Explore: the first candidate throws once on the page, the second works.
    const throwsOnThePage = listCode('.name').replace(
      "  ctx.log.info('found '",
      "  throw new Error('first try fails');\n  ctx.log.info('found '",
    );
    h.model.setScript([submit(throwsOnThePage), submit(listCode('.name'))]);
    const first = await h.engine.run({ workspaceId: WS, request });
    expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    const explored = await h.engine.record({ workspaceId: WS, webTaskId: first.webTaskId });
    expect(explored.phases.map((phase) => phase.label)).toEqual([
      'loading',
      'exploring 1/2',
      'running candidate 1/2',
      'exploring 2/2',
      'running candidate 2/2',
      'saving',
    ]);
    expect(explored.attempts).toHaveLength(2);
    const [failed, passed] = explored.attempts;
    expect(failed).toMatchObject({ kind: 'candidate', mode: 'explore', attempt: 1, of: 2, ok: false });
    expect(failed?.error?.message).toContain('first try fails');
    expect(failed?.evidence?.pageUrl).toBe(LIST_URL);
    // A screenshot and the HTML of the page at the failure, in the blob store.
    expect(failed?.artifactKeys).toHaveLength(2);
    const html = explored.artifacts.find((artifact) => artifact.kind === 'html');
    expect(html?.key.startsWith(`${WS}/runs/${first.webTaskId}/`)).toBe(true);
    const stored = await h.blobs.get({ key: html?.key ?? '' });
    expect(Buffer.from(stored?.body ?? []).toString()).toContain('Globex');
    expect(explored.artifacts.map((artifact) => artifact.kind).sort()).toEqual(['html', 'screenshot']);
    expect(passed).toMatchObject({ kind: 'candidate', attempt: 2, ok: true });
    expect(explored.savedVersion).toBe(1);
    expect(explored.output).toEqual({ type: 'array', sizeBytes: 54, rowCount: 3, fields: ['name'] });
    expect(explored.modelCalls).toHaveLength(2);
    expect(explored.modelCalls[0]).toMatchObject({
      modelId: 'scripted-model',
      stopReason: expect.any(String),
    });
    expect(explored.modelCalls[0]?.inputTokens).toBeGreaterThan(0);
    expect(explored.agentSteps.map((step) => step.tool)).toEqual(['submit', 'submit']);
    expect(explored.agentSteps[0]?.input).toContain('source=');
    expect(explored.logs.lines.map((line) => line.message)).toContain('found 3 names');
    expect(explored.finished).toBe(true);
    expect(explored.deliveries).toBe(1);

    const reused = await h.engine.run({ workspaceId: WS, request });
    const record = await h.engine.record({ workspaceId: WS, webTaskId: reused.webTaskId });
    expect(record.phases.map((phase) => phase.label)).toEqual(['loading', 'running saved v1']);
    expect(record.attempts).toEqual([expect.objectContaining({ kind: 'saved', bundleVersion: 1, ok: true })]);
    expect(record.bundleVersion).toBe(1);
    expect(record.modelCalls).toEqual([]);
    expect(record.events.map((entry) => entry.seq)).toEqual(record.events.map((_, index) => index + 1));
    expect(record.events.at(-1)?.event).toMatchObject({
      type: 'status',
      status: 'completed',
      outcome: 'success',
    });
  });

  it('keeps the last 1,000 log lines and cuts a huge line with a marker, without failing the run', async () => {
    const h = createHarness({ site: listSite(names, '.name') });
    const noisy = listCode(
      '.name',
      "  for (let i = 0; i < 3000; i += 1) ctx.log.info('line ' + i);\n  ctx.log.warn('x'.repeat(100000));",
    );
    h.model.setScript([submit(noisy)]);
    const result = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'noisy' } });
    expect(result).toMatchObject({ outcome: 'success' });
    const { logs } = await h.engine.record({ workspaceId: WS, webTaskId: result.webTaskId });
    expect(logs.lines).toHaveLength(1000);
    expect(logs.truncated).toBe(true);
    expect(logs.droppedLines).toBe(2002);
    expect(logs.bytes).toBeLessThanOrEqual(256 * 1024);
    const huge = logs.lines.find((line) => line.level === 'warn');
    // The runtime cuts long messages first; the record never keeps more than 8 KiB of one line.
    expect(huge?.message).toMatch(/… \[(truncated|cut: the line had \d+ bytes)\]$/);
    expect(Buffer.byteLength(huge?.message ?? '')).toBeLessThan(8 * 1024 + 64);
    expect(logs.lines.at(-1)?.message).toBe('found 3 names');
  });

  it('events() replays a finished run from the start and ends with the result', async () => {
    const h = createHarness({ site: listSite(names, '.name') });
    h.model.setScript([submit(listCode('.name'))]);
    const done = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'replay' } });
    const items = await collect(h.engine.events({ workspaceId: WS, webTaskId: done.webTaskId }));
    const last = items.at(-1);
    expect(last).toEqual({ type: 'result', result: done });
    const types = items.flatMap((item) => (item.type === 'event' ? [item.entry.event.type] : []));
    expect(types[0]).toBe('status');
    expect(types).toContain('phase');
    expect(types).toContain('model-call');
    expect(types).toContain('saved');
    const after = await collect(h.engine.events({ workspaceId: WS, webTaskId: done.webTaskId, afterSeq: 3 }));
    expect(after[0]?.type === 'event' && after[0].entry.seq).toBe(4);
  });

  it('events() streams a running task live, then its result', async () => {
    const h = createHarness({ site: listSite(names, '.name') });
    h.model.setScript([submit(listCode('.name', '  await ctx.page.waitForTimeout(300);'))]);
    const started = await h.engine.start({ workspaceId: WS, request: { ...request, reuseKey: 'live' } });
    const seen: Array<{ type: string; at: number }> = [];
    for await (const item of h.engine.events({ workspaceId: WS, webTaskId: started.webTaskId })) {
      seen.push({ type: item.type === 'event' ? item.entry.event.type : 'result', at: Date.now() });
    }
    expect(seen.at(-1)?.type).toBe('result');
    expect(seen.filter((item) => item.type === 'result')).toHaveLength(1);
    expect(seen.map((item) => item.type)).toContain('run-result');
  });

  it('cancel: pending completes as canceled, started is aborted, completed is a conflict; nothing is saved', async () => {
    const h = createHarness({ site: listSite(names, '.name'), extra: { worker: false } });
    const pending = await h.engine.start({
      workspaceId: WS,
      request: { ...request, reuseKey: 'cancel-pending' },
    });
    const canceled = await h.engine.cancel({ workspaceId: WS, webTaskId: pending.webTaskId });
    expect(canceled).toMatchObject({ status: 'completed', outcome: 'failed', error: { code: 'canceled' } });

    const running = createHarness({ site: listSite(names, '.name') });
    running.model.setScript([submit(listCode('.name', '  await ctx.page.waitForTimeout(8000);'))]);
    const started = await running.engine.start({
      workspaceId: WS,
      request: { ...request, reuseKey: 'cancel-run' },
    });
    await expect
      .poll(
        async () => (await running.engine.getTask({ workspaceId: WS, webTaskId: started.webTaskId }))?.status,
      )
      .toBe('started');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = Date.now();
    const result = await running.engine.cancel({ workspaceId: WS, webTaskId: started.webTaskId });
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'canceled' } });
    // The worker lets go within seconds: the record is finished and the browser session closed.
    await expect
      .poll(
        async () => (await running.engine.record({ workspaceId: WS, webTaskId: started.webTaskId })).finished,
        {
          timeout: 5000,
        },
      )
      .toBe(true);
    expect(Date.now() - before).toBeLessThan(5000);
    expect(running.browser.sessionsOpen).toBe(0);
    expect(await running.engine.bundles.get({ workspaceId: WS, reuseKey: 'cancel-run' })).toBeUndefined();
    const error = await running.engine
      .cancel({ workspaceId: WS, webTaskId: started.webTaskId })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'conflict' });
    expect(String(error.message)).toContain('already completed');
    await running.engine.close();
  });

  it('list pages newest first with an opaque cursor, filters, and refuses a tampered cursor', async () => {
    const h = createHarness({ site: listSite(names, '.name'), extra: { worker: false } });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const started = await h.engine.start({
        workspaceId: WS,
        request: { ...request, reuseKey: index % 2 === 0 ? 'even' : 'odd' },
      });
      ids.push(started.webTaskId);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const first = await h.engine.list({ workspaceId: WS, query: { limit: 2 } });
    expect(first.tasks.map((task) => task.webTaskId)).toEqual([ids[4], ids[3]]);
    const second = await h.engine.list({
      workspaceId: WS,
      query: { limit: '2' as unknown as number, cursor: first.nextCursor },
    });
    expect(second.tasks.map((task) => task.webTaskId)).toEqual([ids[2], ids[1]]);
    const third = await h.engine.list({ workspaceId: WS, query: { limit: 2, cursor: second.nextCursor } });
    expect(third.tasks.map((task) => task.webTaskId)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeUndefined();
    const even = await h.engine.list({ workspaceId: WS, query: { reuseKey: 'even', status: 'pending' } });
    expect(even.tasks.map((task) => task.webTaskId)).toEqual([ids[4], ids[2], ids[0]]);
    expect(even.tasks[0]).toMatchObject({ status: 'pending', reuseKey: 'even', task: request.task });

    const cursor = first.nextCursor ?? '';
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    await expect(h.engine.list({ workspaceId: WS, query: { cursor: tampered } })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('cursor is not valid'),
    });
    await expect(
      h.engine.list({ workspaceId: WS, query: { cursor, reuseKey: 'even' } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('other filters'),
    });
    await expect(
      h.engine.list({ workspaceId: WS, query: { status: 'done' as never } }),
    ).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(h.engine.list({ workspaceId: WS, query: { limit: 0 } })).rejects.toMatchObject({
      message: expect.stringContaining('limit must be a whole number from 1 to 100'),
    });
  });

  it('the retention sweep deletes expired runs with their artifacts, per workspace', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const clock = {
      now: () => now,
      sleep: ({ ms }: { ms: number }) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    };
    const h = createHarness({
      site: listSite(names, '.name'),
      extra: { clock, retention: { days: 30, workspaces: { ws_short: 1 } } },
    });
    h.model.setScript(() => submit(listCode('.name', "  if (!ctx.params.ok) throw new Error('nope');")));
    const keep = await h.engine.run({
      workspaceId: 'ws_long',
      request: { ...request, reuseKey: 'r1', parameters: { ok: true } },
    });
    const failing = await h.engine.run({ workspaceId: 'ws_short', request: { ...request, reuseKey: 'r2' } });
    const record = await h.engine.record({ workspaceId: 'ws_short', webTaskId: failing.webTaskId });
    const keys = record.artifacts.map((artifact) => artifact.key);
    expect(keys.length).toBeGreaterThan(0);
    now += 2 * 24 * 60 * 60 * 1000;
    expect(await h.engine.sweepRuns()).toBe(1);
    expect(await h.engine.getTask({ workspaceId: 'ws_short', webTaskId: failing.webTaskId })).toBeUndefined();
    for (const key of keys) expect(await h.blobs.get({ key })).toBeUndefined();
    expect(await h.engine.getTask({ workspaceId: 'ws_long', webTaskId: keep.webTaskId })).toBeDefined();
    now += 30 * 24 * 60 * 60 * 1000;
    expect(await h.engine.sweepRuns()).toBe(1);
    expect(await h.engine.getTask({ workspaceId: 'ws_long', webTaskId: keep.webTaskId })).toBeUndefined();
  });
});
