import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { verifyWebhook } from '@webtasks/client';
import { type RunRecord, type WebTasksEngine, WebTasksError, type WebTasksOptions } from '@webtasks/core';
import { createPostgresStores } from '@webtasks/store-postgres';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_hooks';
const SECRET = 'whsec-scenario-0123456789';
const PGUSER = process.env.PGUSER || 'postgres';
const POSTGRES_URL = `postgres://${PGUSER}@127.0.0.1:5432/test`;
const request = {
  task: 'List the company names',
  startUrl: LIST_URL,
  outputSchema: NAMES_SCHEMA,
};

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A webhook receiver on loopback that answers 500 to its first `failures` requests, then 200,
 * each after `delayMs` (a slow receiver widens the window in which two senders could overlap).
 */
async function startReceiver(failures: number, delayMs = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = received.length < failures ? 500 : 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      setTimeout(() => res.writeHead(status).end(status === 200 ? 'ok' : 'not yet'), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/webtasks`,
    hostPort: `127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

function hooked(hostPort: string, extra: Partial<WebTasksOptions> = {}) {
  const names = ['Acme', 'Globex'];
  const h = createHarness({
    site: listSite(names, '.name'),
    script: [submit(listCode('.name'))],
    extra: {
      egress: { allowHosts: [hostPort] },
      webhooks: {
        secret: SECRET,
        retry: { initialDelayMs: 150, maxDelayMs: 600, retryForMs: 5 * 60_000 },
        pollIntervalMs: 200,
      },
      ...extra,
    },
  });
  closers.push(() => h.engine.close());
  return h;
}

const record = (engine: WebTasksEngine, webTaskId: string) => engine.record({ workspaceId: WS, webTaskId });

describe('webhooks', () => {
  it('a receiver that fails three times then succeeds: delivered once, signed, 4 attempts recorded', async () => {
    const receiver = await startReceiver(3);
    closers.push(receiver.close);
    const h = hooked(receiver.hostPort);
    const result = await h.engine.run({
      workspaceId: WS,
      request: { ...request, reuseKey: 'hooks', webhook: { url: receiver.url } },
    });
    expect(result).toMatchObject({ status: 'completed', outcome: 'success' });
    const run = await until(
      () => record(h.engine, result.webTaskId),
      (value: RunRecord) => value.webhook?.delivered === true,
    );
    const webhook = run.webhook;
    expect(webhook?.url).toBe(receiver.url);
    expect(webhook?.deliveries.map((attempt) => [attempt.attempt, attempt.status, attempt.ok])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 500, false],
      [4, 200, true],
    ]);
    expect(
      webhook?.deliveries.every(
        (attempt) => attempt.durationMs >= 0 && !Number.isNaN(Date.parse(attempt.at)),
      ),
    ).toBe(true);
    expect(webhook?.nextAttemptAt).toBeUndefined();
    // Backoff: each wait at least the configured delay (150, 300, 600 ms) less its jitter (20 %).
    const times = webhook?.deliveries.map((attempt) => Date.parse(attempt.at)) ?? [];
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(120);
    expect((times[3] ?? 0) - (times[2] ?? 0)).toBeGreaterThanOrEqual(480);
    // Four requests in all: nothing is sent after the 2xx.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(receiver.received.map((hit) => hit.status)).toEqual([500, 500, 500, 200]);
    const delivered = receiver.received[3] as Received;
    expect(delivered.headers['webtasks-delivery-attempt']).toBe('4');
    expect(delivered.headers['content-type']).toBe('application/json');
    const verified = await verifyWebhook(SECRET, delivered.headers, delivered.body);
    expect(verified).toEqual(await h.engine.result({ workspaceId: WS, webTaskId: result.webTaskId }));
    expect(verified).toMatchObject({ webTaskId: result.webTaskId, outcome: 'success' });
    await expect(
      verifyWebhook(SECRET, delivered.headers, delivered.body.replace('Acme', 'Evil')),
    ).rejects.toThrow(/matches the body/);
  });

  it('uses the workspace default URL when the request names none', async () => {
    const receiver = await startReceiver(0);
    closers.push(receiver.close);
    const h = hooked(receiver.hostPort, {
      webhooks: {
        secret: (workspaceId) => (workspaceId === WS ? SECRET : undefined),
        defaultUrl: (workspaceId) => (workspaceId === WS ? receiver.url : undefined),
      },
    });
    const result = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'default-hook' } });
    await until(
      () => record(h.engine, result.webTaskId),
      (value: RunRecord) => value.webhook?.delivered === true,
    );
    expect(receiver.received).toHaveLength(1);
    // Another workspace has no default: no webhook.
    const other = await h.engine.run({
      workspaceId: 'ws_other',
      request: { ...request, reuseKey: 'no-hook' },
    });
    expect(
      (await h.engine.record({ workspaceId: 'ws_other', webTaskId: other.webTaskId })).webhook,
    ).toBeUndefined();
  });

  it('refuses at start a webhook on a private or loopback address the egress policy does not allow, or without a secret', async () => {
    const h = hooked('127.0.0.1:1');
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://10.1.2.3/hook',
      'http://localhost:8080/x',
      'http://[::1]/x',
    ]) {
      const error = await h.engine
        .start({ workspaceId: WS, request: { ...request, webhook: { url } } })
        .catch((caught: unknown) => caught);
      expect(WebTasksError.hasCode(error, 'invalid-request')).toBe(true);
      expect((error as Error).message).toMatch(/refused by the egress policy.*egress\.allowHosts/);
    }
    const unsigned = createHarness({ site: listSite(['A'], '.name') });
    closers.push(() => unsigned.engine.close());
    const error = await unsigned.engine
      .start({ workspaceId: WS, request: { ...request, webhook: { url: 'http://127.0.0.1:1/x' } } })
      .catch((caught: unknown) => caught);
    expect(WebTasksError.hasCode(error, 'invalid-request')).toBe(true);
    expect((error as Error).message).toContain('webhooks.secret');
    expect((await h.engine.list({ workspaceId: WS })).tasks).toHaveLength(0);
  });
});

