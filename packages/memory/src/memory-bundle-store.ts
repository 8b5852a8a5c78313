import {
  type Bundle,
  type BundleKey,
  type BundleKeySettings,
  type BundleStore,
  summarizeBundle,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { copy } from './copy.js';

/** Options of `createMemoryBundleStore` (none yet; reserved for later). */
export type MemoryBundleStoreOptions = Record<string, never>;

const ADAPTER = 'memory-bundle-store';

/**
 * A BundleStore in process memory: every version of every key, compare-and-set saves.
 * Data is lost when the process exits; use it for tests and single-process embedding.
 */
export function createMemoryBundleStore(_options: MemoryBundleStoreOptions = {}): BundleStore {
  // workspaceId → reuseKey → versions (index 0 = version 1)
  const workspaces = new Map<string, Map<string, Bundle[]>>();
  // `${workspaceId}\n${reuseKey}` → settings
  const settings = new Map<string, BundleKeySettings>();
  const settingsKey = (key: BundleKey) => `${key.workspaceId}\n${key.reuseKey}`;

  const versionsOf = (key: BundleKey): Bundle[] | undefined =>
    workspaces.get(key.workspaceId)?.get(key.reuseKey);

  return {
    specificationVersion: 'v1',

    async latest(options) {
      throwIfAborted(options.signal);
      const versions = versionsOf(options);
      const newest = versions?.[versions.length - 1];
      return newest === undefined ? undefined : copy(newest);
    },

    async get(options) {
      throwIfAborted(options.signal);
      const found = versionsOf(options)?.[options.version - 1];
      return found === undefined ? undefined : copy(found);
    },

    async history(options) {
      throwIfAborted(options.signal);
      const lines = [...(versionsOf(options) ?? [])].reverse().map(summarizeBundle);
      return options.limit === undefined ? lines : lines.slice(0, Math.max(0, options.limit));
    },

    async save(options) {
      throwIfAborted(options.signal);
      const { bundle, expectedVersion } = options;
      let keys = workspaces.get(bundle.workspaceId);
      const current = keys?.get(bundle.reuseKey)?.length ?? 0;
      if (current !== expectedVersion) {
        throw new WebTasksError({
          code: 'conflict',
          message: `[webtasks:${ADAPTER}] Bundle "${bundle.reuseKey}" is at version ${current}, not ${expectedVersion}: another run saved first. Reload the latest version and try again.`,
          retryable: true,
          details: { reuseKey: bundle.reuseKey, expectedVersion, actualVersion: current },
        });
      }
      const saved: Bundle = { ...copy(bundle), version: current + 1, createdAt: new Date().toISOString() };
      if (keys === undefined) {
        keys = new Map();
        workspaces.set(bundle.workspaceId, keys);
      }
      const versions = keys.get(bundle.reuseKey) ?? [];
      versions.push(saved);
      keys.set(bundle.reuseKey, versions);
      return copy(saved);
    },

    async saveCompiled(options) {
      throwIfAborted(options.signal);
      const found = versionsOf(options)?.[options.version - 1];
      if (found === undefined) {
        throw new WebTasksError({
          code: 'not-found',
          message: `[webtasks:${ADAPTER}] Bundle "${options.reuseKey}" has no version ${options.version}: compiled code can only be stored for an existing version.`,
        });
      }
      found.compiled = copy(options.compiled);
    },

    async saveStats(options) {
      throwIfAborted(options.signal);
      const found = versionsOf(options)?.[options.version - 1];
      if (found === undefined) {
        throw new WebTasksError({
          code: 'not-found',
          message: `[webtasks:${ADAPTER}] Bundle "${options.reuseKey}" has no version ${options.version}: stats can only be saved for an existing version.`,
        });
      }
      found.stats = copy(options.stats);
    },

    async setStatus(options) {
      throwIfAborted(options.signal);
      const found = versionsOf(options)?.[options.version - 1];
      if (found === undefined) {
        throw new WebTasksError({
          code: 'not-found',
          message: `[webtasks:${ADAPTER}] Bundle "${options.reuseKey}" has no version ${options.version}.`,
        });
      }
      found.status = options.status;
    },

    async getSettings(options) {
      throwIfAborted(options.signal);
      return copy(settings.get(settingsKey(options)) ?? { promotion: 'auto' });
    },

    async saveSettings(options) {
      throwIfAborted(options.signal);
      settings.set(settingsKey(options), copy(options.settings));
    },

    async list(options) {
      throwIfAborted(options.signal);
      const keys = workspaces.get(options.workspaceId);
      if (keys === undefined) return [];
      const names = [...keys.keys()]
        .filter(
          (name) =>
            (options.prefix === undefined || name.startsWith(options.prefix)) &&
            (options.after === undefined || name > options.after),
        )
        .sort();
      const limited = options.limit === undefined ? names : names.slice(0, Math.max(0, options.limit));
      return limited.flatMap((name) => {
        const versions = keys.get(name) ?? [];
        const newest = versions[versions.length - 1];
        return newest === undefined ? [] : [summarizeBundle(newest)];
      });
    },

    async delete(options) {
      throwIfAborted(options.signal);
      const keys = workspaces.get(options.workspaceId);
      const existed = keys?.delete(options.reuseKey) ?? false;
      settings.delete(settingsKey(options));
      if (keys !== undefined && keys.size === 0) workspaces.delete(options.workspaceId);
      return existed;
    },
  };
}
