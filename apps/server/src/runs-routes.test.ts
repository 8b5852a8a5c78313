import type { ScriptedLanguageModel } from '@webtasks/test-suite';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listCode as code,
  LIST_URL,
  NAMES_SCHEMA as schema,
  startRealEngineServer,
  submit,
} from './__fixtures__/real-engine-server.js';

const keys = { ws_runs_a: 'runs-key-a', ws_runs_b: 'runs-key-b' } as const;
type Ws = keyof typeof keys;

let model: ScriptedLanguageModel;
let baseUrl: string;
let server: Awaited<ReturnType<typeof startRealEngineServer>>;

beforeAll(async () => {
  server = await startRealEngineServer(keys);
  ({ model, baseUrl } = server);
});

afterAll(async () => {
  await server.close();
});

async function call(ws: Ws, method: string, path: string, body?: unknown) {
  const response = await fetch(`${baseUrl}/${ws}${path}`, {
    method,
    headers: { 'x-api-key': keys[ws], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

async function startTask(ws: Ws, extra: Record<string, unknown> = {}): Promise<string> {
  const started = await call(ws, 'POST', '/web-tasks/start', {
    task: 'List the names',
    startUrl: LIST_URL,
    outputSchema: schema,
    ...extra,
  });
  expect(started.status).toBe(202);
  return started.json.webTaskId as string;
}

async function waitDone(ws: Ws, id: string) {
  return (await call(ws, 'GET', `/web-tasks/${id}/result?waitSeconds=20`)).json;
}

/** Read an SSE stream until it ends; every frame with the time it arrived. */
async function readEvents(ws: Ws, id: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/${ws}/web-tasks/${id}/events`, {
    headers: { 'x-api-key': keys[ws], accept: 'text/event-stream', ...headers },
  });
  const connectedAt = Date.now();
  const frames: Array<{ event: string; id?: string; data: any; receivedAt: number }> = [];
  const parser = createParser({
    onEvent: (message) =>
      frames.push({
        event: message.event ?? 'message',
        id: message.id,
        data: JSON.parse(message.data),
        receivedAt: Date.now(),
      }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
    parser.feed(decoder.decode(chunk, { stream: true }));
  return { status: response.status, contentType: response.headers.get('content-type'), frames, connectedAt };
}

describe('run routes over HTTP on the real engine', () => {
  it('lists newest first with cursors and filters, and answers 400 for a tampered cursor or a bad filter', async () => {
    const ids: string[] = [];
    for (const reuseKey of ['list-a', 'list-b', 'list-a'])
      ids.push(await startTask('ws_runs_a', { reuseKey }));
    for (const id of ids) await waitDone('ws_runs_a', id);
    const page1 = await call('ws_runs_a', 'GET', '/web-tasks?limit=2&reuseKey=list-a');
    expect(page1.status).toBe(200);
    expect(page1.json.tasks.map((task: { webTaskId: string }) => task.webTaskId)).toEqual([ids[2], ids[0]]);
    expect(page1.json.tasks[0]).toMatchObject({
      status: 'completed',
      outcome: 'success',
      reuseKey: 'list-a',
    });
    expect(page1.json.nextCursor).toBeUndefined();
    const all = await call('ws_runs_a', 'GET', '/web-tasks?limit=1');
    const next = await call(
      'ws_runs_a',
      'GET',
      `/web-tasks?limit=1&cursor=${encodeURIComponent(all.json.nextCursor)}`,
    );
    expect(next.json.tasks[0].webTaskId).not.toBe(all.json.tasks[0].webTaskId);
    const tampered = await call(
      'ws_runs_a',
      'GET',
      `/web-tasks?cursor=${encodeURIComponent(`x${all.json.nextCursor}`)}`,
    );
    expect(tampered.status).toBe(400);
    expect(tampered.json.error).toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('cursor is not valid'),
    });
    for (const query of ['status=done', 'limit=500', 'since=yesterday', 'reuseKey=a%20b', 'colour=red']) {
      const bad = await call('ws_runs_a', 'GET', `/web-tasks?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json.error.code).toBe('invalid-request');
    }
    expect((await call('ws_runs_b', 'GET', '/web-tasks')).json.tasks).toEqual([]);
    expect((await fetch(`${baseUrl}/ws_runs_a/web-tasks`)).status).toBe(401);
  });

  it('serves the run record with signed artifact URLs; another workspace gets 404 for record, events and cancel', async () => {
    model.setScript([submit(code("  throw new Error('first candidate fails');")), submit(code())]);
    const id = await startTask('ws_runs_a', { reuseKey: 'record-key' });
    expect(await waitDone('ws_runs_a', id)).toMatchObject({ outcome: 'success' });
    model.setScript(() => submit(code()));
    const record = await call('ws_runs_a', 'GET', `/web-tasks/${id}/record`);
    expect(record.status).toBe(200);
    expect(record.json.attempts.map((attempt: { ok: boolean }) => attempt.ok)).toEqual([false, true]);
    expect(record.json.attempts[0].error.message).toContain('first candidate fails');
    const shot = record.json.artifacts.find((artifact: { kind: string }) => artifact.kind === 'screenshot');
    const url = new URL(shot.url);
    const download = await fetch(`${baseUrl}${url.pathname}${url.search}`);
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    for (const [method, path] of [
      ['GET', `/web-tasks/${id}/record`],
      ['GET', `/web-tasks/${id}/events`],
      ['POST', `/web-tasks/${id}/cancel`],
    ] as const) {
      const foreign = await call('ws_runs_b', method, path);
      expect(foreign.status, path).toBe(404);
      expect(foreign.json.error.code).toBe('not-found');
    }
  });

  it('streams events over SSE: replay, live, then one result event; Last-Event-ID resumes', async () => {
    model.setScript(() => submit(code('  await ctx.page.waitForTimeout(400);')));
    const id = await startTask('ws_runs_a', { reuseKey: 'sse-key' });
    const stream = await readEvents('ws_runs_a', id);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    const last = stream.frames.at(-1);
    expect(last?.event).toBe('result');
    expect(last?.data).toMatchObject({ webTaskId: id, status: 'completed', outcome: 'success' });
    expect(stream.frames.filter((frame) => frame.event === 'result')).toHaveLength(1);
    const seqs = stream.frames.filter((frame) => frame.event !== 'result').map((frame) => Number(frame.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(stream.frames.map((frame) => frame.event)).toEqual(
      expect.arrayContaining(['phase', 'model-call', 'log', 'saved']),
    );
    // Live delivery: engine timestamp → client receipt, for events that happened after the
    // stream was open (earlier ones are replays).
    const delays = stream.frames
      .filter((frame) => frame.event !== 'result' && Date.parse(frame.data.at) > stream.connectedAt)
      .map((frame) => frame.receivedAt - Date.parse(frame.data.at))
      .sort((a, b) => a - b);
    expect(delays.length).toBeGreaterThan(3);
    const p95 = delays[Math.floor(delays.length * 0.95)] ?? 0;
    console.log(
      `SSE delay engine→client over ${delays.length} events: p50 ${delays[Math.floor(delays.length / 2)]} ms, p95 ${p95} ms`,
    );
    expect(p95).toBeLessThan(200);

    const resumed = await readEvents('ws_runs_a', id, { 'last-event-id': String(seqs[2]) });
    expect(Number(resumed.frames[0]?.id)).toBe((seqs[2] ?? 0) + 1);
    expect(resumed.frames.at(-1)?.event).toBe('result');
    const refused = await call('ws_runs_a', 'GET', `/web-tasks/${id}/events?afterSeq=abc`);
    expect(refused.status).toBe(400);
  });

  it('cancels a running task within 5 s, saves nothing, and answers 409 for a completed one', async () => {
    model.setScript(() => submit(code('  await ctx.page.waitForTimeout(8000);')));
    const id = await startTask('ws_runs_a', { reuseKey: 'cancel-key' });
    await expect
      .poll(async () => (await call('ws_runs_a', 'GET', `/web-tasks/${id}/result`)).json.status)
      .toBe('started');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const began = Date.now();
    const canceled = await call('ws_runs_a', 'POST', `/web-tasks/${id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.json).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: { code: 'canceled' },
    });
    await expect
      .poll(async () => (await call('ws_runs_a', 'GET', `/web-tasks/${id}/record`)).json.finished, {
        timeout: 5000,
      })
      .toBe(true);
    expect(Date.now() - began).toBeLessThan(5000);
    expect((await call('ws_runs_a', 'GET', '/bundles/cancel-key')).status).toBe(404);
    const again = await call('ws_runs_a', 'POST', `/web-tasks/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already completed'),
    });
  });
});