describe('webhooks on PostgreSQL', () => {
  const schema = `wt_hooks_${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    await promisify(execFile)('psql', [
      '-h',
      '127.0.0.1',
      '-U',
      PGUSER,
      '-d',
      'test',
      '-c',
      `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
    ]).catch(() => undefined);
  });

  it('survives a restart: an engine closed mid-backoff, a new engine on the same store delivers it', async () => {
    const receiver = await startReceiver(1);
    closers.push(receiver.close);
    const first = createPostgresStores({ connectionString: POSTGRES_URL, schema });
    closers.push(() => first.close());
    const retry = { initialDelayMs: 1500, maxDelayMs: 1500, retryForMs: 5 * 60_000 };
    const before = hooked(receiver.hostPort, {
      tasks: first.tasks,
      webhooks: { secret: SECRET, retry, pollIntervalMs: 60_000 },
    });
    const result = await before.engine.run({
      workspaceId: WS,
      request: { ...request, reuseKey: 'restart', webhook: { url: receiver.url } },
    });
    const failed = await until(
      () => first.tasks.getRun({ workspaceId: WS, webTaskId: result.webTaskId }),
      (value) => (value?.webhook?.deliveries.length ?? 0) === 1,
    );
    expect(failed?.webhook).toMatchObject({
      delivered: false,
      deliveries: [{ attempt: 1, status: 500, ok: false }],
    });
    expect(failed?.webhook?.nextAttemptAt).toEqual(expect.any(String));
    // The process goes away during the backoff; its in-memory retry timer goes with it.
    await before.engine.close();
    await first.close();

    const second = createPostgresStores({ connectionString: POSTGRES_URL, schema });
    closers.push(() => second.close());
    const after = hooked(receiver.hostPort, {
      tasks: second.tasks,
      webhooks: { secret: SECRET, retry, pollIntervalMs: 250 },
    });
    await after.engine.startWorker();
    const run = await until(
      () => second.tasks.getRun({ workspaceId: WS, webTaskId: result.webTaskId }),
      (value) => value?.webhook?.delivered === true,
    );
    expect(run?.webhook?.deliveries.map((attempt) => [attempt.attempt, attempt.status, attempt.ok])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ]);
    // Not before its time: the sweep waited for nextAttemptAt.
    expect(Date.parse(run?.webhook?.deliveries[1]?.at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(failed?.webhook?.nextAttemptAt ?? ''),
    );
    expect(receiver.received.map((hit) => hit.status)).toEqual([500, 200]);
    const delivered = receiver.received[1] as Received;
    expect(await verifyWebhook(SECRET, delivered.headers, delivered.body)).toMatchObject({
      webTaskId: result.webTaskId,
      outcome: 'success',
    });
  });

  it('split deployment: a worker dies owing a webhook; API-only processes deliver it, each attempt once', async () => {
    const receiver = await startReceiver(3, 150);
    closers.push(receiver.close);
    const retry = { initialDelayMs: 400, maxDelayMs: 400, retryForMs: 5 * 60_000 };
    const workerStores = createPostgresStores({ connectionString: POSTGRES_URL, schema });
    closers.push(() => workerStores.close());
    // The worker never sweeps (60 s); it only makes the first attempt right after the task.
    const worker = hooked(receiver.hostPort, {
      tasks: workerStores.tasks,
      webhooks: { secret: SECRET, retry, pollIntervalMs: 60_000 },
    });
    const result = await worker.engine.run({
      workspaceId: WS,
      request: { ...request, reuseKey: 'split', webhook: { url: receiver.url } },
    });
    await until(
      () => workerStores.tasks.getRun({ workspaceId: WS, webTaskId: result.webTaskId }),
      (value) => (value?.webhook?.deliveries.length ?? 0) === 1,
    );
    await worker.engine.close();
    await workerStores.close();

    // Two API-only processes (worker: false, startWorker never called), each with its own pool
    // and its own in-memory locks: only the claim in PostgreSQL keeps them from both sending.
    const survivors = [0, 1].map(() => {
      const stores = createPostgresStores({ connectionString: POSTGRES_URL, schema });
      closers.push(() => stores.close());
      const api = hooked(receiver.hostPort, {
        tasks: stores.tasks,
        worker: false,
        webhooks: { secret: SECRET, retry, pollIntervalMs: 50 },
      });
      return { stores, api };
    });
    const first = survivors[0] as (typeof survivors)[number];
    const run = await until(
      () => first.stores.tasks.getRun({ workspaceId: WS, webTaskId: result.webTaskId }),
      (value) => value?.webhook?.delivered === true,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.received.map((hit) => hit.status)).toEqual([500, 500, 500, 200]);
    expect(receiver.received.map((hit) => hit.headers['webtasks-delivery-attempt'])).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(run?.webhook?.deliveries.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
    const delivered = receiver.received[3] as Received;
    expect(await verifyWebhook(SECRET, delivered.headers, delivered.body)).toMatchObject({
      webTaskId: result.webTaskId,
    });
  });
});
