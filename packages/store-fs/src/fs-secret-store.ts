import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { SealedEntry, SealedKind, SecretStore } from '@webtasks/core';
import { hasErrno, readIfExists, writeFileAtomic } from './atomic-file.js';
import { decodeName, inside, segmentFor } from './fs-names.js';
import { guard } from './storage-error.js';

/** Options of `createFsSecretStore`. */
export interface FsSecretStoreOptions {
  /** The store directory; entries live under `<directory>/secrets/`. Created when missing. */
  directory: string;
}

const ADAPTER = 'store-fs:secrets';

/**
 * A SecretStore on the local filesystem: one JSON file per entry under
 * `secrets/<workspace>/<kind>/<name>.json`, replaced atomically, mode 0600. Files hold only
 * what the core sealed (AES-256-GCM): the store never sees a value.
 */
export function createFsSecretStore(options: FsSecretStoreOptions): SecretStore {
  const root = path.resolve(options.directory, 'secrets');
  const kindDir = (workspaceId: string, kind: SealedKind) =>
    inside(inside(root, segmentFor(workspaceId, 'workspaceId', ADAPTER)), segmentFor(kind, 'kind', ADAPTER));
  const file = (workspaceId: string, kind: SealedKind, name: string) =>
    inside(kindDir(workspaceId, kind), `${segmentFor(name, 'name', ADAPTER)}.json`);
  const read = async (target: string): Promise<SealedEntry | undefined> => {
    const bytes = await readIfExists(target);
    return bytes ? (JSON.parse(bytes.toString('utf8')) as SealedEntry) : undefined;
  };
  return {
    specificationVersion: 'v1',
    put: ({ workspaceId, entry }) =>
      guard(ADAPTER, 'store a sealed entry', async () => {
        const { kind, name, sealed, updatedAt } = entry;
        await writeFileAtomic(
          file(workspaceId, kind, name),
          JSON.stringify({ kind, name, sealed, updatedAt }),
        );
      }),
    get: ({ workspaceId, kind, name }) =>
      guard(ADAPTER, 'read a sealed entry', () => read(file(workspaceId, kind, name))),
    list: ({ workspaceId, kind }) =>
      guard(ADAPTER, 'list sealed entries', async () => {
        const directory = kindDir(workspaceId, kind);
        let names: string[];
        try {
          names = await readdir(directory);
        } catch (error) {
          if (hasErrno(error, 'ENOENT')) return [];
          throw error;
        }
        const entries: SealedEntry[] = [];
        for (const fileName of names.filter((n) => n.endsWith('.json')).sort()) {
          if (decodeName(fileName.slice(0, -5)) === undefined) continue;
          const found = await read(path.join(directory, fileName));
          if (found) entries.push(found);
        }
        return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }),
    delete: ({ workspaceId, kind, name }) =>
      guard(ADAPTER, 'delete a sealed entry', async () => {
        try {
          await unlink(file(workspaceId, kind, name));
          return true;
        } catch (error) {
          if (hasErrno(error, 'ENOENT')) return false;
          throw error;
        }
      }),
  };
}