describe('bundle routes over HTTP', () => {
  it('lists, shows, diffs, rolls back, imports, exports and deletes; other workspaces see nothing', async () => {
    model.setScript(() => submit(code()));
    await waitDone('ws_runs_a', await startTask('ws_runs_a', { reuseKey: 'bundle-key' }));
    const imported = await call('ws_runs_a', 'PUT', '/bundles/bundle-key', {
      source: code("  ctx.log.info('v2');"),
      outputSchema: schema,
    });
    expect(imported.status).toBe(201);
    expect(imported.json).toMatchObject({ version: 2, origin: 'import', parentVersion: 1 });
    const list = await call('ws_runs_a', 'GET', '/bundles?prefix=bundle-');
    expect(list.json.bundles).toEqual([expect.objectContaining({ reuseKey: 'bundle-key', version: 2 })]);
    const show = await call('ws_runs_a', 'GET', '/bundles/bundle-key?version=1');
    expect(show.json).toMatchObject({ version: 1, origin: 'explore', outputSchema: schema });
    expect(show.json.source).toContain('allTextContents');
    const history = await call('ws_runs_a', 'GET', '/bundles/bundle-key/history');
    expect(history.json.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const diff = await call('ws_runs_a', 'GET', '/bundles/bundle-key/diff?from=1&to=2');
    expect(diff.json.diff).toContain("+  ctx.log.info('v2');");
    const rollback = await call('ws_runs_a', 'POST', '/bundles/bundle-key/rollback', { version: 1 });
    expect(rollback.status).toBe(201);
    expect(rollback.json).toMatchObject({ version: 3, origin: 'rollback', parentVersion: 1 });
    const exported = await call('ws_runs_a', 'GET', '/bundles/bundle-key/export?version=2');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/javascript');
    expect(exported.headers.get('content-disposition')).toContain('bundle-key-v2.mjs');
    expect(exported.text).toContain('playwright-core');
    expect(exported.text).toContain("ctx.log.info('v2')");

    const broken = await call('ws_runs_a', 'PUT', '/bundles/bundle-key', {
      source: 'FAKE_COMPILE_ERROR',
      outputSchema: schema,
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toContain('does not compile');
    expect((await call('ws_runs_a', 'PUT', '/bundles/bundle-key', { source: 'x' })).status).toBe(400);
    expect((await call('ws_runs_a', 'GET', '/bundles/bundle-key?version=0')).status).toBe(400);
    expect((await call('ws_runs_a', 'GET', '/bundles/bundle-key?version=9')).status).toBe(404);
    expect((await call('ws_runs_a', 'GET', '/bundles/bundle-key/diff?from=1')).status).toBe(400);
    expect((await call('ws_runs_a', 'POST', '/bundles/bundle-key/rollback', { version: 'one' })).status).toBe(
      400,
    );

    for (const [method, path] of [
      ['GET', '/bundles/bundle-key'],
      ['GET', '/bundles/bundle-key/history'],
      ['GET', '/bundles/bundle-key/export'],
      ['DELETE', '/bundles/bundle-key'],
    ] as const)
      expect((await call('ws_runs_b', method, path)).status, `${method} ${path}`).toBe(404);
    expect((await call('ws_runs_b', 'GET', '/bundles')).json.bundles).toEqual([]);

    expect((await call('ws_runs_a', 'DELETE', '/bundles/bundle-key')).status).toBe(204);
    expect((await call('ws_runs_a', 'GET', '/bundles/bundle-key')).status).toBe(404);
  });

  it('documents every new route in the OpenAPI document', async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const operations = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'listWebTasks',
        'getWebTaskRecord',
        'cancelWebTask',
        'streamWebTaskEvents',
        'listBundles',
        'getBundle',
        'getBundleHistory',
        'diffBundleVersions',
        'rollbackBundle',
        'importBundle',
        'exportBundle',
        'deleteBundle',
      ]),
    );
  });
});
