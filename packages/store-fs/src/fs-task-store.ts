import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type TaskRecord, type TaskStore, throwIfAborted, WebtasksError } from '@webtasks/core';
import { createFileExclusive, hasErrno, readIfExists, writeFileAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';
import { inside, segmentFor } from './fs-names.js';
import { guard } from './storage-error.js';

/** Options of `createFsTaskStore`. */
export interface FsTaskStoreOptions {
  /** The store directory; records live under `<directory>/tasks/`. Created when missing. */
  directory: string;
  /** How long a transition waits for another process's lock on the same task. Default 10 s. */
  lockWaitMs?: number;
  /** A task lock older than this is treated as abandoned. Default 30 s. */
  lockStaleMs?: number;
}

const ADAPTER = 'store-fs:tasks';
const RECORD_FILE = /^[A-Za-z0-9_%-]+\.json$/;

/**
 * A TaskStore on the local filesystem: one JSON file per task under
 * `tasks/<workspace>/<webTaskId>.json`, replaced atomically (temp file, fsync, rename).
 * `create` is exclusive across processes (hard link); `transition` holds a per-task lock
 * file (`<webTaskId>.lock`, `wx`, stale when its process is gone) around read-check-write.
 */
export function createFsTaskStore(options: FsTaskStoreOptions): TaskStore {
  const root = path.resolve(options.directory, 'tasks');
  const lockOptions = {
    waitMs: options.lockWaitMs ?? 10_000,
    staleMs: options.lockStaleMs ?? 30_000,
    adapter: ADAPTER,
  };

  const workspaceDir = (workspaceId: string): string =>
    inside(root, segmentFor(workspaceId, 'workspaceId', ADAPTER));
  const recordPath = (workspaceId: string, webTaskId: string): string =>
    inside(workspaceDir(workspaceId), `${segmentFor(webTaskId, 'webTaskId', ADAPTER)}.json`);

  const read = async (file: string): Promise<TaskRecord | undefined> => {
    const body = await readIfExists(file);
    return body === undefined ? undefined : (JSON.parse(body.toString('utf8')) as TaskRecord);
  };

  const readWorkspace = async (workspaceId: string): Promise<TaskRecord[]> => {
    const directory = workspaceDir(workspaceId);
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if (hasErrno(error, 'ENOENT')) return [];
      throw error;
    }
    const records: TaskRecord[] = [];
    for (const name of names.filter((entry) => RECORD_FILE.test(entry))) {
      const record = await read(path.join(directory, name));
      if (record !== undefined) records.push(record);
    }
    return records;
  };

  return {
    specificationVersion: 'v1',

    async create(call) {
      throwIfAborted(call.signal);
      const file = recordPath(call.task.workspaceId, call.task.webTaskId);
      await guard(ADAPTER, 'create a task record', async () => {
        if (!(await createFileExclusive(file, JSON.stringify(call.task)))) {
          throw new WebtasksError({
            code: 'conflict',
            message: `[webtasks:${ADAPTER}] Task ${call.task.webTaskId} already exists: generate a new id.`,
          });
        }
      });
    },

    async get(call) {
      throwIfAborted(call.signal);
      const file = recordPath(call.workspaceId, call.webTaskId);
      return guard(ADAPTER, 'read a task record', () => read(file));
    },

    async transition(call) {
      throwIfAborted(call.signal);
      const file = recordPath(call.workspaceId, call.webTaskId);
      const lockFile = file.replace(/\.json$/, '.lock');
      return guard(ADAPTER, 'update a task record', async () => {
        // Missing records are reported without creating a lock file for them.
        if ((await readIfExists(file)) === undefined) throw notFound(call.workspaceId, call.webTaskId);
        return withFileLock(lockFile, lockOptions, async () => {
          const record = await read(file);
          if (record === undefined) throw notFound(call.workspaceId, call.webTaskId);
          if (!call.from.includes(record.status)) {
            throw new WebtasksError({
              code: 'conflict',
              message: `[webtasks:${ADAPTER}] Task ${call.webTaskId} is ${record.status}, not ${call.from.join(' or ')}: another worker changed it first.`,
              details: { status: record.status, expected: call.from },
            });
          }
          const updated: TaskRecord = { ...record, ...call.patch };
          await writeFileAtomic(file, JSON.stringify(updated));
          return updated;
        });
      });
    },

    async list(call) {
      throwIfAborted(call.signal);
      return guard(ADAPTER, 'list task records', async () => {
        const records = (await readWorkspace(call.workspaceId))
          .filter((record) => call.status === undefined || record.status === call.status)
          .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
        return call.limit === undefined ? records : records.slice(0, Math.max(0, call.limit));
      });
    },

    async countByStatus(call) {
      throwIfAborted(call.signal);
      return guard(ADAPTER, 'count task records', async () => {
        const counts = { pending: 0, started: 0, completed: 0 };
        for (const record of await readWorkspace(call.workspaceId)) counts[record.status] += 1;
        return counts;
      });
    },
  };
}

function notFound(workspaceId: string, webTaskId: string): WebtasksError {
  return new WebtasksError({
    code: 'not-found',
    message: `[webtasks:${ADAPTER}] Task ${webTaskId} does not exist in workspace ${workspaceId}.`,
  });
}
