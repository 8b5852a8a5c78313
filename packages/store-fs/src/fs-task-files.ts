import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type RunRecord, type TaskRecord, WebTasksError } from '@webtasks/core';
import { hasErrno, readIfExists, writeFileAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';
import { decodeName, inside, segmentFor } from './fs-names.js';
import { createFsTaskIndex, type INDEXED_STATUSES } from './fs-task-index.js';

// ─── The task store's files ──────────────────────────────────────────────────────────────
// Where records, run records and webhook markers live, how they are read, and the index of
// unfinished tasks (`fs-task-index.ts`), built once for data written before it existed.

export const ADAPTER = 'store-fs:tasks';
export const RECORD_FILE = /^[A-Za-z0-9_%-]+\.json$/;

/** The files of a task store under `<directory>/tasks/`, and how to read them. */
export type TaskFiles = ReturnType<typeof taskFiles>;

/** The layout of the store in `directory`. */
export function taskFiles(options: { directory: string; lockWaitMs?: number; lockStaleMs?: number }) {
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
    root,
    lockOptions,
    workspaceDir,
    recordPath,
    runPath,
    webhookDir,
    markWebhook,
    unmarkWebhook,
    readRun,
    workspaces,
    index,
    ensureIndexed,
    read,
    readWorkspace,
    healMarker,
  };
}

/** Newest first: `createdAt` descending, then `webTaskId` descending (code-point order). */
export function newestFirst(
  a: Pick<TaskRecord, 'createdAt' | 'webTaskId'>,
  b: Pick<TaskRecord, 'createdAt' | 'webTaskId'>,
): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  return a.webTaskId < b.webTaskId ? 1 : a.webTaskId > b.webTaskId ? -1 : 0;
}

export function notFound(workspaceId: string, webTaskId: string): WebTasksError {
  return new WebTasksError({
    code: 'not-found',
    message: `[webtasks:${ADAPTER}] Task ${webTaskId} does not exist in workspace ${workspaceId}.`,
  });
}
