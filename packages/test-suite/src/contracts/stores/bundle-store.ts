import { randomUUID } from 'node:crypto';
import { type BundleStore, type NewBundle, WebTasksError } from '@webtasks/core';
import { describe, expect } from 'vitest';
import { bundleStorePromotionTests } from './bundle-store-promotion.js';
import { type ContractOptions, contractTests, expectWebTasksError } from './contract-options.js';

/** A bundle ready to save, for a fresh random workspace unless given. */
export function sampleNewBundle(overrides: Partial<NewBundle> = {}): NewBundle {
  return {
    workspaceId: `ws_${randomUUID()}`,
    reuseKey: `key_${randomUUID()}`,
    source: 'export default async function run(ctx) {\n  return { title: await ctx.page.title() };\n}\n',
    outputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] },
    origin: 'explore',
    task: 'Read the page title',
    startUrl: 'https://example.com/',
    webTaskId: `wt_${randomUUID()}`,
    ...overrides,
  };
}

/**
 * The BundleStore contract: versions 1, 2, 3… per (workspace, reuseKey), compare-and-set
 * saves, history newest first, listing ordered by key, workspace isolation.
 */
export function describeBundleStoreContract(options: ContractOptions<BundleStore>): void {
  describe(`BundleStore contract: ${options.name}`, () => {
    const test = contractTests(options);

    test('declares specification v1', async (store) => {
      expect(store.specificationVersion).toBe('v1');
    });

    test('latest, get and history are empty for an unknown key', async (store) => {
      const key = { workspaceId: `ws_${randomUUID()}`, reuseKey: `key_${randomUUID()}` };
      expect(await store.latest(key)).toBeUndefined();
      expect(await store.get({ ...key, version: 1 })).toBeUndefined();
      expect(await store.history(key)).toEqual([]);
    });

    test('the first save gets version 1 and round-trips every field', async (store) => {
      const bundle = sampleNewBundle();
      const before = Date.now();
      const saved = await store.save({ bundle, expectedVersion: 0 });
      expect(saved).toMatchObject({ ...bundle, version: 1 });
      const createdAt = Date.parse(saved.createdAt);
      expect(new Date(createdAt).toISOString()).toBe(saved.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before - 5_000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 5_000);
      expect(saved.stats).toBeUndefined();
      expect(await store.latest(bundle)).toEqual(saved);
      expect(await store.get({ ...bundle, version: 1 })).toEqual(saved);
    });

    test('optional fields may be absent', async (store) => {
      const { startUrl: _s, webTaskId: _w, ...bundle } = sampleNewBundle({ origin: 'import' });
      const saved = await store.save({ bundle, expectedVersion: 0 });
      const loaded = await store.latest(bundle);
      expect(loaded).toEqual(saved);
      expect(loaded?.startUrl).toBeUndefined();
      expect(loaded?.webTaskId).toBeUndefined();
      expect(loaded?.parentVersion).toBeUndefined();
    });

    test('versions count 1, 2, 3 and get returns each one', async (store) => {
      const bundle = sampleNewBundle();
      for (const version of [1, 2, 3]) {
        const saved = await store.save({
          bundle: {
            ...bundle,
            source: `// v${version}\n${bundle.source}`,
            origin: version === 1 ? 'explore' : 'repair',
            ...(version > 1 ? { parentVersion: version - 1 } : {}),
          },
          expectedVersion: version - 1,
        });
        expect(saved.version).toBe(version);
      }
      expect((await store.latest(bundle))?.version).toBe(3);
      for (const version of [1, 2, 3]) {
        const loaded = await store.get({ ...bundle, version });
        expect(loaded?.version).toBe(version);
        expect(loaded?.source.startsWith(`// v${version}\n`)).toBe(true);
      }
      expect((await store.get({ ...bundle, version: 2 }))?.parentVersion).toBe(1);
      expect(await store.get({ ...bundle, version: 4 })).toBeUndefined();
    });

    test('save with a wrong expectedVersion fails with conflict and writes nothing', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      await expectWebTasksError(
        store.save({ bundle: { ...bundle, source: '// stale' }, expectedVersion: 0 }),
        'conflict',
      );
      await expectWebTasksError(
        store.save({ bundle: { ...bundle, source: '// ahead' }, expectedVersion: 2 }),
        'conflict',
      );
      expect(await store.history(bundle)).toHaveLength(1);
      expect((await store.latest(bundle))?.source).toBe(bundle.source);
      const fresh = sampleNewBundle();
      await expectWebTasksError(store.save({ bundle: fresh, expectedVersion: 1 }), 'conflict');
      expect(await store.latest(fresh)).toBeUndefined();
    });

    test('10 concurrent saves with the same expectedVersion: exactly one wins', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, (_, index) =>
          store.save({ bundle: { ...bundle, source: `// writer ${index}` }, expectedVersion: 1 }),
        ),
      );
      const winners = attempts.filter((attempt) => attempt.status === 'fulfilled');
      const losers = attempts.filter((attempt) => attempt.status === 'rejected');
      expect(winners).toHaveLength(1);
      for (const loser of losers) expect(WebTasksError.hasCode(loser.reason, 'conflict')).toBe(true);
      const history = await store.history(bundle);
      expect(history.map((line) => line.version)).toEqual([2, 1]);
      const winner = winners[0] as PromiseFulfilledResult<{ source: string }>;
      expect((await store.latest(bundle))?.source).toBe(winner.value.source);
    });

    test('history is newest first, honours limit and carries summaries', async (store) => {
      const bundle = sampleNewBundle();
      for (let version = 1; version <= 4; version += 1) {
        await store.save({
          bundle: { ...bundle, origin: version === 1 ? 'explore' : 'repair' },
          expectedVersion: version - 1,
        });
      }
      const history = await store.history(bundle);
      expect(history.map((line) => line.version)).toEqual([4, 3, 2, 1]);
      expect(history[3]).toMatchObject({
        workspaceId: bundle.workspaceId,
        reuseKey: bundle.reuseKey,
        version: 1,
        origin: 'explore',
        webTaskId: bundle.webTaskId,
      });
      expect(typeof history[0]?.createdAt).toBe('string');
      expect((await store.history({ ...bundle, limit: 2 })).map((line) => line.version)).toEqual([4, 3]);
    });

    test('saveStats replaces the statistics of one version only', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      await store.save({ bundle, expectedVersion: 1 });
      const first = { runs: 1, rowCounts: [10], filledRuns: { '[].name': 1 } };
      const second = { runs: 2, rowCounts: [10, 12], filledRuns: { '[].name': 2, total: 1 } };
      await store.saveStats({ ...bundle, version: 1, stats: first });
      await store.saveStats({ ...bundle, version: 1, stats: second });
      expect((await store.get({ ...bundle, version: 1 }))?.stats).toEqual(second);
      expect((await store.get({ ...bundle, version: 2 }))?.stats).toBeUndefined();
      expect((await store.latest(bundle))?.version).toBe(2);
    });

    test('save stores the statistics it is given with the version; saveStats replaces them later', async (store) => {
      const bundle = sampleNewBundle();
      const stats = { runs: 1, rowCounts: [3], filledRuns: { '[].name': 1 } };
      const saved = await store.save({ bundle: { ...bundle, stats }, expectedVersion: 0 });
      expect(saved.stats).toEqual(stats);
      expect((await store.get({ ...bundle, version: 1 }))?.stats).toEqual(stats);
      expect((await store.latest(bundle))?.stats).toEqual(stats);
      const newer = { runs: 2, rowCounts: [3, 4], filledRuns: { '[].name': 2 } };
      await store.saveStats({ ...bundle, version: 1, stats: newer });
      expect((await store.get({ ...bundle, version: 1 }))?.stats).toEqual(newer);
      // A version saved without statistics has none.
      await store.save({ bundle, expectedVersion: 1 });
      expect((await store.get({ ...bundle, version: 2 }))?.stats).toBeUndefined();
    });

    test('saveStats on a missing version fails with not-found', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      const stats = { runs: 1, rowCounts: [1], filledRuns: {} };
      await expectWebTasksError(store.saveStats({ ...bundle, version: 7, stats }), 'not-found');
    });

    test('save keeps the compiled code it is given; a version saved without it has none', async (store) => {
      const bundle = sampleNewBundle();
      const compiled = {
        javascript: 'exports.default = async function run(ctx) { return { rows: [] }; };\n',
        sourceHash: 'a'.repeat(64),
        compilerVersion: 'contract-compiler 1',
      };
      const saved = await store.save({ bundle: { ...bundle, compiled }, expectedVersion: 0 });
      expect(saved.compiled).toEqual(compiled);
      expect((await store.latest(bundle))?.compiled).toEqual(compiled);
      await store.save({ bundle, expectedVersion: 1 });
      const second = await store.get({ ...bundle, version: 2 });
      expect(second).toBeDefined();
      expect(second && 'compiled' in second).toBe(false);
      expect((await store.get({ ...bundle, version: 1 }))?.compiled).toEqual(compiled);
    });

    test('saveCompiled stores or replaces the compiled code of one version and changes nothing else', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      await store.save({ bundle, expectedVersion: 1 });
      const before = await store.get({ ...bundle, version: 1 });
      const first = { javascript: 'exports.default = 1;', sourceHash: 'b'.repeat(64), compilerVersion: 'c1' };
      const second = {
        javascript: 'exports.default = 2;',
        sourceHash: 'b'.repeat(64),
        compilerVersion: 'c2',
      };
      await store.saveCompiled({ ...bundle, version: 1, compiled: first });
      expect((await store.get({ ...bundle, version: 1 }))?.compiled).toEqual(first);
      await store.saveCompiled({ ...bundle, version: 1, compiled: second });
      const after = await store.get({ ...bundle, version: 1 });
      expect(after?.compiled).toEqual(second);
      expect({ ...after, compiled: undefined }).toEqual({ ...before, compiled: undefined });
      expect((await store.get({ ...bundle, version: 2 }))?.compiled).toBeUndefined();
      expect((await store.latest(bundle))?.version).toBe(2);
      expect((await store.history(bundle)).map((line) => line.version)).toEqual([2, 1]);
      // Statistics and compiled code are independent.
      const stats = { runs: 1, rowCounts: [3], filledRuns: {} };
      await store.saveStats({ ...bundle, version: 1, stats });
      const both = await store.get({ ...bundle, version: 1 });
      expect(both?.stats).toEqual(stats);
      expect(both?.compiled).toEqual(second);
    });

    test('saveCompiled on a missing version fails with not-found', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      const compiled = {
        javascript: 'exports.default = 1;',
        sourceHash: 'c'.repeat(64),
        compilerVersion: 'c1',
      };
      await expectWebTasksError(store.saveCompiled({ ...bundle, version: 7, compiled }), 'not-found');
      await expectWebTasksError(
        store.saveCompiled({ ...bundle, reuseKey: `${bundle.reuseKey}.none`, version: 1, compiled }),
        'not-found',
      );
    });

    test('list returns the latest version of each key ordered by key, with prefix, after and limit', async (store) => {
      const workspaceId = `ws_${randomUUID()}`;
      const keys = ['orders.beta', 'orders.alpha', 'invoices.main', 'orders.gamma'];
      for (const reuseKey of keys)
        await store.save({ bundle: sampleNewBundle({ workspaceId, reuseKey }), expectedVersion: 0 });
      await store.save({
        bundle: sampleNewBundle({ workspaceId, reuseKey: 'orders.beta' }),
        expectedVersion: 1,
      });
      const all = await store.list({ workspaceId });
      expect(all.map((line) => line.reuseKey)).toEqual([
        'invoices.main',
        'orders.alpha',
        'orders.beta',
        'orders.gamma',
      ]);
      expect(all.map((line) => line.version)).toEqual([1, 1, 2, 1]);
      expect(all.every((line) => line.workspaceId === workspaceId)).toBe(true);
      const orders = await store.list({ workspaceId, prefix: 'orders.' });
      expect(orders.map((line) => line.reuseKey)).toEqual(['orders.alpha', 'orders.beta', 'orders.gamma']);
      const page = await store.list({ workspaceId, prefix: 'orders.', limit: 2 });
      expect(page.map((line) => line.reuseKey)).toEqual(['orders.alpha', 'orders.beta']);
      const next = await store.list({ workspaceId, prefix: 'orders.', limit: 2, after: 'orders.beta' });
      expect(next.map((line) => line.reuseKey)).toEqual(['orders.gamma']);
      expect(await store.list({ workspaceId, prefix: 'nothing.' })).toEqual([]);
    });

    test('delete removes every version and the key starts again at 1', async (store) => {
      const bundle = sampleNewBundle();
      await store.save({ bundle, expectedVersion: 0 });
      await store.save({ bundle, expectedVersion: 1 });
      expect(await store.delete(bundle)).toBe(true);
      expect(await store.latest(bundle)).toBeUndefined();
      expect(await store.get({ ...bundle, version: 1 })).toBeUndefined();
      expect(await store.history(bundle)).toEqual([]);
      expect(await store.list({ workspaceId: bundle.workspaceId })).toEqual([]);
      expect(await store.delete(bundle)).toBe(false);
      expect((await store.save({ bundle, expectedVersion: 0 })).version).toBe(1);
    });

    test('the same reuseKey in two workspaces never mixes', async (store) => {
      const reuseKey = `shared_${randomUUID()}`;
      const a = sampleNewBundle({ reuseKey, source: '// workspace a' });
      const b = sampleNewBundle({ reuseKey, source: '// workspace b' });
      await store.save({ bundle: a, expectedVersion: 0 });
      await store.save({ bundle: a, expectedVersion: 1 });
      expect((await store.save({ bundle: b, expectedVersion: 0 })).version).toBe(1);
      expect((await store.latest(a))?.source).toBe('// workspace a');
      expect((await store.latest(b))?.source).toBe('// workspace b');
      expect(await store.history(b)).toHaveLength(1);
      expect((await store.list({ workspaceId: b.workspaceId })).map((line) => line.version)).toEqual([1]);
      expect(await store.delete(b)).toBe(true);
      expect((await store.latest(a))?.version).toBe(2);
    });

    test('a 1 MB source round-trips unchanged', async (store) => {
      const line = 'const row = { name: "Ünïcødé ✓", value: 42 }; // padding padding padding\n';
      const source = line.repeat(Math.ceil(1_048_576 / line.length));
      const bundle = sampleNewBundle({ source });
      await store.save({ bundle, expectedVersion: 0 });
      const loaded = await store.latest(bundle);
      expect(loaded?.source.length).toBe(source.length);
      expect(loaded?.source === source).toBe(true);
    });

    test('returned bundles are copies: mutating them changes nothing stored', async (store) => {
      const bundle = sampleNewBundle();
      const saved = await store.save({ bundle, expectedVersion: 0 });
      saved.source = '// mutated';
      (bundle.outputSchema as Record<string, unknown>).type = 'array';
      const loaded = await store.latest(bundle);
      expect(loaded?.source).not.toBe('// mutated');
      expect((loaded?.outputSchema as Record<string, unknown> | undefined)?.type).toBe('object');
      if (loaded) loaded.source = '// mutated again';
      expect((await store.latest(bundle))?.source).not.toBe('// mutated again');
    });

    bundleStorePromotionTests(test);

    test.checkSkips();
  });
}
