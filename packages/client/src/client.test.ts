import { afterEach, describe, expect, it } from 'vitest';
import { completed, reuse, sendJson, startTestServer, type TestHandler } from './__fixtures__/test-server.js';
import { WebTasksClient, type WebTasksClientOptions } from './client.js';
import { WebTasksApiError, WebTasksConnectionError, WebTasksTimeoutError } from './errors.js';
import { MAX_WAIT_HEADER } from './web-tasks.js';

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: TestHandler, options: Partial<WebTasksClientOptions> = {}) {
  server = await startTestServer(handler);
  const client = new WebTasksClient({
    apiKey: 'secret-key',
    workspaceId: 'acme team',
    baseUrl: `${server.url}/`,
    retryBackoff: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  return { client, requests: server.requests };
}

const accepted = { webTaskId: 'wt_1', status: 'pending', reuseKey: 'k' };

describe('start and result', () => {
  it('start posts the request as JSON with the API key and returns the 202 body', async () => {
    const { client, requests } = await setup((_req, res) => sendJson(res, 202, accepted));
    const response = await client.webTasks.start({
      task: 'Read the table',
      reuseKey: 'k',
      parameters: { page: 1 },
    });
    expect(response).toEqual(accepted);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/acme%20team/web-tasks/start' });
    expect(requests[0]!.headers['x-api-key']).toBe('secret-key');
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(requests[0]!.body)).toEqual({
      task: 'Read the table',
      reuseKey: 'k',
      parameters: { page: 1 },
    });
  });

  it('result reads the task and passes waitSeconds for a long-poll', async () => {
    const { client, requests } = await setup((_req, res) => sendJson(res, 200, completed));
    expect(await client.webTasks.result('wt_1')).toEqual(completed);
    await client.webTasks.result('wt/../1', { waitSeconds: 2.5 });
    expect(requests.map((r) => r.url)).toEqual([
      '/acme%20team/web-tasks/wt_1/result',
      '/acme%20team/web-tasks/wt%2F..%2F1/result?waitSeconds=2.5',
    ]);
  });

  it('sends custom headers but never lets them replace the API key', async () => {
    const { client, requests } = await setup((_req, res) => sendJson(res, 200, completed), {
      headers: { 'x-trace': 'abc', 'x-api-key': 'other' },
    });
    await client.webTasks.result('wt_1');
    expect(requests[0]!.headers['x-trace']).toBe('abc');
    expect(requests[0]!.headers['x-api-key']).toBe('secret-key');
  });

  it('refuses bad constructor options with a message saying what is missing', () => {
    expect(() => new WebTasksClient({ apiKey: '', workspaceId: 'w', baseUrl: 'http://x' })).toThrow(/apiKey/);
    expect(() => new WebTasksClient({ apiKey: 'k', workspaceId: 'w', baseUrl: 'localhost:8080' })).toThrow(
      /baseUrl/,
    );
  });
});

describe('typed errors', () => {
  it('turns an error body into WebTasksApiError with status, code, message, details and request id', async () => {
    const details = [{ path: ['task'], code: 'too_small', message: 'task must not be empty' }];
    const { client } = await setup((_req, res) =>
      sendJson(
        res,
        400,
        { error: { code: 'invalid-request', message: 'Invalid start request', details } },
        { 'x-request-id': 'req_42' },
      ),
    );
    const error = await client.webTasks.start({ task: '' }).catch((e: unknown) => e);
    expect(WebTasksApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid-request',
      message: 'Invalid start request',
      details,
      requestId: 'req_42',
    });
    expect(WebTasksTimeoutError.isInstance(error)).toBe(false);
  });

  it('recognises errors from another copy of the package by their marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('webtasks.client.error')]: 'api' });
    expect(WebTasksApiError.isInstance(foreign)).toBe(true);
    expect(WebTasksApiError.isInstance(new Error('x'))).toBe(false);
    expect(WebTasksApiError.isInstance(null)).toBe(false);
  });

  it('reports a non-API answer (a proxy page) as unexpected-response', async () => {
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad gateway</body></html>');
      },
      { maxRetries: 0 },
    );
    const error = await client.webTasks.result('wt_1').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'unexpected-response' });
    expect((error as Error).message).toMatch(/Bad gateway/);
  });
});

