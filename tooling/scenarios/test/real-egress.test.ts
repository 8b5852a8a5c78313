import { type FixtureSites, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

const WS = 'ws_egress';
let sites: FixtureSites;
let h: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startFixtureSites();
  // Repairs disabled: a refused navigation must end the task, with no model involved.
  h = createRealEngine({ sites, limits: { maxRepairAttempts: 0 } });
});
afterAll(async () => {
  await h?.close();
  await sites?.close();
});

const navigateTo = (url: string) => `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
  await ctx.page.goto(${JSON.stringify(url)});
  return { title: await ctx.page.title() };
}
`;

describe('saved code that navigates where the egress policy forbids', { timeout: 120_000 }, () => {
  it.each([
    ['file://', 'file:///etc/passwd'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['loopback on another port', 'http://127.0.0.1:1/'],
    ['loopback by decimal address', 'http://2130706433/'],
  ])('%s is refused and the task fails as rejected', async (_name, url) => {
    const reuseKey = `egress-${Math.random().toString(36).slice(2)}`;
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey,
      source: navigateTo(url),
      outputSchema: { type: 'object' },
      // The saved code itself must hit the policy: a verification run would refuse the import.
      verify: false,
    });
    const result = await h.engine.run({ workspaceId: WS, request: { task: 'read the page', reuseKey } });
    expect(result, JSON.stringify(result)).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: { code: 'rejected' },
      reuse: { used: false, created: false, updated: false },
    });
    if (result.status === 'completed' && result.outcome === 'failed')
      expect(result.error.message).toMatch(/egress|policy|not allowed|denied/i);
    expect(h.model.calls).toHaveLength(0);
    // The bundle is untouched.
    expect((await h.bundles.history({ workspaceId: WS, reuseKey })).map((b) => b.version)).toEqual([1]);
  });

  it('the allowed fixture host still works in the same engine', async () => {
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'ok',
      source: navigateTo(`${sites.baseUrl}/tables/simple`),
      outputSchema: { type: 'object' },
    });
    const result = await h.engine.run({ workspaceId: WS, request: { task: 'read', reuseKey: 'ok' } });
    expect(result).toMatchObject({
      outcome: 'success',
      result: { type: 'inline', data: { title: 'Simple table' } },
    });
  });
});
