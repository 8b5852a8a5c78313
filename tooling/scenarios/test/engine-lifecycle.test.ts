import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_lifecycle';

describe('engine lifecycle on fakes: explore → reuse → repair → failed repair', () => {
  it('runs the whole reuse cycle with the right flags, versions and model calls', async () => {
    const names = ['Acme', 'Globex', 'Initech', 'Umbrella'];
    const h = createHarness({ site: listSite(names, '.name') });
    const request = {
      task: 'List the company names',
      startUrl: LIST_URL,
      reuseKey: 'companies',
      outputSchema: NAMES_SCHEMA,
    };

    // 1. Explore: the agent submits code, the engine runs it fresh, validates, saves v1.
    h.model.setScript([submit(listCode('.name'))]);
    const first = await h.engine.run({ workspaceId: WS, request });
    expect(first).toMatchObject({
      status: 'completed',
      outcome: 'success',
      result: { type: 'inline', data: names.map((name) => ({ name })) },
      reuse: { key: 'companies', used: false, created: true, updated: true },
    });
    expect(h.model.calls).toHaveLength(1);
    // The first message carries the start page the agent already opened.
    expect(JSON.stringify(h.model.calls[0]?.messages)).toContain('Acme');
    expect((await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'companies' }))?.version).toBe(1);

    // 2. Reuse: saved code runs, zero model calls.
    const second = await h.engine.run({ workspaceId: WS, request });
    expect(second).toMatchObject({
      outcome: 'success',
      reuse: { used: true, created: false, updated: false },
    });
    expect(second.status === 'completed' && second.cost.aiUsd).toBe(0);
    expect(h.model.calls).toHaveLength(1);

    // 3. The markup changes: the saved code returns no rows (drift) → repair → v2.
    h.browser.site = listSite(names, '.company-title');
    h.model.setScript(() => submit(listCode('.company-title')));
    const third = await h.engine.run({ workspaceId: WS, request });
    expect(third).toMatchObject({
      outcome: 'success',
      result: { type: 'inline', data: names.map((name) => ({ name })) },
      reuse: { used: true, created: false, updated: true },
    });
    expect(h.model.calls).toHaveLength(2);
    const repairPrompt = JSON.stringify(h.model.calls[1]?.messages);
    expect(repairPrompt).toContain('no longer works');
    expect(repairPrompt).toContain('.name'); // the old code is handed over
    expect(repairPrompt).toMatch(/no rows, but every earlier run/);
    const v2 = await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'companies' });
    expect(v2).toMatchObject({ version: 2, origin: 'repair', parentVersion: 1 });
    const diff = await h.engine.bundles.diff({ workspaceId: WS, reuseKey: 'companies', from: 1, to: 2 });
    expect(diff).toContain('-  const names = await ctx.page.locator(".name")');
    expect(diff).toContain('+  const names = await ctx.page.locator(".company-title")');

    // 4. The site changes again and every repair fails: failed, all flags false, v2 stays latest.
    h.browser.site = listSite(names, '.renamed-again');
    h.model.setScript(() => submit(listCode('.still-wrong')));
    const fourth = await h.engine.run({ workspaceId: WS, request });
    expect(fourth).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: {
        code: 'rejected',
        message: expect.stringContaining('could not repair the saved code in 2 attempts'),
      },
      reuse: { key: 'companies', used: false, created: false, updated: false },
    });
    expect(h.model.calls).toHaveLength(4);
    const history = await h.engine.bundles.history({ workspaceId: WS, reuseKey: 'companies' });
    expect(history.map((b) => b.version)).toEqual([2, 1]);
    expect((await h.engine.bundles.get({ workspaceId: WS, reuseKey: 'companies' }))?.source).toContain(
      '.company-title',
    );

    // Cost of a model run is tokens × price table: 2 calls × (1000 in × $1 + 200 out × $5) / 1M.
    expect(fourth.status === 'completed' && fourth.cost.aiUsd).toBeCloseTo(
      (2 * (1000 * 1 + 200 * 5)) / 1e6,
      12,
    );
    expect(h.browser.sessionsOpen).toBe(0);
    await h.engine.close();
  });

  it('never writes a bundle when exploration fails', async () => {
    const h = createHarness({
      site: listSite(['A', 'B', 'C']),
      script: () => submit(listCode('.nothing-here')),
    });
    const result = await h.engine.run({
      workspaceId: WS,
      request: {
        task: 'names',
        startUrl: LIST_URL,
        reuseKey: 'never',
        outputSchema: { type: 'array', minItems: 1 },
      },
    });
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { code: 'rejected' },
      reuse: { used: false, created: false, updated: false },
    });
    expect(await h.bundles.latest({ workspaceId: WS, reuseKey: 'never' })).toBeUndefined();
    expect(await h.bundles.history({ workspaceId: WS, reuseKey: 'never' })).toEqual([]);
    // The second attempt got the evidence of the first.
    expect(JSON.stringify(h.model.calls[1]?.messages)).toContain('must NOT have fewer than 1 items');
    await h.engine.close();
  });

  it('saves the schema the agent proposes and enforces it on later runs', async () => {
    const h = createHarness({ site: listSite(['A', 'B', 'C']) });
    const proposed = { type: 'array', items: { type: 'object', required: ['name'] } };
    h.model.setScript([
      { content: [{ type: 'text', text: 'Looking…' }] },
      submit(listCode('.name'), proposed),
    ]);
    const request = { task: 'names', startUrl: LIST_URL, reuseKey: 'inferred' };
    const first = await h.engine.run({ workspaceId: WS, request });
    expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect((await h.bundles.latest({ workspaceId: WS, reuseKey: 'inferred' }))?.outputSchema).toEqual(
      proposed,
    );
    // Without outputSchema in the request, a submit without one is refused (the model is told).
    expect(JSON.stringify(h.model.calls[1]?.messages)).toContain('Continue by calling a tool');
    // Later: the code starts returning strings, which the saved schema refuses → repair.
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'inferred',
      source: listCode('.name').replace('names.map((name) => ({ name }))', 'names'),
      outputSchema: proposed,
      // Broken on purpose: a verification run would refuse it.
      verify: false,
    });
    h.model.setScript(() => submit(listCode('.name')));
    const again = await h.engine.run({ workspaceId: WS, request });
    expect(again).toMatchObject({ outcome: 'success', reuse: { used: true, updated: true } });
    expect(JSON.stringify(h.model.calls.at(-1)?.messages)).toContain('does not match the output schema');
    await h.engine.close();
  });

  it('rejects bad requests with invalid-request and details', async () => {
    const h = createHarness({ site: listSite([]) });
    const bad = [
      { task: '' },
      { task: 'x', startUrl: 'ftp://example.test' },
      { task: 'x', reuseKey: 'has space' },
      { task: 'x', outputSchema: { type: 'nope' } },
      { task: 'x', model: 'gpt' },
      { task: 'x', extra: 1 },
    ];
    for (const request of bad) {
      await expect(h.engine.start({ workspaceId: WS, request: request as never })).rejects.toMatchObject({
        code: 'invalid-request',
        details: expect.any(Array),
      });
    }
    await expect(h.engine.result({ workspaceId: WS, webTaskId: 'wt_missing' })).rejects.toMatchObject({
      code: 'not-found',
    });
    await h.engine.close();
  });
});