describe('retries', () => {
  it('retries result on 5xx and 429, honouring retry-after, then succeeds', async () => {
    let calls = 0;
    const { client, requests } = await setup((_req, res) => {
      calls += 1;
      if (calls === 1) sendJson(res, 503, { error: { code: 'internal-error', message: 'busy' } });
      else if (calls === 2)
        sendJson(
          res,
          429,
          { error: { code: 'workspace-rate-limited', message: 'slow down' } },
          { 'retry-after': '0' },
        );
      else sendJson(res, 200, completed);
    });
    expect(await client.webTasks.result('wt_1')).toEqual(completed);
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxRetries with the last error', async () => {
    const { client, requests } = await setup(
      (_req, res) => sendJson(res, 500, { error: { code: 'internal-error', message: 'down' } }),
      {
        maxRetries: 3,
      },
    );
    await expect(client.webTasks.result('wt_1')).rejects.toMatchObject({
      status: 500,
      code: 'internal-error',
    });
    expect(requests).toHaveLength(4);
  });

  it('never retries a 4xx other than 429', async () => {
    const { client, requests } = await setup((_req, res) =>
      sendJson(res, 404, { error: { code: 'not-found', message: 'no' } }),
    );
    await expect(client.webTasks.result('wt_1')).rejects.toMatchObject({ status: 404 });
    expect(requests).toHaveLength(1);
  });

  it('retries result when the connection drops', async () => {
    let calls = 0;
    const { client, requests } = await setup((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.socket?.destroy();
        return;
      } else sendJson(res, 200, completed);
    });
    expect(await client.webTasks.result('wt_1')).toEqual(completed);
    expect(requests).toHaveLength(2);
  });

  it('does not retry start after a 5xx or a dropped connection (it could start the task twice)', async () => {
    const { client, requests } = await setup((_req, res) =>
      sendJson(res, 500, { error: { code: 'internal-error', message: 'x' } }),
    );
    await expect(client.webTasks.start({ task: 'x' })).rejects.toMatchObject({ status: 500 });
    expect(requests).toHaveLength(1);
    await server!.close();
    const dropping = await setup((_req, res) => {
      res.socket?.destroy();
    });
    await expect(dropping.client.webTasks.start({ task: 'x' })).rejects.toSatisfy(
      WebTasksConnectionError.isInstance,
    );
    expect(dropping.requests).toHaveLength(1);
  });

  it('retries start on 429 (nothing was created)', async () => {
    let calls = 0;
    const { client, requests } = await setup((_req, res) => {
      calls += 1;
      if (calls === 1)
        sendJson(
          res,
          429,
          { error: { code: 'workspace-rate-limited', message: 'wait' } },
          { 'retry-after': '0' },
        );
      else sendJson(res, 202, accepted);
    });
    expect(await client.webTasks.start({ task: 'x' })).toEqual(accepted);
    expect(requests).toHaveLength(2);
  });

  it('retries start when the connection was refused, then reports a connection error', async () => {
    let attempts = 0;
    const closed = await startTestServer(() => {});
    await closed.close();
    const client = new WebTasksClient({
      apiKey: 'k',
      workspaceId: 'w',
      baseUrl: closed.url,
      maxRetries: 2,
      retryBackoff: { baseDelayMs: 1 },
      fetch: (input, init) => {
        attempts += 1;
        return fetch(input, init);
      },
    });
    const error = await client.webTasks.start({ task: 'x' }).catch((e: unknown) => e);
    expect(WebTasksConnectionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(attempts).toBe(3);
  });
});

describe('request timeout and abort', () => {
  it('fails a request that gets no answer within requestTimeoutMs', async () => {
    const { client } = await setup(() => {}, { requestTimeoutMs: 100, maxRetries: 0 });
    const began = Date.now();
    const error = await client.webTasks.result('wt_1').catch((e: unknown) => e);
    expect(WebTasksTimeoutError.isInstance(error)).toBe(true);
    expect(Date.now() - began).toBeLessThan(1_000);
  });

  it('rejects with the signal reason when aborted', async () => {
    const { client } = await setup(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    await expect(client.webTasks.result('wt_1', { signal: controller.signal })).rejects.toThrow(
      'user gave up',
    );
  });

  it('rejects at once with an already aborted signal, sending nothing', async () => {
    const { client, requests } = await setup((_req, res) => sendJson(res, 202, accepted));
    await expect(client.webTasks.start({ task: 'x' }, { signal: AbortSignal.abort() })).rejects.toMatchObject(
      { name: 'AbortError' },
    );
    expect(requests).toHaveLength(0);
  });
});

describe('browser-safe', () => {
  it('imports nothing Node-specific outside tests and fixtures', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('.', import.meta.url);
    const files = (await readdir(dir)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) {
      const source = await readFile(new URL(name, dir), 'utf8');
      expect(source, name).not.toMatch(
        /from ['"](node:|fs|http|https|net|path|crypto|buffer)['"/]|\bprocess\.|\bBuffer\b|\brequire\(/,
      );
    }
  });
});

describe('long-poll header', () => {
  it('exports the header name the server uses', () => {
    expect(MAX_WAIT_HEADER).toBe('x-webtasks-max-wait-seconds');
    expect(reuse.key).toBe('k');
  });
});
