import { REQUEST_ERROR_CODES } from '@webtasks/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, WORKSPACES } from './__fixtures__/harness.js';
import { generateHostileRequests } from './__fixtures__/hostile-requests.js';

const COUNT = 1_500;
const SEED = Number(process.env.WEBTASKS_FUZZ_SEED ?? 20_240_601);
const BODY_LIMIT = 64 * 1024;

let harness: Harness;
let tasks: { a: string; b: string };

beforeAll(async () => {
  harness = await createHarness({ bodyLimitBytes: BODY_LIMIT, maxQueuedPerWorkspace: 1_000 });
  tasks = { a: await harness.start('a'), b: await harness.start('b') };
});
afterAll(async () => {
  await harness.app.close();
});

describe('robustness fuzz', () => {
  it(`answers ${COUNT} malformed or hostile requests with 4xx and an error code, never 5xx`, async () => {
    const requests = generateHostileRequests(COUNT, SEED, tasks, BODY_LIMIT);
    const byStatus = new Map<number, number>();
    const byFamily = new Map<string, number>();
    const failures: string[] = [];
    for (const [index, { family, request }] of requests.entries()) {
      const response = await harness.app.inject(request);
      byStatus.set(response.statusCode, (byStatus.get(response.statusCode) ?? 0) + 1);
      byFamily.set(family, (byFamily.get(family) ?? 0) + 1);
      let code: unknown;
      try {
        code = (response.json() as { error?: { code?: unknown } }).error?.code;
      } catch {
        code = undefined;
      }
      const ok =
        response.statusCode >= 400 &&
        response.statusCode < 500 &&
        (REQUEST_ERROR_CODES as readonly unknown[]).includes(code);
      if (!ok && failures.length < 10) {
        failures.push(
          `#${index} [${family}] ${request.method} ${String(request.url).slice(0, 120)} → ${response.statusCode} ${response.body.slice(0, 200)}`,
        );
      }
    }
    console.log(
      `fuzz: ${requests.length} requests, statuses ${JSON.stringify(Object.fromEntries(byStatus))}`,
    );
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect([...byStatus.keys()].every((status) => status < 500)).toBe(true);
    // Every family was exercised.
    expect(byFamily.size).toBe(10);
    // Nothing hostile reached the engine.
    expect(harness.engine.startCalls).toHaveLength(2);
  }, 120_000);

  it('is still healthy and serving after the fuzz', async () => {
    expect((await harness.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await harness.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const id = await harness.start('a', { task: 'Still works', reuseKey: 'after_fuzz' });
    harness.engine.complete(id, { ok: 1 });
    const result = await harness.app.inject({
      url: `/${WORKSPACES.a.workspaceId}/web-tasks/${id}/result`,
      headers: { 'x-api-key': WORKSPACES.a.apiKey },
    });
    expect(result.json()).toMatchObject({
      status: 'completed',
      outcome: 'success',
      result: { data: { ok: 1 } },
    });
  });
});
