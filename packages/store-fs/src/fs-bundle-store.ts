import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type Bundle,
  type BundleKey,
  type BundleKeySettings,
  type BundleStatus,
  type BundleStore,
  type BundleSummary,
  type CompiledCode,
  type OutputStats,
  summarizeBundle,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { createFileExclusive, hasErrno, readIfExists, writeFileAtomic } from './atomic-file.js';
import { decodeName, inside, segmentFor } from './fs-names.js';
import { guard } from './storage-error.js';

/** Options of `createFsBundleStore`. */
export interface FsBundleStoreOptions {
  /** The store directory; bundles live under `<directory>/bundles/`. Created when missing. */
  directory: string;
}

const ADAPTER = 'store-fs:bundles';
const VERSION_FILE = /^v(\d{10})\.json$/;

const versionFile = (version: number): string => `v${String(version).padStart(10, '0')}.json`;
const statsFile = (version: number): string => `v${String(version).padStart(10, '0')}.stats.json`;
const compiledFile = (version: number): string => `v${String(version).padStart(10, '0')}.compiled.json`;
const statusFile = (version: number): string => `v${String(version).padStart(10, '0')}.status.json`;
const SETTINGS_FILE = 'settings.json';

function conflict(reuseKey: string, expectedVersion: number, actualVersion: number): WebTasksError {
  return new WebTasksError({
    code: 'conflict',
    retryable: true,
    message: `[webtasks:${ADAPTER}] Bundle "${reuseKey}" is at version ${actualVersion}, not ${expectedVersion}: another run saved first. Reload the latest version and try again.`,
    details: { reuseKey, expectedVersion, actualVersion },
  });
}

/**
 * A BundleStore on the local filesystem: one immutable JSON file per version under
 * `bundles/<workspace>/<reuseKey>/v0000000001.json`, statistics and compiled code stored after
 * the save beside it. A version file
 * is written completely to a temp file and then hard-linked into place, which fails if the
 * version exists: the compare-and-set holds across processes and a crash never leaves a
 * partial version.
 */
