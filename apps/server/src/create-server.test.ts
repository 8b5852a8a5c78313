import { WebTasksError } from '@webtasks/core';
import { WebTaskResultSchema } from '@webtasks/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, WORKSPACES } from './__fixtures__/harness.js';
import { MAX_WAIT_HEADER } from './routes/web-tasks.js';

const A = WORKSPACES.a;
const authA = { 'x-api-key': A.apiKey };
const json = { ...authA, 'content-type': 'application/json' };

let harness: Harness;
afterEach(async () => {
  await harness?.app.close();
});

describe('start', () => {
  it('answers 202 with the id, pending status and reuse key, and passes the request to the engine', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: {
        task: 'Collect companies',
        startUrl: 'https://example.com',
        reuseKey: 'yc_companies',
        parameters: { batch: 'S24' },
      },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({
      webTaskId: expect.stringMatching(/^wt_/),
      status: 'pending',
      reuseKey: 'yc_companies',
    });
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(harness.engine.startCalls).toEqual([
      {
        workspaceId: A.workspaceId,
        request: {
          task: 'Collect companies',
          startUrl: 'https://example.com',
          reuseKey: 'yc_companies',
          parameters: { batch: 'S24' },
        },
      },
    ]);
  });

  it('rejects an invalid body with 400 invalid-request, zod issues in details and a message naming the fields', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: '', reuseKey: 'has spaces', model: 'gpt', extra: 1 },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('invalid-request');
    expect(body.error.message).toMatch(/task/);
    expect(body.error.message).toMatch(/reuseKey/);
    expect(body.error.message).toMatch(/Fix these fields/);
    const paths = body.error.details.map((issue: { path: string[] }) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['task', 'reuseKey', 'model']));
    expect(harness.engine.startCalls).toHaveLength(0);
  });

  it('rejects a malformed proxy field with 400, naming proxy.server and never echoing the password', async () => {
    harness = await createHarness();
    for (const proxy of [
      { server: 'ftp://proxy.example:21', username: 'ann', password: 'hunter2-secret' },
      { server: 'http://ann:hunter2-secret@proxy.example:3128' },
      { server: 'http://proxy.example:3128', password: 'hunter2-secret' },
    ]) {
      const response = await harness.app.inject({
        method: 'POST',
        url: `/${A.workspaceId}/web-tasks/start`,
        headers: json,
        payload: { task: 'x', proxy },
      });
      expect(response.statusCode, JSON.stringify(proxy.server)).toBe(400);
      expect(response.json().error.code).toBe('invalid-request');
      expect(response.body).toMatch(/proxy/);
      expect(response.body).not.toContain('hunter2-secret');
    }
    expect(harness.engine.startCalls).toHaveLength(0);
  });

  it('rejects an output schema that is not JSON Schema 2020-12', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: 'x', outputSchema: { type: 'not-a-type' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/outputSchema/);
  });

  it.each([
    ['malformed JSON', '{"task": ', 'application/json', 400],
    ['an empty JSON body', '', 'application/json', 400],
    ['a JSON array', '[1,2]', 'application/json', 400],
    ['text/plain', 'task=x', 'text/plain', 415],
    ['a form', 'task=x', 'application/x-www-form-urlencoded', 415],
    ['a __proto__ key', '{"task":"x","__proto__":{"admin":true}}', 'application/json', 400],
  ])('answers %s with a 4xx error body', async (_name, payload, contentType, status) => {
    harness = await createHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: { ...authA, 'content-type': contentType },
      payload,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe('invalid-request');
    expect(response.json().error.message).toMatch(/JSON/);
  });

  it('answers 413 payload-too-large for a body over the limit', async () => {
    harness = await createHarness({ bodyLimitBytes: 10_000 });
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: JSON.stringify({ task: 'x', parameters: { blob: 'y'.repeat(20_000) } }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload-too-large');
  });

  it('answers 429 workspace-rate-limited (with retry-after) when the workspace has too many pending tasks', async () => {
    harness = await createHarness({ maxQueuedPerWorkspace: 2 });
    const first = await harness.start('a');
    await harness.start('a');
    const refused = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: 'x' },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('workspace-rate-limited');
    expect(refused.headers['retry-after']).toBe('5');
    // Another workspace is not affected.
    await harness.start('b');
    // Once one starts running, there is room again.
    harness.engine.markStarted(first);
    await harness.start('a');
  });

  it('frees slots for tasks whose progress it never heard about, by asking the engine', async () => {
    harness = await createHarness({ maxQueuedPerWorkspace: 1 });
    const id = await harness.start('a');
    harness.engine.tasks.get(id)!.status = 'completed'; // changed elsewhere, no event
    await harness.start('a');
  });

  it.each([
    ['invalid-request', 400],
    ['workspace-rate-limited', 429],
    ['not-found', 404],
    ['unauthenticated', 401],
  ] as const)('maps the engine error %s to %i', async (code, status) => {
    harness = await createHarness();
    harness.engine.failNext.set('start', new WebTasksError({ code, message: `engine says ${code}` }));
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: 'x' },
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toMatchObject({ code, message: `engine says ${code}` });
  });

  it('answers 500 internal-error without leaking the cause for unexpected engine errors', async () => {
    harness = await createHarness();
    harness.engine.failNext.set('start', new Error('password=hunter2 at /srv/secret.ts:12'));
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: 'x' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('internal-error');
    expect(response.body).not.toMatch(/hunter2|secret\.ts|stack/);
    harness.engine.failNext.set(
      'start',
      // Not transient (those answer 503, below): a 500 that leaks nothing.
      new WebTasksError({ code: 'storage-error', message: 'disk /dev/sda1 full', retryable: false }),
    );
    const storage = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: 'x' },
    });
    expect(storage.statusCode).toBe(500);
    expect(storage.body).not.toMatch(/sda1/);
  });

  it('answers 503 with retry-after when the store is briefly unreachable, never 500', async () => {
    harness = await createHarness();
    const outage = () =>
      new WebTasksError({
        code: 'storage-error',
        retryable: true,
        message: '[webtasks:store-postgres] Failed to create a task: connect ECONNREFUSED 10.0.0.7:5432',
      });
    harness.engine.failNext.set('start', outage());
    const started = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: { task: 'x' },
    });
    expect(started.statusCode).toBe(503);
    expect(started.headers['retry-after']).toBe('2');
    expect(started.json().error).toMatchObject({ code: 'unavailable' });
    expect(started.json().error.message).toMatch(/briefly unreachable: retry after 2 s/);
    expect(started.body).not.toMatch(/10\.0\.0\.7/);
  });
});

