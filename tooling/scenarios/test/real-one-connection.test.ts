import {
  type FixtureSites,
  type OneConnectionSite,
  startFixtureSites,
  startOneConnectionSite,
} from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

// REAL-WORLD.md #1 through the whole engine: saved code reading every page of a site served
// one connection at a time with `Connection: close` (request routing in the driver used to
// wait ~30 s per navigation here and fail the task).
let sites: FixtureSites;
let site: OneConnectionSite;
let h: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startFixtureSites();
  site = await startOneConnectionSite();
  h = createRealEngine({ sites, browser: { egress: { allowHosts: [`127.0.0.1:${site.port}`] } } });
});
afterAll(async () => {
  await h?.close();
  await site?.close();
  await sites?.close();
});

describe('a one-connection-at-a-time site through the engine', { timeout: 120_000 }, () => {
  it('saved code reads every page quickly, with no model call', async () => {
    await h.engine.bundles.import({
      workspaceId: 'ws_one',
      reuseKey: 'one-worker',
      source: `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
  const titles: string[] = [];
  for (const path of ['/', '/page/1', '/page/2', '/page/3', '/page/4', '/page/5']) {
    await ctx.page.goto(${JSON.stringify(site.baseUrl)} + path);
    titles.push(await ctx.page.title());
  }
  return { titles };
}
`,
      outputSchema: { type: 'object' },
    });
    const started = Date.now();
    const result = await h.engine.run({
      workspaceId: 'ws_one',
      request: { task: 'read', reuseKey: 'one-worker' },
    });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({
      outcome: 'success',
      result: { data: { titles: ['One worker', 'Page 1', 'Page 2', 'Page 3', 'Page 4', 'Page 5'] } },
    });
    expect(elapsed).toBeLessThan(15_000);
    expect(h.model.calls).toHaveLength(0);
  });
});
