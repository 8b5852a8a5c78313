import { type RunEventEntry, WebTasksClient } from '@webtasks/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LIST_URL,
  listCode,
  NAMES_SCHEMA,
  startRealEngineServer,
  submit,
} from './__fixtures__/real-engine-server.js';

const keys = { ws_sdk_a: 'sdk-key-a', ws_sdk_b: 'sdk-key-b' };
let server: Awaited<ReturnType<typeof startRealEngineServer>>;

beforeAll(async () => {
  server = await startRealEngineServer(keys);
});

afterAll(async () => {
  await server.close();
});

function client(workspaceId: keyof typeof keys): WebTasksClient {
  return new WebTasksClient({ workspaceId, apiKey: keys[workspaceId], baseUrl: server.baseUrl });
}

const request = (reuseKey: string) => ({
  task: 'List the names',
  startUrl: LIST_URL,
  outputSchema: NAMES_SCHEMA,
  reuseKey,
});

describe('SDK: runs and bundles against the server on the real engine', () => {
  it('run() with onEvent follows the event stream live and returns the result', async () => {
    server.model.setScript(() => submit(listCode('  await ctx.page.waitForTimeout(200);')));
    const events: RunEventEntry[] = [];
    const statuses: string[] = [];
    const result = await client('ws_sdk_a').webTasks.run(request('sdk-run'), {
      timeoutMs: 20_000,
      onEvent: (entry) => events.push(entry),
      onStatus: (current) => statuses.push(current.status),
    });
    expect(result).toMatchObject({ status: 'completed', outcome: 'success' });
    expect(events.map((entry) => entry.event.type)).toEqual(
      expect.arrayContaining(['phase', 'run-result', 'saved']),
    );
    expect(events.map((entry) => entry.seq)).toEqual(events.map((_, index) => index + 1));
    expect(statuses.at(-1)).toBe('completed');
    expect(statuses).toContain('started');
  });

  it('list, record, events and cancel; errors keep their codes', async () => {
    const sdk = client('ws_sdk_a');
    const done = await sdk.webTasks.run(request('sdk-list'), { timeoutMs: 20_000 });
    const page = await sdk.webTasks.list({ reuseKey: 'sdk-list', limit: 5 });
    expect(page.tasks.map((task) => task.webTaskId)).toEqual([done.webTaskId]);
    const record = await sdk.webTasks.record(done.webTaskId);
    expect(record.phases[0]).toMatchObject({ phase: 'loading' });
    const replay: string[] = [];
    for await (const item of sdk.webTasks.events(done.webTaskId, { afterSeq: 2 })) {
      replay.push(item.type === 'event' ? String(item.entry.seq) : 'result');
    }
    expect(replay[0]).toBe('3');
    expect(replay.at(-1)).toBe('result');
    await expect(sdk.webTasks.cancel(done.webTaskId)).rejects.toMatchObject({
      status: 409,
      code: 'conflict',
    });
    await expect(client('ws_sdk_b').webTasks.record(done.webTaskId)).rejects.toMatchObject({
      status: 404,
      code: 'not-found',
    });
    await expect(sdk.webTasks.list({ cursor: 'forged' })).rejects.toMatchObject({
      status: 400,
      code: 'invalid-request',
    });

    server.model.setScript(() => submit(listCode('  await ctx.page.waitForTimeout(8000);')));
    const { webTaskId } = await sdk.webTasks.start(request('sdk-cancel'));
    await expect.poll(async () => (await sdk.webTasks.result(webTaskId)).status).toBe('started');
    expect(await sdk.webTasks.cancel(webTaskId)).toMatchObject({
      outcome: 'failed',
      error: { code: 'canceled' },
    });
  });

  it('bundles: list, get, history, diff, rollback, import, export, delete', async () => {
    server.model.setScript(() => submit(listCode()));
    const { bundles } = client('ws_sdk_a');
    await client('ws_sdk_a').webTasks.run(request('sdk-bundle'), { timeoutMs: 20_000 });
    const imported = await bundles.import('sdk-bundle', {
      source: listCode("  ctx.log.info('two');"),
      outputSchema: NAMES_SCHEMA,
    });
    expect(imported.version).toBe(2);
    expect((await bundles.list({ prefix: 'sdk-bundle' })).map((b) => b.version)).toEqual([2]);
    expect((await bundles.get('sdk-bundle', { version: 1 })).source).not.toContain('two');
    expect((await bundles.history('sdk-bundle')).map((b) => b.version)).toEqual([2, 1]);
    expect(await bundles.diff('sdk-bundle', 1, 2)).toContain("+  ctx.log.info('two');");
    expect(await bundles.rollback('sdk-bundle', 1)).toMatchObject({ version: 3, origin: 'rollback' });
    expect(await bundles.export('sdk-bundle', { version: 2 })).toContain('playwright-core');
    await bundles.delete('sdk-bundle');
    await expect(bundles.get('sdk-bundle')).rejects.toMatchObject({ status: 404, code: 'not-found' });
  });

  it('promotion over HTTP: verified import, policy and pin, a repair waits for review, approve and reject', async () => {
    const sdk = client('ws_sdk_a');
    const { bundles } = sdk;
    server.model.setScript(() => submit(listCode()));
    await sdk.webTasks.run(request('sdk-review'), { timeoutMs: 20_000 });
    expect(await bundles.settings('sdk-review')).toEqual({ promotion: 'auto' });
    expect(await bundles.updateSettings('sdk-review', { promotion: 'review' })).toEqual({
      promotion: 'review',
    });
    // An import is verified by a run on the server unless told otherwise.
    const verified = await bundles.import('sdk-review', { source: listCode(), outputSchema: NAMES_SCHEMA });
    expect(verified).toMatchObject({ version: 2, verification: { verified: true } });
    await expect(
      bundles.import('sdk-review', {
        source: listCode("  throw new Error('the list moved');"),
        outputSchema: NAMES_SCHEMA,
      }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'invalid-request',
      message: expect.stringContaining('not imported'),
    });
    // A broken version saved without verification: the next run repairs it, and under the
    // review policy the repair is proposed, not live.
    const broken = await bundles.import('sdk-review', {
      source: listCode("  throw new Error('the list moved');"),
      outputSchema: NAMES_SCHEMA,
      verify: false,
    });
    expect(broken).toMatchObject({ version: 3, verification: { verified: false } });
    const repaired = await sdk.webTasks.run(request('sdk-review'), { timeoutMs: 30_000 });
    expect(repaired).toMatchObject({ status: 'completed', outcome: 'success' });
    const history = await bundles.history('sdk-review');
    expect(history[0]).toMatchObject({ version: 4, status: 'proposed', origin: 'repair' });
    expect(await bundles.approve('sdk-review', 4)).toMatchObject({ version: 4, status: 'active' });
    await expect(bundles.reject('sdk-review', 4)).rejects.toMatchObject({
      status: 400,
      code: 'invalid-request',
      message: expect.stringContaining('not waiting for review'),
    });
    await expect(bundles.approve('sdk-review', 99)).rejects.toMatchObject({ status: 404 });
    // Pin and unpin; a pin of a missing version is a 404, an empty change a 400.
    expect(await bundles.updateSettings('sdk-review', { pinnedVersion: 1 })).toEqual({
      promotion: 'review',
      pinnedVersion: 1,
    });
    await expect(bundles.updateSettings('sdk-review', { pinnedVersion: 99 })).rejects.toMatchObject({
      status: 404,
      code: 'not-found',
    });
    expect(await bundles.updateSettings('sdk-review', { pinnedVersion: null })).toEqual({
      promotion: 'review',
    });
    await expect(bundles.updateSettings('sdk-review', {})).rejects.toMatchObject({
      status: 400,
      code: 'invalid-request',
    });
    // Another workspace's key is its own: nothing of ws_sdk_a's settings shows there.
    expect(await client('ws_sdk_b').bundles.settings('sdk-review')).toEqual({ promotion: 'auto' });
  });
});
