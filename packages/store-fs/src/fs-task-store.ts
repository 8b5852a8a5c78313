import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type DeletedTask,
  queuedLimitError,
  type RunRecord,
  type TaskRecord,
  type TaskStore,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { createFileExclusive, hasErrno, readIfExists, writeFileAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';
import { decodeName, inside, segmentFor } from './fs-names.js';
import { createFsTaskIndex, INDEXED_STATUSES } from './fs-task-index.js';
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
 * Run records live beside them in `<webTaskId>.run.json`.
 * `create` is exclusive across processes (hard link); `transition` holds a per-task lock
 * file (`<webTaskId>.lock`, `wx`, stale when its process is gone) around read-check-write.
 * Unfinished tasks also have a marker file (see `fs-task-index.ts`), so the queued-limit
 * check and the reconciler's scan cost what is unfinished, not the workspace's history; a
 * `create` with `maxPending` holds the workspace's `.create.lock` around count and insert.
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

  const runPath = (workspaceId: string, webTaskId: string): string =>
    inside(workspaceDir(workspaceId), `${segmentFor(webTaskId, 'webTaskId', ADAPTER)}.run.json`);

  /** Markers of owed webhooks: `<workspace>/.webhook/<webTaskId>`, so the sweep reads only those. */
  const webhookDir = (workspaceId: string): string => path.join(workspaceDir(workspaceId), '.webhook');
  const markWebhook = async (workspaceId: string, webTaskId: string): Promise<void> => {
    const directory = webhookDir(workspaceId);
    await mkdir(directory, { recursive: true });
    await writeFile(path.join(directory, segmentFor(webTaskId, 'webTaskId', ADAPTER)), '');
  };
  const unmarkWebhook = (workspaceId: string, webTaskId: string): Promise<void> =>
    rm(path.join(webhookDir(workspaceId), segmentFor(webTaskId, 'webTaskId', ADAPTER)), { force: true });

  const readRun = async (file: string): Promise<RunRecord | undefined> => {
    const body = await readIfExists(file);
    return body === undefined ? undefined : (JSON.parse(body.toString('utf8')) as RunRecord);
  };

  const workspaces = async (): Promise<string[]> => {
    try {
      return (await readdir(root)).flatMap((name) => decodeName(name) ?? []);
    } catch (error) {
      if (hasErrno(error, 'ENOENT')) return [];
      throw error;
    }
  };

  const index = createFsTaskIndex();
  // Data written before the index existed gets its markers once, on first use.
  let indexed: Promise<void> | undefined;
  const ensureIndexed = (): Promise<void> => {
    indexed ??= buildIndexOnce().catch((error: unknown) => {
      indexed = undefined;
      throw error;
    });
    return indexed;
  };
  const buildIndexOnce = async (): Promise<void> => {
    const done = path.join(root, '.index-v1');
    if ((await readIfExists(done)) !== undefined) return;
    await mkdir(root, { recursive: true });
    await withFileLock(path.join(root, '.index.lock'), lockOptions, async () => {
      if ((await readIfExists(done)) !== undefined) return;
      for (const name of await readdir(root)) {
        const workspaceId = decodeName(name);
        if (workspaceId === undefined) continue;
        for (const record of await readWorkspace(workspaceId)) {
          const encodedId = segmentFor(record.webTaskId, 'webTaskId', ADAPTER);
          await index.mark(workspaceDir(workspaceId), encodedId, record.status);
        }
      }
      await writeFileAtomic(done, new Date().toISOString());
    });
  };

  const read = async (file: string): Promise<TaskRecord | undefined> => {
    const body = await readIfExists(file);
    return body === undefined ? undefined : (JSON.parse(body.toString('utf8')) as TaskRecord);
  };

  const readWorkspace = async (workspaceId: string, skip?: Set<string>): Promise<TaskRecord[]> => {
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
      if (skip?.has(decodeName(name.slice(0, -'.json'.length)) ?? '')) continue;
      const record = await read(path.join(directory, name));
      if (record !== undefined) records.push(record);
    }
    return records;
  };

  // A marker whose record is completed is removed; one without a record only once it is old
  // enough that no `create` can still be writing it.
  const healMarker = async (
    directory: string,
    encodedId: string,
    status: (typeof INDEXED_STATUSES)[number],
    record: TaskRecord | undefined,
  ): Promise<void> => {
    if (record !== undefined) return index.unmark(directory, encodedId, status);
    const marker = path.join(directory, `.${status}`, encodedId);
    const info = await stat(marker).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > 60_000)
      await index.unmark(directory, encodedId, status);
  };

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

    async putRun(call) {
      throwIfAborted(call.signal);
      const { workspaceId, webTaskId } = call.run;
      const file = runPath(workspaceId, webTaskId);
      const webhook = call.run.webhook;
      const owed = webhook !== undefined && !webhook.delivered && webhook.gaveUp !== true;
      await guard(ADAPTER, 'write a run record', async () => {
        if ((await readIfExists(recordPath(workspaceId, webTaskId))) === undefined)
          throw notFound(workspaceId, webTaskId);
        // Marker first, removed after: a crash leaves one marker too many, never one too few.
        if (owed) await markWebhook(workspaceId, webTaskId);
        await writeFileAtomic(file, JSON.stringify(call.run));
        if (!owed) await unmarkWebhook(workspaceId, webTaskId);
      });
    },

    async listWebhooksDue(call) {
      throwIfAborted(call.signal);
      return guard(ADAPTER, 'list due webhooks', async () => {
        const due: RunRecord[] = [];
        for (const workspaceId of await workspaces()) {
          for (const name of await readdir(webhookDir(workspaceId)).catch(() => [] as string[])) {
            const webTaskId = decodeName(name);
            if (webTaskId === undefined) continue;
            const run = await readRun(runPath(workspaceId, webTaskId));
            const webhook = run?.webhook;
            if (!run || !webhook || webhook.delivered || webhook.gaveUp === true) {
              await unmarkWebhook(workspaceId, webTaskId);
              continue;
            }
            if ((webhook.nextAttemptAt ?? '') > call.dueBefore) continue;
            if ((await read(recordPath(workspaceId, webTaskId)))?.status !== 'completed') continue;
            due.push(run);
          }
        }
        const dueAt = (run: RunRecord) => run.webhook?.nextAttemptAt ?? '';
        return due
          .sort((a, b) => (dueAt(a) < dueAt(b) ? -1 : dueAt(a) > dueAt(b) ? 1 : 0))
          .slice(0, Math.max(0, call.limit ?? 100));
      });
    },

    async getRun(call) {
      throwIfAborted(call.signal);
      const file = runPath(call.workspaceId, call.webTaskId);
      return guard(ADAPTER, 'read a run record', () => readRun(file));
    },

    async deleteCompleted(call) {
      throwIfAborted(call.signal);
      const cutoff = Date.parse(call.completedBefore);
      const except = new Set(call.exceptWorkspaces ?? []);
      return guard(ADAPTER, 'delete expired task records', async () => {
        const scope =
          call.workspaceId === undefined
            ? (await workspaces()).filter((id) => !except.has(id))
            : [call.workspaceId];
        await ensureIndexed();
        const expired: TaskRecord[] = [];
        for (const workspaceId of scope) {
          const directory = workspaceDir(workspaceId);
          // Unfinished tasks have a marker: skip them without reading their records.
          const unfinished = new Set(
            (await Promise.all(INDEXED_STATUSES.map((status) => index.ids(directory, status)))).flat(),
          );
          for (const record of await readWorkspace(workspaceId, unfinished)) {
            if (record.status === 'completed' && Date.parse(record.completedAt ?? '') < cutoff)
              expired.push(record);
          }
        }
        expired.sort((a, b) => Date.parse(a.completedAt ?? '') - Date.parse(b.completedAt ?? ''));
        const deleted: DeletedTask[] = [];
        for (const record of expired.slice(0, call.limit ?? 500)) {
          const { workspaceId, webTaskId } = record;
          const run = await readRun(runPath(workspaceId, webTaskId));
          await rm(runPath(workspaceId, webTaskId), { force: true });
          await unmarkWebhook(workspaceId, webTaskId);
          await rm(recordPath(workspaceId, webTaskId), { force: true });
          deleted.push({ workspaceId, webTaskId, artifactKeys: run?.artifacts.map((a) => a.key) ?? [] });
        }
        return deleted;
      });
    },
  };
}

/** Newest first: `createdAt` descending, then `webTaskId` descending (code-point order). */
function newestFirst(
  a: Pick<TaskRecord, 'createdAt' | 'webTaskId'>,
  b: Pick<TaskRecord, 'createdAt' | 'webTaskId'>,
): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  return a.webTaskId < b.webTaskId ? 1 : a.webTaskId > b.webTaskId ? -1 : 0;
}

function notFound(workspaceId: string, webTaskId: string): WebTasksError {
  return new WebTasksError({
    code: 'not-found',
    message: `[webtasks:${ADAPTER}] Task ${webTaskId} does not exist in workspace ${workspaceId}.`,
  });
}
