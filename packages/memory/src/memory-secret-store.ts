import type { SealedEntry, SecretStore } from '@webtasks/core';

/**
 * A SecretStore in this process's memory (tests, single process). It holds what the core
 * sealed; nothing survives a restart.
 */
export function createMemorySecretStore(): SecretStore {
  const entries = new Map<string, SealedEntry>();
  const keyOf = (workspaceId: string, kind: string, name: string) =>
    JSON.stringify([workspaceId, kind, name]);
  return {
    specificationVersion: 'v1',
    async put({ workspaceId, entry }) {
      entries.set(keyOf(workspaceId, entry.kind, entry.name), { ...entry });
    },
    async get({ workspaceId, kind, name }) {
      const found = entries.get(keyOf(workspaceId, kind, name));
      return found ? { ...found } : undefined;
    },
    async list({ workspaceId, kind }) {
      const prefix = JSON.stringify([workspaceId, kind]).slice(0, -1);
      return [...entries.entries()]
        .filter(([key]) => key.startsWith(`${prefix},`))
        .map(([, entry]) => ({ ...entry }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async delete({ workspaceId, kind, name }) {
      return entries.delete(keyOf(workspaceId, kind, name));
    },
  };
}
