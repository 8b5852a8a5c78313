import { mkdir, open, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { TaskRecord } from '@webtasks/core';
import { fsyncDirectory, hasErrno } from './atomic-file.js';
import { decodeName } from './fs-names.js';

type TaskStatus = TaskRecord['status'];

/** The statuses the index keeps a marker for: the unfinished ones. */
export type IndexedStatus = Exclude<TaskStatus, 'completed'>;

const INDEXED: readonly IndexedStatus[] = ['pending', 'started'];

/**
 * The task index of the filesystem store: an empty marker file per unfinished task,
 * `<workspace>/.pending/<webTaskId>` or `<workspace>/.started/<webTaskId>`, so that counting
 * the waiting tasks and finding the unfinished ones cost a directory listing of what is
 * unfinished, not a read of every record the workspace ever had.
 *
 * Markers are written before the record changes and removed after, so a crash can leave a
 * marker too many (counted until the next `heal`), never one too few. The `.`-prefixed
 * directory names cannot clash with record files (encoded names never contain `.`).
 */
export interface FsTaskIndex {
  /**
   * Add the marker of `status` (no-op for `completed`), durably unless `sync: false` (then
   * call `sync` before relying on it surviving a crash).
   */
  mark(
    workspaceDir: string,
    encodedId: string,
    status: TaskStatus,
    options?: { sync?: boolean },
  ): Promise<void>;
  /** Flush the markers of `status` to disk. */
  sync(workspaceDir: string, status: TaskStatus): Promise<void>;
  /** Remove the marker of `status` if present. */
  unmark(workspaceDir: string, encodedId: string, status: TaskStatus): Promise<void>;
  /** How many markers of `status` the workspace has. */
  count(workspaceDir: string, status: IndexedStatus): Promise<number>;
  /** The decoded task ids marked `status`. */
  ids(workspaceDir: string, status: IndexedStatus): Promise<string[]>;
}

const markerDir = (workspaceDir: string, status: IndexedStatus): string =>
  path.join(workspaceDir, `.${status}`);

const isIndexed = (status: TaskStatus): status is IndexedStatus =>
  (INDEXED as readonly string[]).includes(status);

async function list(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

/** The index over the workspace directories of one task store. */
export function createFsTaskIndex(): FsTaskIndex {
  return {
    async mark(workspaceDir, encodedId, status, options) {
      if (!isIndexed(status)) return;
      const directory = markerDir(workspaceDir, status);
      await mkdir(directory, { recursive: true });
      const handle = await open(path.join(directory, encodedId), 'w');
      await handle.close();
      if (options?.sync !== false) await fsyncDirectory(directory);
    },

    async sync(workspaceDir, status) {
      if (isIndexed(status)) await fsyncDirectory(markerDir(workspaceDir, status));
    },

    async unmark(workspaceDir, encodedId, status) {
      if (!isIndexed(status)) return;
      await unlink(path.join(markerDir(workspaceDir, status), encodedId)).catch((error: unknown) => {
        if (!hasErrno(error, 'ENOENT')) throw error;
      });
    },

    async count(workspaceDir, status) {
      return (await list(markerDir(workspaceDir, status))).length;
    },

    async ids(workspaceDir, status) {
      const names = await list(markerDir(workspaceDir, status));
      return names.map((name) => decodeName(name)).filter((id): id is string => id !== undefined);
    },
  };
}

/** The statuses that have markers. */
export const INDEXED_STATUSES = INDEXED;
