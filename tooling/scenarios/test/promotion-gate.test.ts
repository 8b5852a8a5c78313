import type { FakeSite } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { createHarness, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_gate';
const BASE = 'https://fake.test/list?batch=';

/** One page per batch; `selectors` says under which selector each batch lists its names. */
function batchSite(selectors: Record<string, string>): FakeSite {
  const names: Record<string, string[]> = {
    S24: ['Acme', 'Bolt', 'Crane'],
    W21: ['Delta', 'Ember', 'Flint'],
  };
  return {
    pages: Object.fromEntries(
      Object.entries(selectors).map(([batch, selector]) => [
        `${BASE}${batch}`,
        { title: `Batch ${batch}`, elements: { [selector]: names[batch] ?? [] } },
      ]),
    ),
  };
}

/** Reads names under each selector in turn; the URL comes from `url` (an expression). */
function code(url: string, selectors: string[]): string {
  return [
    "import type { TaskContext } from 'webtasks:runtime';",
    'export default async function run(ctx) {',
    `  await ctx.page.goto(${url});`,
    '  const names = [];',
    ...selectors.map(
      (s) => `  names.push(...(await ctx.page.locator(${JSON.stringify(s)}).allTextContents()));`,
    ),
    '  return names.map((name) => ({ name }));',
    '}',
  ].join('\n');
}

const fromParams = `${JSON.stringify(BASE)} + ctx.params.batch`;
const request = (batch: string) => ({
  task: 'List the companies of a batch',
  reuseKey: 'batches',
  outputSchema: NAMES_SCHEMA,
  parameters: { batch },
});

describe('the promotion gate on fakes', () => {
  it('refuses hard-coded parameters, then refuses a repair that breaks earlier parameters, and promotes the one that handles both', async () => {
    const h = createHarness({
      site: batchSite({ S24: '.name', W21: '.name' }),
      limits: { maxRepairAttempts: 3 },
    });

    // Explore: the first candidate writes this run's batch into the URL.
    h.model.setScript([
      submit(code(JSON.stringify(`${BASE}S24`), ['.name'])),
      submit(code(fromParams, ['.name'])),
    ]);
    const first = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect(h.model.calls).toHaveLength(2);
    expect(JSON.stringify(h.model.calls[1]?.messages)).toContain(
      'the program contains \\"S24\\", the value of params.batch: read it from ctx.params.batch',
    );
    expect((await h.engine.bundles.history({ workspaceId: WS, reuseKey: 'batches' })).length).toBe(1);

    // Reuse with another batch: its parameters are remembered for later replays.
    expect(await h.engine.run({ workspaceId: WS, request: request('W21') })).toMatchObject({
      outcome: 'success',
      reuse: { used: true, updated: false },
    });
    const v1 = await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'batches' });
    expect(v1?.stats?.samples?.map((s) => s.params)).toEqual([{ batch: 'S24' }, { batch: 'W21' }]);

    // New markup, different per batch. The first repair handles S24's only.
    h.browser.site = batchSite({ S24: '.co-name', W21: '.co-title' });
    h.model.setScript([
      submit(code(fromParams, ['.co-name'])),
      submit(code(fromParams, ['.co-name', '.co-title'])),
    ]);
    const runsBefore = h.sandbox.runs;
    const repaired = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(repaired).toMatchObject({
      outcome: 'success',
      reuse: { used: true, updated: true },
      result: { data: [{ name: 'Acme' }, { name: 'Bolt' }, { name: 'Crane' }] },
    });
    const evidence = JSON.stringify(h.model.calls[3]?.messages);
    expect(evidence).toContain('not for those of an earlier successful run, {\\"batch\\":\\"W21\\"}');
    expect(evidence).toMatch(/no rows, but every earlier run/);
    const replays = h.events.filter((e) => e.type === 'replay');
    expect(replays.map((e) => e.type === 'replay' && [e.params, e.ok])).toEqual([
      [{ batch: 'W21' }, false],
      [{ batch: 'W21' }, true],
    ]);
    // The run record keeps both replays, what they ran with and why the first failed.
    const record = await h.engine.record({ workspaceId: WS, webTaskId: repaired.webTaskId });
    expect(record.replays?.map((r) => [r.params, r.ok])).toEqual([
      [{ batch: 'W21' }, false],
      [{ batch: 'W21' }, true],
    ]);
    expect(record.replays?.[0]?.message).toMatch(/no rows/);
    // saved run + 2 candidate runs + 2 replays
    expect(h.sandbox.runs - runsBefore).toBe(5);
    const v2 = await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'batches' });
    expect(v2).toMatchObject({ version: 2, origin: 'repair' });
    expect(v2?.source).toContain('.co-title');
    // The new version keeps the key's parameter history.
    expect(v2?.stats?.samples?.map((s) => s.params)).toEqual([{ batch: 'W21' }, { batch: 'S24' }]);
    await h.engine.close();
  });

  it('fails without saving when every candidate breaks earlier parameters', async () => {
    const h = createHarness({
      site: batchSite({ S24: '.name', W21: '.name' }),
      limits: { maxRepairAttempts: 1 },
    });
    h.model.setScript([submit(code(fromParams, ['.name']))]);
    await h.engine.run({ workspaceId: WS, request: request('S24') });
    await h.engine.run({ workspaceId: WS, request: request('W21') });
    h.browser.site = batchSite({ S24: '.co-name', W21: '.co-title' });
    h.model.setScript(() => submit(code(fromParams, ['.co-name'])));
    const failed = await h.engine.run({ workspaceId: WS, request: request('S24') });
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: { code: 'rejected', message: expect.stringContaining('{"batch":"W21"}') },
      reuse: { used: false, updated: false },
    });
    expect((await h.engine.bundles.history({ workspaceId: WS, reuseKey: 'batches' })).length).toBe(1);
    await h.engine.close();
  });

  it('never replays a side-effecting task and does not remember its parameters', async () => {
    const h = createHarness({ site: batchSite({ S24: '.name', W21: '.name' }) });
    h.model.setScript([submit(code(fromParams, ['.name']))]);
    await h.engine.run({ workspaceId: WS, request: request('S24') });
    await h.engine.run({ workspaceId: WS, request: request('W21') });
    h.browser.site = batchSite({ S24: '.co-name', W21: '.co-title' });
    // A repair that would break W21 is promoted: the task says it changes the site, so it is not replayed.
    h.model.setScript([submit(code(fromParams, ['.co-name']))]);
    const repaired = await h.engine.run({
      workspaceId: WS,
      request: { ...request('S24'), sideEffects: true },
    });
    expect(repaired).toMatchObject({ outcome: 'success', reuse: { updated: true } });
    expect(h.events.filter((e) => e.type === 'replay')).toEqual([]);
    const v2 = await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'batches' });
    // The flag is stored on the version, and its runs' parameters are not kept.
    expect(v2?.sideEffects).toBe(true);
    expect(v2?.stats?.samples).toBeUndefined();
    await h.engine.close();
  });
});