describe('result', () => {
  it('returns the result object in each state, valid against the protocol schema', async () => {
    harness = await createHarness();
    const id = await harness.start('a');
    const url = `/${A.workspaceId}/web-tasks/${id}/result`;
    const pending = await harness.app.inject({ url, headers: authA });
    expect(pending.statusCode).toBe(200);
    expect(pending.json()).toMatchObject({ webTaskId: id, status: 'pending' });
    expect(pending.headers[MAX_WAIT_HEADER]).toBe('60');
    harness.engine.markStarted(id);
    expect((await harness.app.inject({ url, headers: authA })).json().status).toBe('started');
    harness.engine.complete(id, [{ name: 'Acme' }]);
    const done = (await harness.app.inject({ url, headers: authA })).json();
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'success',
      result: { type: 'inline', data: [{ name: 'Acme' }] },
    });
    expect(WebTaskResultSchema.safeParse(done).success).toBe(true);
  });

  it('long-polls: answers as soon as the task completes, not when waitSeconds pass', async () => {
    harness = await createHarness();
    const id = await harness.start('a');
    const began = Date.now();
    setTimeout(() => harness.engine.complete(id), 150);
    const response = await harness.app.inject({
      url: `/${A.workspaceId}/web-tasks/${id}/result?waitSeconds=20`,
      headers: authA,
    });
    const elapsed = Date.now() - began;
    expect(response.json().status).toBe('completed');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('long-polls until waitSeconds pass and then answers with the current state', async () => {
    harness = await createHarness();
    const id = await harness.start('a');
    const began = Date.now();
    const response = await harness.app.inject({
      url: `/${A.workspaceId}/web-tasks/${id}/result?waitSeconds=0.3`,
      headers: authA,
    });
    expect(response.json().status).toBe('pending');
    expect(Date.now() - began).toBeGreaterThanOrEqual(280);
  });

  it('caps waitSeconds at the server maximum', async () => {
    harness = await createHarness({ maxWaitSeconds: 0.2 });
    const id = await harness.start('a');
    const began = Date.now();
    const response = await harness.app.inject({
      url: `/${A.workspaceId}/web-tasks/${id}/result?waitSeconds=3600`,
      headers: authA,
    });
    expect(response.statusCode).toBe(200);
    expect(Date.now() - began).toBeLessThan(1_500);
  });

  it.each(['-1', 'abc', '1e3', '', '1&waitSeconds=2', 'Infinity', '0x10'])(
    'rejects waitSeconds=%s with 400',
    async (value) => {
      harness = await createHarness();
      const id = await harness.start('a');
      const response = await harness.app.inject({
        url: `/${A.workspaceId}/web-tasks/${id}/result?waitSeconds=${value}`,
        headers: authA,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'invalid-request',
        message: expect.stringMatching(/waitSeconds/),
      });
    },
  );

  it('answers 404 not-found for unknown ids and ids that cannot exist', async () => {
    harness = await createHarness();
    for (const id of ['wt_nope', '..%2F..%2Fetc%2Fpasswd', '..', 'a'.repeat(200)]) {
      const response = await harness.app.inject({
        url: `/${A.workspaceId}/web-tasks/${id}/result`,
        headers: authA,
      });
      expect(response.statusCode, id).toBe(404);
      expect(response.json().error.code).toBe('not-found');
    }
  });

  it('a server shutting down answers open long-polls with the current state', async () => {
    harness = await createHarness();
    const id = await harness.start('a');
    const pending = harness.app.inject({
      url: `/${A.workspaceId}/web-tasks/${id}/result?waitSeconds=30`,
      headers: authA,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = Date.now();
    await harness.app.close();
    const response = await pending;
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe('pending');
    expect(Date.now() - began).toBeLessThan(1_000);
  });
});

describe('auth', () => {
  it.each([
    ['no key', {}],
    ['an empty key', { 'x-api-key': '' }],
    ['a wrong key', { 'x-api-key': 'key-a-wrong' }],
    ['workspace B key', { 'x-api-key': WORKSPACES.b.apiKey }],
  ])('answers 401 unauthenticated with %s', async (_name, headers) => {
    harness = await createHarness();
    const start = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers,
      payload: { task: 'x' },
    });
    expect(start.statusCode).toBe(401);
    expect(start.json().error.code).toBe('unauthenticated');
    expect(start.json().error.message).toMatch(/x-api-key/);
    const result = await harness.app.inject({ url: `/${A.workspaceId}/web-tasks/wt_x/result`, headers });
    expect(result.statusCode).toBe(401);
    expect(harness.engine.startCalls).toHaveLength(0);
  });
});

