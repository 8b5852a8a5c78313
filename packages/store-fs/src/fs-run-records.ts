import { readdir, rm } from 'node:fs/promises';
import {
  type DeletedTask,
  type RunRecord,
  type TaskRecord,
  type TaskStore,
  throwIfAborted,
} from '@webtasks/core';
import { readIfExists, writeFileAtomic } from './atomic-file.js';
import { decodeName } from './fs-names.js';
import { ADAPTER, notFound, type TaskFiles } from './fs-task-files.js';
import { INDEXED_STATUSES } from './fs-task-index.js';
import { guard } from './storage-error.js';

/**
 * The run-record members of the file task store: run records in `<webTaskId>.run.json` beside
 * the task record, owed webhooks marked in `<workspace>/.webhook/`, and the retention sweep
 * that deletes completed tasks with both.
 */
export function fsRunRecordMembers(
  files: TaskFiles,
): Pick<TaskStore, 'putRun' | 'listWebhooksDue' | 'getRun' | 'deleteCompleted'> {
  const {
    recordPath,
    runPath,
    markWebhook,
    unmarkWebhook,
    readRun,
    read,
    workspaces,
    webhookDir,
    ensureIndexed,
    workspaceDir,
    index,
    readWorkspace,
  } = files;
  return {
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
