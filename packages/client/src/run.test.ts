import type { ServerResponse } from 'node:http';
import type { WebTaskResult } from '@webtasks/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { completed, reuse, sendJson, startTestServer } from './__fixtures__/test-server.js';
import { WebTasksClient } from './client.js';
import { WebTasksTimeoutError } from './errors.js';
import { MAX_WAIT_HEADER } from './web-tasks.js';

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const accepted = { webTaskId: 'wt_1', status: 'pending', reuseKey: 'k' };

/**
 * A scripted task server: the task starts with the `startedAtPoll`-th result request and
 * completes at `completeAt` (epoch ms, or never) or with the `completeAtPoll`-th one. With
 * `longPoll`, result requests with waitSeconds are held until completion or the wait passes.
 */
async function taskServer(options: {
  completeAt?: number;
  completeAtPoll?: number;
  longPoll: boolean;
  startedAtPoll?: number;
  rejectWaitSeconds?: boolean;
}) {
  const waiters = new Set<() => void>();
  let polls = 0;
  const state = (): WebTaskResult => {
    const now = Date.now();
    if (options.completeAt !== undefined && now >= options.completeAt) return completed as WebTaskResult;
    if (options.completeAtPoll !== undefined && polls >= options.completeAtPoll)
      return completed as WebTaskResult;
    if (options.startedAtPoll !== undefined && polls >= options.startedAtPoll)
      return { webTaskId: 'wt_1', status: 'started', reuse };
    return { webTaskId: 'wt_1', status: 'pending', reuse };
  };
  if (options.completeAt !== undefined) {
    setTimeout(
      () => {
        for (const wake of waiters) wake();
      },
      Math.max(0, options.completeAt - Date.now()),
    );
  }
  const reply = (res: ServerResponse) =>
    sendJson(res, 200, state(), options.longPoll ? { [MAX_WAIT_HEADER]: '60' } : {});
  server = await startTestServer((req, res) => {
    if (req.method === 'POST') return sendJson(res, 202, accepted);
    polls += 1;
    const wait = Number(new URL(req.url, 'http://x').searchParams.get('waitSeconds') ?? 0);
    if (options.rejectWaitSeconds && wait > 0) {
      return sendJson(res, 400, {
        error: { code: 'invalid-request', message: 'unknown parameter waitSeconds' },
      });
    }
    if (!options.longPoll || wait === 0 || state().status === 'completed') return reply(res);
    const wake = () => {
      clearTimeout(timer);
      waiters.delete(wake);
      reply(res);
    };
    const timer = setTimeout(wake, wait * 1000);
    waiters.add(wake);
  });
  const client = new WebTasksClient({
    apiKey: 'k',
    workspaceId: 'w',
    baseUrl: server.url,
    retryBackoff: { baseDelayMs: 5 },
  });
  return { client, requests: server.requests };
}

describe('run', () => {
  it('with long-poll, returns as soon as the task completes (not at the next poll)', async () => {
    const completeAt = Date.now() + 400;
    const { client, requests } = await taskServer({ completeAt, longPoll: true });
    const result = await client.webTasks.run({ task: 'x' }, { pollIntervalMs: 5_000 });
    const returnedAt = Date.now();
    expect(result).toEqual(completed);
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    // The server could answer at completion, or when the poll arrived if that was later (a busy
    // machine may take longer than 400 ms to start the client): the client returned right after,
    // far below the 5 s poll interval, so the long-poll answered, not the next poll.
    const lateness = returnedAt - Math.max(completeAt, requests[1]!.at);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1000);
    expect(requests[1]!.url).toMatch(/waitSeconds=60$/);
  });

  it('without long-poll support, falls back to polling every pollIntervalMs', async () => {
    // Completion comes with the third result request, whenever it arrives: the count does not
    // depend on how long the server took to start on a busy machine.
    const { client, requests } = await taskServer({ completeAtPoll: 3, longPoll: false });
    const result = await client.webTasks.run({ task: 'x' }, { pollIntervalMs: 100 });
    expect(result.status).toBe('completed');
    const polls = requests.filter((r) => r.method === 'GET');
    expect(polls.length).toBe(3);
    // Only the first poll offered waitSeconds; the server did not advertise long-polling.
    expect(polls.slice(1).every((r) => !r.url.includes('waitSeconds'))).toBe(true);
    const gaps = polls.slice(1).map((r, i) => r.at - polls[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
  });

  it('falls back to polling when the server refuses waitSeconds', async () => {
    const { client, requests } = await taskServer({
      completeAt: Date.now() + 150,
      longPoll: false,
      rejectWaitSeconds: true,
    });
    const result = await client.webTasks.run({ task: 'x' }, { pollIntervalMs: 50 });
    expect(result.status).toBe('completed');
    expect(requests.filter((r) => r.url.includes('waitSeconds'))).toHaveLength(1);
  });

  it('reports each status change once, in order', async () => {
    // By poll count, not time: a busy machine may start the client after a time had passed.
    const { client } = await taskServer({ startedAtPoll: 2, completeAtPoll: 4, longPoll: false });
    const seen: string[] = [];
    await client.webTasks.run({ task: 'x' }, { pollIntervalMs: 40, onStatus: (r) => seen.push(r.status) });
    expect(seen).toEqual(['pending', 'started', 'completed']);
  });

  it('throws WebTasksTimeoutError with the task id and last state when timeoutMs passes, even mid long-poll', async () => {
    const { client } = await taskServer({ longPoll: true });
    const began = Date.now();
    const error = await client.webTasks.run({ task: 'x' }, { timeoutMs: 300 }).catch((e: unknown) => e);
    const elapsed = Date.now() - began;
    expect(WebTasksTimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 300, webTaskId: 'wt_1' });
    expect((error as Error).message).toMatch(/keeps running/);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // Far below the 60 s long-poll the request asked for.
    expect(elapsed).toBeLessThan(3000);
  });

  it('asks for a long-poll no longer than the time left before timeoutMs', async () => {
    const { client, requests } = await taskServer({ longPoll: true });
    await client.webTasks.run({ task: 'x' }, { timeoutMs: 2_500 }).catch(() => {});
    const wait = Number(new URL(requests[1]!.url, 'http://x').searchParams.get('waitSeconds'));
    expect(wait).toBeGreaterThan(2);
    expect(wait).toBeLessThanOrEqual(2.5);
  }, 10_000);

  it('rejects with the abort reason when the signal aborts during a long-poll', async () => {
    const { client } = await taskServer({ longPoll: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop waiting')), 100);
    const began = Date.now();
    await expect(client.webTasks.run({ task: 'x' }, { signal: controller.signal })).rejects.toThrow(
      'stop waiting',
    );
    expect(Date.now() - began).toBeLessThan(500);
  });

  it('returns a failed outcome as a completed result (it is not an exception)', async () => {
    const failed = {
      webTaskId: 'wt_1',
      status: 'completed',
      outcome: 'failed',
      error: { code: 'rejected', message: 'The site is unreachable' },
      reuse,
      cost: { aiUsd: 0, compute: { unit: 'hours', amount: 0 } },
    };
    server = await startTestServer((req, res) =>
      req.method === 'POST' ? sendJson(res, 202, accepted) : sendJson(res, 200, failed),
    );
    const client = new WebTasksClient({ apiKey: 'k', workspaceId: 'w', baseUrl: server.url });
    const result = await client.webTasks.run({ task: 'x' });
    expect(result.outcome).toBe('failed');
    if (result.outcome === 'failed') expect(result.error.code).toBe('rejected');
  });
});