describe('operations', () => {
  it('serves liveness and readiness', async () => {
    harness = await createHarness();
    expect((await harness.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await harness.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { engine: 'ok' } });
  });

  it('is not ready when the engine cannot reach its store, without leaking why', async () => {
    harness = await createHarness();
    harness.engine.failNext.set('getTask', new Error('ECONNREFUSED postgres://admin:pw@db'));
    const ready = await harness.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not-ready', checks: { engine: 'failed' } });
    expect(ready.body).not.toMatch(/pw@db/);
  });

  it('is not ready when a check hangs past its timeout', async () => {
    harness = await createHarness({
      readinessTimeoutMs: 50,
      readinessChecks: { queue: () => new Promise(() => {}) },
    });
    const ready = await harness.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toEqual({ engine: 'ok', queue: 'timeout' });
  });

  it('answers unknown routes with 404 not-found in the error format', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({
      method: 'DELETE',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: authA,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not-found');
  });
});

describe('output schema size', () => {
  it('refuses deeply nested or huge output schemas quickly, before compiling them', async () => {
    harness = await createHarness();
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i += 1) deep = { type: 'object', properties: { a: deep } };
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 1_500; i += 1) wide[`p${i}`] = { type: 'string' };
    for (const [name, outputSchema] of [
      ['nested', deep],
      ['wide', { type: 'object', properties: wide }],
    ] as const) {
      const began = Date.now();
      const response = await harness.app.inject({
        method: 'POST',
        url: `/${A.workspaceId}/web-tasks/start`,
        headers: json,
        payload: { task: 'x', outputSchema },
      });
      expect(response.statusCode, name).toBe(400);
      expect(response.json().error.message).toMatch(/outputSchema/);
      expect(Date.now() - began).toBeLessThan(200);
    }
  });

  it('accepts a realistic output schema', async () => {
    harness = await createHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: `/${A.workspaceId}/web-tasks/start`,
      headers: json,
      payload: {
        task: 'x',
        outputSchema: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } },
            required: ['name'],
          },
        },
      },
    });
    expect(response.statusCode).toBe(202);
  });
});
