import { describe, expect, it } from 'vitest';
import { createHarness, LIST_URL, listCode, listSite, NAMES_SCHEMA, submit } from './engine-harness.js';

const WS = 'ws_cold';
const request = { task: 'List the company names', reuseKey: 'cold', outputSchema: NAMES_SCHEMA };

describe('imports and cold keys on fakes', () => {
  it('runs an import once: refuses failures and empty lists, records the baseline of a good one', async () => {
    const h = createHarness({ site: listSite(['Acme', 'Globex', 'Initech']) });
    const importing = (selector: string, extra: Record<string, unknown> = {}) =>
      h.engine.bundles.import({
        workspaceId: WS,
        reuseKey: 'imported',
        source: listCode(selector),
        outputSchema: NAMES_SCHEMA,
        ...extra,
      });
    await expect(importing('.gone')).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('returned an empty list'),
    });
    await expect(
      importing('.name', {
        parameters: { x: 1 },
        paramsSchema: { type: 'object', properties: { x: { type: 'string' } } },
      }),
    ).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('/x: expected must be string'),
    });
    expect(await h.engine.bundles.history({ workspaceId: WS, reuseKey: 'imported' })).toEqual([]);
    const good = await importing('.name', { parameters: { region: 'eu' } });
    expect(good.verification).toEqual({ verified: true, params: { region: 'eu' }, rowCount: 3 });
    expect(good.stats).toMatchObject({ runs: 1, rowCounts: [3], samples: [{ params: { region: 'eu' } }] });
    // --no-verify saves without running and says so; the key's remembered parameters carry over.
    const runs = h.sandbox.runs;
    const skipped = await importing('.gone', { verify: false });
    expect(h.sandbox.runs).toBe(runs);
    expect(skipped.verification).toEqual({ verified: false, reason: expect.stringContaining('--no-verify') });
    expect(skipped.stats).toMatchObject({ runs: 0, samples: [{ params: { region: 'eu' } }] });
    await h.engine.close();
  });

  it('treats an empty list of a key with no history as suspect: repaired with a model', async () => {
    const h = createHarness({ site: listSite(['Acme', 'Globex'], '.title') });
    await h.engine.bundles.import({
      workspaceId: WS,
      ...request,
      source: listCode('.name'),
      outputSchema: NAMES_SCHEMA,
      verify: false,
    });
    h.model.setScript([submit(listCode('.title'))]);
    const result = await h.engine.run({ workspaceId: WS, request: { ...request, startUrl: LIST_URL } });
    expect(result).toMatchObject({
      outcome: 'success',
      reuse: { used: true, updated: true },
      result: { data: [{ name: 'Acme' }, { name: 'Globex' }] },
    });
    expect(JSON.stringify(h.model.calls[0]?.messages)).toContain('has no successful run to compare with');
    await h.engine.close();
  });

  it('without a model, succeeds with a warning in reuse.notes; object outputs and keys with history get none', async () => {
    const h = createHarness({ site: listSite(['Acme'], '.title'), extra: { model: undefined } });
    await h.engine.bundles.import({
      workspaceId: WS,
      ...request,
      source: listCode('.name'),
      outputSchema: NAMES_SCHEMA,
      verify: false,
    });
    const warned = await h.engine.run({ workspaceId: WS, request });
    expect(warned).toMatchObject({
      outcome: 'success',
      result: { data: [] },
      reuse: { used: true, notes: [expect.stringContaining('returned an empty list')] },
    });
    // An object output (not a list) is not suspect, and a key with a successful run is judged by drift.
    const objectSchema = { type: 'object', properties: { names: { type: 'array' } } };
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'cold-object',
      source: listCode('.name').replace('return names.map((name) => ({ name }));', 'return { names };'),
      outputSchema: objectSchema,
      verify: false,
    });
    const plain = await h.engine.run({
      workspaceId: WS,
      request: { ...request, reuseKey: 'cold-object', outputSchema: objectSchema },
    });
    expect(plain).toMatchObject({ outcome: 'success' });
    expect(plain.reuse.notes).toBeUndefined();
    // A verified import has a successful run on record: a later empty list is judged by drift.
    await h.engine.bundles.import({
      workspaceId: WS,
      ...request,
      reuseKey: 'warm',
      source: listCode('.title'),
      outputSchema: NAMES_SCHEMA,
    });
    h.browser.site = listSite(['Acme'], '.renamed');
    const warm = await h.engine.run({ workspaceId: WS, request: { ...request, reuseKey: 'warm' } });
    expect(warm).toMatchObject({ outcome: 'success', result: { data: [] } });
    expect(warm.reuse.notes).toBeUndefined();
    await h.engine.close();
  });
});
