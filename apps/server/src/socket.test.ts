import { connect } from 'node:net';
import { WebTasksApiError, WebTasksClient } from '@webtasks/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, WORKSPACES } from './__fixtures__/harness.js';

let harness: Harness;
let baseUrl: string;

beforeAll(async () => {
  harness = await createHarness();
  baseUrl = await harness.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await harness.app.close();
});

function clientFor(workspace: keyof typeof WORKSPACES): WebTasksClient {
  return new WebTasksClient({ ...WORKSPACES[workspace], baseUrl, retryBackoff: { baseDelayMs: 5 } });
}

/** Send raw bytes and collect the answer until the server closes or `ms` pass. */
function rawExchange(bytes: string, ms = 1_000): Promise<string> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    const done = () => resolve(answer);
    socket.on('close', done);
    socket.on('error', done);
    setTimeout(() => socket.destroy(), ms);
    socket.write(bytes, 'latin1');
  });
}

describe('over a real socket, with the client SDK', () => {
  it('run() returns within milliseconds of completion thanks to long-poll', async () => {
    const client = clientFor('a');
    let completedAt = 0;
    const unsubscribe = harness.engine.subscribe((event) => {
      if (event.type === 'status' && event.status === 'pending') {
        setTimeout(() => {
          harness.engine.markStarted(event.webTaskId);
          completedAt = Date.now();
          harness.engine.complete(event.webTaskId, [{ company: 'Acme' }]);
        }, 300);
      }
    });
    try {
      const statuses: string[] = [];
      const result = await client.webTasks.run(
        { task: 'Collect companies', reuseKey: 'companies' },
        { pollIntervalMs: 5_000, onStatus: (r) => statuses.push(r.status) },
      );
      const latencyMs = Date.now() - completedAt;
      expect(result).toMatchObject({
        status: 'completed',
        outcome: 'success',
        result: { type: 'inline', data: [{ company: 'Acme' }] },
      });
      expect(statuses).toEqual(['completed']);
      // A poll would answer up to 5 s later (pollIntervalMs); the long-poll answers at
      // completion: milliseconds on an idle machine, 144 ms seen on a loaded CI machine.
      expect(latencyMs).toBeLessThan(1000);
      console.log(`long-poll completion latency: ${latencyMs} ms`);
    } finally {
      unsubscribe();
    }
  });

  it('surfaces validation errors as WebTasksApiError with the zod details and the request id', async () => {
    const error = await clientFor('a')
      .webTasks.start({ task: '', model: 'gpt' as 'haiku' })
      .catch((e: unknown) => e);
    expect(WebTasksApiError.isInstance(error)).toBe(true);
    const apiError = error as WebTasksApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('invalid-request');
    expect(apiError.requestId).toMatch(/^req_/);
    expect((apiError.details as { path: string[] }[]).map((d) => d.path[0])).toEqual(
      expect.arrayContaining(['task', 'model']),
    );
  });

  it("keeps workspaces apart: B's client cannot read A's task", async () => {
    const { webTaskId } = await clientFor('a').webTasks.start({ task: 'x' });
    const asB = new WebTasksClient({ workspaceId: 'ws_b', apiKey: WORKSPACES.b.apiKey, baseUrl });
    await expect(asB.webTasks.result(webTaskId)).rejects.toMatchObject({ status: 404, code: 'not-found' });
    const wrongKey = new WebTasksClient({ workspaceId: 'ws_a', apiKey: WORKSPACES.b.apiKey, baseUrl });
    await expect(wrongKey.webTasks.result(webTaskId)).rejects.toMatchObject({
      status: 401,
      code: 'unauthenticated',
    });
  });

  it('answers malformed HTTP with 400 and stays healthy', async () => {
    const answers = await Promise.all([
      rawExchange('GARBAGE\r\n\r\n'),
      rawExchange('GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'),
      rawExchange(`POST /ws_a/web-tasks/start HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`),
      rawExchange(
        `POST /ws_a/web-tasks/start HTTP/1.1\r\nHost: x\r\nx-api-key: ${WORKSPACES.a.apiKey}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"task":`,
        300,
      ),
    ]);
    for (const answer of answers.slice(0, 3)) expect(answer).toMatch(/^HTTP\/1\.1 400/);
    // A truncated body: the server waits for the rest, then the client hangs up; nothing breaks.
    expect(answers[3]).not.toMatch(/^HTTP\/1\.1 5/);
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
