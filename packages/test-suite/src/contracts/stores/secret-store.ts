import { randomUUID } from 'node:crypto';
import type { SealedEntry, SecretStore } from '@webtasks/core';
import { describe, expect } from 'vitest';
import { type ContractOptions, contractTests } from './contract-options.js';

const workspace = () => `ws_${randomUUID()}`;
const entry = (
  name: string,
  sealed = `v1.${randomUUID()}`,
  kind: SealedEntry['kind'] = 'secret',
): SealedEntry => ({
  kind,
  name,
  sealed,
  updatedAt: new Date().toISOString(),
});

/**
 * The SecretStore contract: put/get/list/delete of sealed entries by (workspace, kind, name),
 * replace in place, kinds and workspaces kept apart.
 */
export function describeSecretStoreContract(options: ContractOptions<SecretStore>): void {
  describe(`SecretStore contract: ${options.name}`, () => {
    const test = contractTests(options);

    test('declares specification v1', async (store) => {
      expect(store.specificationVersion).toBe('v1');
    });

    test('put then get returns the entry; a missing one is undefined', async (store) => {
      const workspaceId = workspace();
      const saved = entry('password');
      await store.put({ workspaceId, entry: saved });
      expect(await store.get({ workspaceId, kind: 'secret', name: 'password' })).toEqual(saved);
      expect(await store.get({ workspaceId, kind: 'secret', name: 'other' })).toBeUndefined();
    });

    test('put replaces an entry of the same name', async (store) => {
      const workspaceId = workspace();
      await store.put({ workspaceId, entry: entry('token', 'v1.first') });
      await store.put({ workspaceId, entry: entry('token', 'v1.second') });
      expect((await store.get({ workspaceId, kind: 'secret', name: 'token' }))?.sealed).toBe('v1.second');
      expect(await store.list({ workspaceId, kind: 'secret' })).toHaveLength(1);
    });

    test('list is sorted by name and holds one kind only', async (store) => {
      const workspaceId = workspace();
      await store.put({ workspaceId, entry: entry('b_secret') });
      await store.put({ workspaceId, entry: entry('a_secret') });
      await store.put({ workspaceId, entry: entry('shop', 'v1.state', 'auth-session') });
      expect((await store.list({ workspaceId, kind: 'secret' })).map((e) => e.name)).toEqual([
        'a_secret',
        'b_secret',
      ]);
      expect((await store.list({ workspaceId, kind: 'auth-session' })).map((e) => e.name)).toEqual(['shop']);
    });

    test('two workspaces never see each other’s entries', async (store) => {
      const a = workspace();
      const b = workspace();
      await store.put({ workspaceId: a, entry: entry('password', 'v1.of-a') });
      expect(await store.get({ workspaceId: b, kind: 'secret', name: 'password' })).toBeUndefined();
      expect(await store.list({ workspaceId: b, kind: 'secret' })).toEqual([]);
      expect(await store.delete({ workspaceId: b, kind: 'secret', name: 'password' })).toBe(false);
      expect((await store.get({ workspaceId: a, kind: 'secret', name: 'password' }))?.sealed).toBe('v1.of-a');
    });

    test('delete removes an entry and says whether there was one', async (store) => {
      const workspaceId = workspace();
      await store.put({ workspaceId, entry: entry('gone') });
      expect(await store.delete({ workspaceId, kind: 'secret', name: 'gone' })).toBe(true);
      expect(await store.delete({ workspaceId, kind: 'secret', name: 'gone' })).toBe(false);
      expect(await store.get({ workspaceId, kind: 'secret', name: 'gone' })).toBeUndefined();
    });

    test.checkSkips();
  });
}
