import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  queuedLimitError,
  type TaskRecord,
  type TaskStore,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { createFileExclusive, hasErrno, readIfExists, writeFileAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';
import { decodeName, segmentFor } from './fs-names.js';
import { fsRunRecordMembers } from './fs-run-records.js';
import { ADAPTER, newestFirst, notFound, RECORD_FILE, taskFiles } from './fs-task-files.js';
import { INDEXED_STATUSES } from './fs-task-index.js';
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

/**
 * A TaskStore on the local filesystem: one JSON file per task under
 * `tasks/<workspace>/<webTaskId>.json`, replaced atomically (temp file, fsync, rename).
 * Run records live beside them in `<webTaskId>.run.json` (`fs-run-records.ts`); the layout and
 * its readers are `fs-task-files.ts`.
 * `create` is exclusive across processes (hard link); `transition` holds a per-task lock
 * file (`<webTaskId>.lock`, `wx`, stale when its process is gone) around read-check-write.
 * Unfinished tasks also have a marker file (see `fs-task-index.ts`), so the queued-limit
 * check and the reconciler's scan cost what is unfinished, not the workspace's history; a
 * `create` with `maxPending` holds the workspace's `.create.lock` around count and insert.
 */
export function createFsTaskStore(options: FsTaskStoreOptions): TaskStore {
  const files = taskFiles(options);
  const {
    root,
    lockOptions,
    workspaceDir,
    recordPath,
    index,
    ensureIndexed,
    read,
    readWorkspace,
    healMarker,
  } = files;

  return {
    specificationVersion: 'v1',

    async create(call) {
      throwIfAborted(call.signal);
      const { task, maxPending } = call;
      const file = recordPath(task.workspaceId, task.webTaskId);
      const directory = workspaceDir(task.workspaceId);
      const encodedId = segmentFor(task.webTaskId, 'webTaskId', ADAPTER);
      await guard(ADAPTER, 'create a task record', async () => {
        await ensureIndexed();
        // The marker is the reservation: under the workspace's lock only the count and the
        // marker, so that concurrent starts write their records (and fsync) in parallel.
        if (maxPending === undefined || task.status !== 'pending') {
          await index.mark(directory, encodedId, task.status);
        } else {
          await mkdir(directory, { recursive: true });
          await withFileLock(path.join(directory, '.create.lock'), lockOptions, async () => {
            if ((await index.count(directory, 'pending')) >= maxPending)
              throw queuedLimitError(maxPending, ADAPTER);
            await index.mark(directory, encodedId, task.status, { sync: false });
          });
          // Outside the lock: concurrent starts' flushes overlap instead of queueing.
          await index.sync(directory, task.status);
        }
        if (!(await createFileExclusive(file, JSON.stringify(task)))) {
          const existing = await read(file);
          if (existing?.status !== task.status) await index.unmark(directory, encodedId, task.status);
          throw new WebTasksError({
            code: 'conflict',
            message: `[webtasks:${ADAPTER}] Task ${task.webTaskId} already exists: generate a new id.`,
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
        await ensureIndexed();
        // Missing records are reported without creating a lock file for them.
        if ((await readIfExists(file)) === undefined) throw notFound(call.workspaceId, call.webTaskId);
        return withFileLock(lockFile, lockOptions, async () => {
          const record = await read(file);
          if (record === undefined) throw notFound(call.workspaceId, call.webTaskId);
          if (!call.from.includes(record.status)) {
            throw new WebTasksError({
              code: 'conflict',
              message: `[webtasks:${ADAPTER}] Task ${call.webTaskId} is ${record.status}, not ${call.from.join(' or ')}: another worker changed it first.`,
              details: { status: record.status, expected: call.from },
            });
          }
          const updated: TaskRecord = { ...record, ...call.patch };
          const directory = workspaceDir(call.workspaceId);
          const encodedId = segmentFor(call.webTaskId, 'webTaskId', ADAPTER);
          // Marker first, record, then the old marker: a crash leaves one too many, never too few.
          if (updated.status !== record.status) await index.mark(directory, encodedId, updated.status);
          await writeFileAtomic(file, JSON.stringify(updated));
          if (updated.status !== record.status) await index.unmark(directory, encodedId, record.status);
          return updated;
        });
      });
    },

    async list(call) {
      throwIfAborted(call.signal);
      return guard(ADAPTER, 'list task records', async () => {
        const { before, since } = call;
        const records = (await readWorkspace(call.workspaceId))
          .filter((record) => call.status === undefined || record.status === call.status)
          .filter((record) => call.reuseKey === undefined || record.request.reuseKey === call.reuseKey)
          .filter((record) => since === undefined || Date.parse(record.createdAt) >= Date.parse(since))
          .filter((record) => before === undefined || newestFirst(record, before) > 0)
          .sort(newestFirst);
        return call.limit === undefined ? records : records.slice(0, Math.max(0, call.limit));
      });
    },

    async countByStatus(call) {
      throwIfAborted(call.signal);
      return guard(ADAPTER, 'count task records', async () => {
        await ensureIndexed();
        const directory = workspaceDir(call.workspaceId);
        const [pending, started, names] = await Promise.all([
          index.count(directory, 'pending'),
          index.count(directory, 'started'),
          readdir(directory).catch((error: unknown) => {
            if (hasErrno(error, 'ENOENT')) return [] as string[];
            throw error;
          }),
        ]);
        const total = names.filter((entry) => RECORD_FILE.test(entry)).length;
        return { pending, started, completed: Math.max(0, total - pending - started) };
      });
    },

    async listUnfinished(call) {
      throwIfAborted(call.signal);
      return guard(ADAPTER, 'list unfinished task records', async () => {
        await ensureIndexed();
        const workspaces = (await readdir(root).catch(() => [] as string[]))
          .map((name) => decodeName(name))
          .filter((id): id is string => id !== undefined);
        const found = new Map<string, TaskRecord>();
        for (const workspaceId of workspaces) {
          const directory = workspaceDir(workspaceId);
          for (const status of INDEXED_STATUSES) {
            for (const webTaskId of await index.ids(directory, status)) {
              const record = found.has(webTaskId)
                ? undefined
                : await read(recordPath(workspaceId, webTaskId));
              const encodedId = segmentFor(webTaskId, 'webTaskId', ADAPTER);
              // Heal what a crash left: a marker of a finished (or never written) record.
              if (record === undefined || record.status === 'completed') {
                if (record !== undefined || !found.has(webTaskId))
                  await healMarker(directory, encodedId, status, record);
                continue;
              }
              found.set(webTaskId, record);
            }
          }
        }
        return [...found.values()]
          .sort((a, b) =>
            a.createdAt !== b.createdAt
              ? a.createdAt < b.createdAt
                ? -1
                : 1
              : a.webTaskId < b.webTaskId
                ? -1
                : a.webTaskId > b.webTaskId
                  ? 1
                  : 0,
          )
          .slice(0, Math.max(0, call.limit ?? 10_000));
      });
    },

    ...fsRunRecordMembers(files),
  };
}
