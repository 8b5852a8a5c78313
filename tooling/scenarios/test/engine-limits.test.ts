import { createInMemoryCreditLedger } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_limits';

describe('engine limits, credits, delivery and policy on fakes', () => {
  it('fails runs that need the model with no-ai-credits-left, while reuse runs still succeed', async () => {
    const credits = createInMemoryCreditLedger({ [WS]: 0.0025 });
    const h = createHarness({
      site: listSite(['A', 'B', 'C']),
      script: () => submit(listCode('.name')),
      extra: { credits },
    });
    const request = { task: 'names', startUrl: LIST_URL, outputSchema: NAMES_SCHEMA };
    // Exploring spends 1 call = $0.002 of the $0.0025 budget.
    const first = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'paid' } });
    expect(first).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect(credits.spent(WS)).toBeCloseTo(0.002, 12);
    // Spend the rest on another exploration.
    await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'paid-2' } });
    expect(credits.spent(WS)).toBeGreaterThan(0.0025);
    // A new key needs the model → no-ai-credits-left; no model call is made.
    const callsBefore = h.model.calls.length;
    const broke = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'new-key' } });
    expect(broke).toMatchObject({
      outcome: 'failed',
      error: { code: 'no-ai-credits-left' },
      reuse: { created: false },
    });
    expect(h.model.calls.length).toBe(callsBefore);
    // Saved code still works without credits.
    const reuse = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'paid' } });
    expect(reuse).toMatchObject({ outcome: 'success', reuse: { used: true } });
    // Other workspaces have no budget set: unlimited.
    const other = await h.engine.run({ workspaceId: 'ws_unlimited', request: { ...request, reuseKey: 'k' } });
    expect(other).toMatchObject({ outcome: 'success' });
    await h.engine.close();
  });

  it('stops a task at its timeout with outcome failed/timeout and saves nothing', async () => {
    const h = createHarness({
      site: listSite(['A']),
      script: () => submit(listCode('.name', '  await ctx.page.waitForTimeout(5000);')),
      limits: { taskTimeoutMs: 400 },
    });
    const started = Date.now();
    const result = await h.engine.run({
      workspaceId: WS,
      request: { task: 'slow', reuseKey: 'slow', outputSchema: NAMES_SCHEMA },
    });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', message: expect.stringContaining('limit') },
    });
    expect(await h.bundles.latest({ workspaceId: WS, reuseKey: 'slow' })).toBeUndefined();
    await h.engine.close();
  });

  it('delivers large outputs as a signed JSON file with a preview', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `Company number ${i} with a long enough name`);
    const h = createHarness({ site: listSite(names), script: () => submit(listCode('.name')) });
    const result = await h.engine.run({
      workspaceId: WS,
      request: { task: 'names', startUrl: LIST_URL, reuseKey: 'big', outputSchema: NAMES_SCHEMA },
    });
    expect(result.status === 'completed' && result.outcome === 'success').toBe(true);
    if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'file')
      throw new Error('expected a file');
    expect(result.result.preview).toEqual({
      rowCount: 3000,
      sample: names.slice(0, 5).map((name) => ({ name })),
    });
    expect(result.result.file.url).toMatch(/^http:\/\/files\.test\//);
    const stored = await h.blobs.get({ key: `${WS}/results/${result.webTaskId}.json` });
    expect(JSON.parse(new TextDecoder().decode(stored?.body))).toHaveLength(3000);
    expect(result.result.file.sizeBytes).toBe(stored?.sizeBytes);
    await h.engine.close();
  });

  it('reports a start URL the policy refuses as rejected, without a model call', async () => {
    const site = listSite(['A']);
    site.deny = (url) => url.includes('169.254.169.254');
    const h = createHarness({ site });
    const result = await h.engine.run({
      workspaceId: WS,
      request: {
        task: 'read metadata',
        startUrl: 'http://169.254.169.254/latest/meta-data',
        reuseKey: 'meta',
      },
    });
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { code: 'rejected', message: expect.stringContaining('169.254.169.254') },
    });
    expect(h.model.calls).toHaveLength(0);
    await h.engine.close();
  });

  it('stores downloads in the blob store and references them in the output', async () => {
    const site = listSite(['A']);
    site.files = {
      'https://fake.test/report.pdf': {
        body: new Uint8Array([37, 80, 68, 70]),
        contentType: 'application/pdf',
        name: 'report.pdf',
      },
    };
    const h = createHarness({ site });
    const source = [
      'export default async function run(ctx) {',
      `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
      "  const file = await ctx.files.download('https://fake.test/report.pdf');",
      '  return { files: [file] };',
      '}',
    ].join('\n');
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'dl',
      source,
      outputSchema: { type: 'object' },
    });
    const result = await h.engine.run({ workspaceId: WS, request: { task: 'download', reuseKey: 'dl' } });
    if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'inline')
      throw new Error(JSON.stringify(result));
    const file = (result.result.data as { files: Array<{ fileId: string; name: string; sizeBytes: number }> })
      .files[0]!;
    expect(file).toMatchObject({
      name: 'report.pdf',
      sizeBytes: 4,
      contentType: 'application/pdf',
      sourceUrl: 'https://fake.test/report.pdf',
    });
    const stored = await h.blobs.get({ key: `${WS}/files/${result.webTaskId}/${file.fileId}-report.pdf` });
    expect([...(stored?.body ?? [])]).toEqual([37, 80, 68, 70]);
    await h.engine.close();
  });
});
