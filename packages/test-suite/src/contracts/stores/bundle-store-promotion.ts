import { randomUUID } from 'node:crypto';
import type { BundleStore } from '@webtasks/core';
import { expect } from 'vitest';
import { sampleNewBundle } from './bundle-store.js';
import { type ContractTestRegistrar, expectWebTasksError } from './contract-options.js';

/**
 * The parts of the BundleStore contract that safe promotion relies on: parameter schemas
 * and side-effect flags saved with each version, review states of versions, and the
 * per-key settings (promotion policy, pinned version).
 */
export function bundleStorePromotionTests(test: ContractTestRegistrar<BundleStore>): void {
  test('a parameter schema and the side-effect flag round-trip with their version', async (store) => {
    const paramsSchema = {
      type: 'object',
      properties: { batch: { type: 'string', pattern: '^[SW]\\d{2}$', default: 'S24' } },
      additionalProperties: false,
    };
    const bundle = sampleNewBundle({ paramsSchema, sideEffects: true });
    const saved = await store.save({ bundle, expectedVersion: 0 });
    expect(saved.paramsSchema).toEqual(paramsSchema);
    expect(saved.sideEffects).toBe(true);
    expect((await store.latest(bundle))?.paramsSchema).toEqual(paramsSchema);
    expect((await store.get({ ...bundle, version: 1 }))?.sideEffects).toBe(true);
    const { paramsSchema: _p, sideEffects: _s, ...plain } = bundle;
    const second = await store.save({ bundle: plain, expectedVersion: 1 });
    expect(second.paramsSchema).toBeUndefined();
    expect(second.sideEffects).toBeUndefined();
    expect((await store.get({ ...bundle, version: 2 }))?.paramsSchema).toBeUndefined();
    expect((await store.get({ ...bundle, version: 1 }))?.paramsSchema).toEqual(paramsSchema);
  });

  test('a version saved as proposed keeps that state; setStatus changes one version only', async (store) => {
    const bundle = sampleNewBundle();
    await store.save({ bundle, expectedVersion: 0 });
    const proposed = await store.save({ bundle: { ...bundle, status: 'proposed' }, expectedVersion: 1 });
    expect(proposed.status).toBe('proposed');
    expect((await store.latest(bundle))?.status).toBe('proposed');
    expect((await store.get({ ...bundle, version: 1 }))?.status).toBeUndefined();
    expect((await store.history(bundle)).map((line) => [line.version, line.status])).toEqual([
      [2, 'proposed'],
      [1, undefined],
    ]);
    await store.setStatus({ ...bundle, version: 2, status: 'rejected' });
    expect((await store.get({ ...bundle, version: 2 }))?.status).toBe('rejected');
    expect((await store.list({ workspaceId: bundle.workspaceId }))[0]?.status).toBe('rejected');
    await store.setStatus({ ...bundle, version: 1, status: 'active' });
    expect((await store.get({ ...bundle, version: 1 }))?.status).toBe('active');
    expect((await store.get({ ...bundle, version: 2 }))?.status).toBe('rejected');
    await expectWebTasksError(store.setStatus({ ...bundle, version: 9, status: 'active' }), 'not-found');
  });

  test('key settings default to auto, are replaced whole, and stay with their key', async (store) => {
    const workspaceId = `ws_${randomUUID()}`;
    const key = { workspaceId, reuseKey: `key_${randomUUID()}` };
    expect(await store.getSettings(key)).toEqual({ promotion: 'auto' });
    // A key may carry settings before it has a version.
    await store.saveSettings({ ...key, settings: { promotion: 'review', pinnedVersion: 2 } });
    expect(await store.getSettings(key)).toEqual({ promotion: 'review', pinnedVersion: 2 });
    await store.saveSettings({ ...key, settings: { promotion: 'off' } });
    expect(await store.getSettings(key)).toEqual({ promotion: 'off' });
    expect(await store.getSettings({ ...key, reuseKey: `${key.reuseKey}-other` })).toEqual({
      promotion: 'auto',
    });
    expect(await store.getSettings({ ...key, workspaceId: `ws_${randomUUID()}` })).toEqual({
      promotion: 'auto',
    });
    expect(await store.list({ workspaceId })).toEqual([]);
  });

  test('delete removes the key settings with the versions', async (store) => {
    const bundle = sampleNewBundle();
    await store.save({ bundle, expectedVersion: 0 });
    await store.saveSettings({ ...bundle, settings: { promotion: 'review', pinnedVersion: 1 } });
    expect(await store.delete(bundle)).toBe(true);
    expect(await store.getSettings(bundle)).toEqual({ promotion: 'auto' });
  });
}