export function createFsBundleStore(options: FsBundleStoreOptions): BundleStore {
  const root = path.resolve(options.directory, 'bundles');

  const workspaceDir = (workspaceId: string): string =>
    inside(root, segmentFor(workspaceId, 'workspaceId', ADAPTER));
  const keyDir = (key: BundleKey): string =>
    inside(workspaceDir(key.workspaceId), segmentFor(key.reuseKey, 'reuseKey', ADAPTER));

  const versionsIn = async (directory: string): Promise<number[]> => {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if (hasErrno(error, 'ENOENT')) return [];
      throw error;
    }
    return names
      .map((name) => VERSION_FILE.exec(name)?.[1])
      .filter((match): match is string => match !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  };

  const read = async (directory: string, version: number): Promise<Bundle | undefined> => {
    const body = await readIfExists(path.join(directory, versionFile(version)));
    if (body === undefined) return undefined;
    const bundle = JSON.parse(body.toString('utf8')) as Bundle;
    const stats = await readIfExists(path.join(directory, statsFile(version)));
    if (stats !== undefined) bundle.stats = JSON.parse(stats.toString('utf8')) as OutputStats;
    // Stored later (on demand) beside the version: it replaces what the version was saved with.
    const compiled = await readIfExists(path.join(directory, compiledFile(version)));
    if (compiled !== undefined) bundle.compiled = JSON.parse(compiled.toString('utf8')) as CompiledCode;
    // Version files are immutable: a later review decision lives beside it.
    const status = await readIfExists(path.join(directory, statusFile(version)));
    if (status !== undefined)
      bundle.status = (JSON.parse(status.toString('utf8')) as { status: BundleStatus }).status;
    return bundle;
  };

  const latestIn = async (directory: string): Promise<Bundle | undefined> => {
    const versions = await versionsIn(directory);
    // Newest first; a version deleted meanwhile is skipped.
    for (const version of versions.reverse()) {
      const bundle = await read(directory, version);
      if (bundle !== undefined) return bundle;
    }
    return undefined;
  };

  return {
    specificationVersion: 'v1',

    async latest(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'read the latest bundle', () => latestIn(directory));
    },

    async get(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      if (!Number.isInteger(call.version) || call.version < 1) return undefined;
      return guard(ADAPTER, 'read a bundle version', () => read(directory, call.version));
    },

    async history(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'read bundle history', async () => {
        const versions = (await versionsIn(directory)).reverse();
        const wanted = call.limit === undefined ? versions : versions.slice(0, Math.max(0, call.limit));
        const lines: BundleSummary[] = [];
        for (const version of wanted) {
          const bundle = await read(directory, version);
          if (bundle !== undefined) lines.push(summarizeBundle(bundle));
        }
        return lines;
      });
    },

    async save(call) {
      throwIfAborted(call.signal);
      const { bundle, expectedVersion } = call;
      const directory = keyDir(bundle);
      return guard(ADAPTER, 'save a bundle', async () => {
        const versions = await versionsIn(directory);
        const current = versions[versions.length - 1] ?? 0;
        if (current !== expectedVersion) throw conflict(bundle.reuseKey, expectedVersion, current);
        // The version file holds the stats it was saved with; `saveStats` writes newer ones beside it.
        const saved: Bundle = {
          ...bundle,
          version: expectedVersion + 1,
          createdAt: new Date().toISOString(),
        };
        const target = path.join(directory, versionFile(saved.version));
        if (!(await createFileExclusive(target, JSON.stringify(saved)))) {
          throw conflict(bundle.reuseKey, expectedVersion, (await versionsIn(directory)).at(-1) ?? 0);
        }
        // A concurrent delete may have removed the versions this one follows: undo and report.
        if (
          expectedVersion > 0 &&
          (await readIfExists(path.join(directory, versionFile(expectedVersion)))) === undefined
        ) {
          await rm(target, { force: true });
          throw conflict(bundle.reuseKey, expectedVersion, 0);
        }
        return saved;
      });
    },

    async saveCompiled(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'store compiled code', async () => {
        if ((await readIfExists(path.join(directory, versionFile(call.version)))) === undefined) {
          throw new WebTasksError({
            code: 'not-found',
            message: `[webtasks:${ADAPTER}] Bundle "${call.reuseKey}" has no version ${call.version}: compiled code can only be stored for an existing version.`,
          });
        }
        await writeFileAtomic(
          path.join(directory, compiledFile(call.version)),
          JSON.stringify(call.compiled),
        );
      });
    },

    async saveStats(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'save bundle statistics', async () => {
        if ((await readIfExists(path.join(directory, versionFile(call.version)))) === undefined) {
          throw new WebTasksError({
            code: 'not-found',
            message: `[webtasks:${ADAPTER}] Bundle "${call.reuseKey}" has no version ${call.version}: stats can only be saved for an existing version.`,
          });
        }
        await writeFileAtomic(path.join(directory, statsFile(call.version)), JSON.stringify(call.stats));
      });
    },

    async setStatus(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'save a bundle status', async () => {
        if ((await readIfExists(path.join(directory, versionFile(call.version)))) === undefined) {
          throw new WebTasksError({
            code: 'not-found',
            message: `[webtasks:${ADAPTER}] Bundle "${call.reuseKey}" has no version ${call.version}.`,
          });
        }
        await writeFileAtomic(
          path.join(directory, statusFile(call.version)),
          JSON.stringify({ status: call.status }),
        );
      });
    },

    async getSettings(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'read bundle settings', async () => {
        const body = await readIfExists(path.join(directory, SETTINGS_FILE));
        return body === undefined
          ? { promotion: 'auto' }
          : (JSON.parse(body.toString('utf8')) as BundleKeySettings);
      });
    },

    async saveSettings(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'save bundle settings', async () => {
        await mkdir(directory, { recursive: true });
        await writeFileAtomic(path.join(directory, SETTINGS_FILE), JSON.stringify(call.settings));
      });
    },

    async list(call) {
      throwIfAborted(call.signal);
      const directory = workspaceDir(call.workspaceId);
      return guard(ADAPTER, 'list bundles', async () => {
        let names: string[];
        try {
          names = await readdir(directory);
        } catch (error) {
          if (hasErrno(error, 'ENOENT')) return [];
          throw error;
        }
        const keys = names
          .map((name) => ({ name, reuseKey: decodeName(name) }))
          .filter((entry): entry is { name: string; reuseKey: string } => entry.reuseKey !== undefined)
          .filter(({ reuseKey }) => call.prefix === undefined || reuseKey.startsWith(call.prefix))
          .filter(({ reuseKey }) => call.after === undefined || reuseKey > call.after)
          .sort((a, b) => (a.reuseKey < b.reuseKey ? -1 : a.reuseKey > b.reuseKey ? 1 : 0));
        const limit = call.limit ?? Number.POSITIVE_INFINITY;
        const lines: BundleSummary[] = [];
        for (const { name } of keys) {
          if (lines.length >= limit) break;
          const bundle = await latestIn(path.join(directory, name));
          if (bundle !== undefined) lines.push(summarizeBundle(bundle));
        }
        return lines;
      });
    },

    async delete(call) {
      throwIfAborted(call.signal);
      const directory = keyDir(call);
      return guard(ADAPTER, 'delete a bundle', async () => {
        const existed = (await versionsIn(directory)).length > 0;
        // Renaming the directory away is atomic: readers see every version or none.
        const graveyard = path.join(path.dirname(directory), `.deleted-${randomBytes(8).toString('hex')}`);
        try {
          await rename(directory, graveyard);
        } catch (error) {
          if (hasErrno(error, 'ENOENT')) return false;
          throw error;
        }
        await rm(graveyard, { recursive: true, force: true });
        return existed;
      });
    },
  };
}
