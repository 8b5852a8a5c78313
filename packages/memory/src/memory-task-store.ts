import {
  queuedLimitError,
  type RunRecord,
  type TaskRecord,
  type TaskStore,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { copy } from './copy.js';

/** Options of `createMemoryTaskStore` (none yet; reserved for later). */
export type MemoryTaskStoreOptions = Record<string, never>;

const ADAPTER = 'memory-task-store';

/**
 * A TaskStore in process memory. Transitions are atomic because each one runs to
 * completion within one synchronous step of the event loop.
 */
export function createMemoryTaskStore(_options: MemoryTaskStoreOptions = {}): TaskStore {
  // webTaskId → record (ids are globally unique; the workspace is checked on every read)
  const records = new Map<string, TaskRecord>();
  const runs = new Map<string, RunRecord>();
  /** Webhook claims by task id: who holds one and until when (epoch ms). */
  const webhookClaims = new Map<string, { owner: string; until: number }>();
  // workspaceId → ids of its pending tasks, kept on every write (the queued limit reads it).
  const pending = new Map<string, Set<string>>();
  const track = (record: TaskRecord): void => {
    const set = pending.get(record.workspaceId) ?? new Set<string>();
    if (record.status === 'pending') set.add(record.webTaskId);
    else set.delete(record.webTaskId);
    if (set.size > 0) pending.set(record.workspaceId, set);
    else pending.delete(record.workspaceId);
  };

  const find = (workspaceId: string, webTaskId: string): TaskRecord | undefined => {
    const record = records.get(webTaskId);
    return record?.workspaceId === workspaceId ? record : undefined;
  };

  return {
    specificationVersion: 'v1',

    async create(options) {
      throwIfAborted(options.signal);
      if (records.has(options.task.webTaskId)) {
        throw new WebTasksError({
          code: 'conflict',
          message: `[webtasks:${ADAPTER}] Task ${options.task.webTaskId} already exists: generate a new id.`,
        });
      }
      const waiting = pending.get(options.task.workspaceId)?.size ?? 0;
      if (
        options.maxPending !== undefined &&
        options.task.status === 'pending' &&
        waiting >= options.maxPending
      ) {
        throw queuedLimitError(options.maxPending, ADAPTER);
      }
      records.set(options.task.webTaskId, copy(options.task));
      track(options.task);
    },

    async get(options) {
      throwIfAborted(options.signal);
      const record = find(options.workspaceId, options.webTaskId);
      return record === undefined ? undefined : copy(record);
    },

    async transition(options) {
      throwIfAborted(options.signal);
      const record = find(options.workspaceId, options.webTaskId);
      if (record === undefined) {
        throw new WebTasksError({
          code: 'not-found',
          message: `[webtasks:${ADAPTER}] Task ${options.webTaskId} does not exist in workspace ${options.workspaceId}.`,
        });
      }
      if (!options.from.includes(record.status)) {
        throw new WebTasksError({
          code: 'conflict',
          message: `[webtasks:${ADAPTER}] Task ${options.webTaskId} is ${record.status}, not ${options.from.join(' or ')}: another worker changed it first.`,
          details: { status: record.status, expected: options.from },
        });
      }
      const updated: TaskRecord = { ...record, ...copy(options.patch) };
      records.set(options.webTaskId, updated);
      track(updated);
      return copy(updated);
    },

    async list(options) {
      throwIfAborted(options.signal);
      const { before, since } = options;
      const matching = [...records.values()]
        .filter((record) => record.workspaceId === options.workspaceId)
        .filter((record) => options.status === undefined || record.status === options.status)
        .filter((record) => options.reuseKey === undefined || record.request.reuseKey === options.reuseKey)
        .filter((record) => since === undefined || Date.parse(record.createdAt) >= Date.parse(since))
        .filter((record) => before === undefined || newestFirst(record, before) > 0)
        .sort(newestFirst);
      const limited = options.limit === undefined ? matching : matching.slice(0, Math.max(0, options.limit));
      return limited.map(copy);
    },

    async listUnfinished(options) {
      throwIfAborted(options.signal);
      return [...records.values()]
        .filter((record) => record.status !== 'completed')
        .sort(oldestFirst)
        .slice(0, Math.max(0, options.limit ?? 10_000))
        .map(copy);
    },

    async countByStatus(options) {
      throwIfAborted(options.signal);
      const counts = { pending: 0, started: 0, completed: 0 };
      for (const record of records.values()) {
        if (record.workspaceId === options.workspaceId) counts[record.status] += 1;
      }
      return counts;
    },

    async putRun(options) {
      throwIfAborted(options.signal);
      const { workspaceId, webTaskId } = options.run;
      if (find(workspaceId, webTaskId) === undefined) {
        throw new WebTasksError({
          code: 'not-found',
          message: `[webtasks:${ADAPTER}] Task ${webTaskId} does not exist in workspace ${workspaceId}: create the task before its run record.`,
        });
      }
      runs.set(webTaskId, copy(options.run));
    },

    async getRun(options) {
      throwIfAborted(options.signal);
      if (find(options.workspaceId, options.webTaskId) === undefined) return undefined;
      const run = runs.get(options.webTaskId);
      return run === undefined ? undefined : copy(run);
    },

    async listWebhooksDue(options) {
      throwIfAborted(options.signal);
      const dueAt = (run: RunRecord): string => run.webhook?.nextAttemptAt ?? '';
      return [...runs.values()]
        .filter((run) => run.webhook !== undefined && !run.webhook.delivered && run.webhook.gaveUp !== true)
        .filter((run) => dueAt(run) <= options.dueBefore)
        .filter((run) => records.get(run.webTaskId)?.status === 'completed')
        .sort((a, b) => (dueAt(a) < dueAt(b) ? -1 : dueAt(a) > dueAt(b) ? 1 : 0))
        .slice(0, Math.max(0, options.limit ?? 100))
        .map(copy);
    },

    async claimWebhook(options) {
      throwIfAborted(options.signal);
      if (find(options.workspaceId, options.webTaskId) === undefined) return undefined;
      const run = runs.get(options.webTaskId);
      const webhook = run?.webhook;
      if (!run || !webhook || webhook.delivered || webhook.gaveUp === true) return undefined;
      if ((webhook.nextAttemptAt ?? '') > options.dueBefore) return undefined;
      if (records.get(options.webTaskId)?.status !== 'completed') return undefined;
      const held = webhookClaims.get(options.webTaskId);
      if (held !== undefined && held.until > Date.now()) return undefined;
      webhookClaims.set(options.webTaskId, { owner: options.owner, until: Date.now() + options.leaseMs });
      return copy(run);
    },

    async releaseWebhook(options) {
      throwIfAborted(options.signal);
      if (find(options.workspaceId, options.webTaskId) === undefined) return;
      if (webhookClaims.get(options.webTaskId)?.owner === options.owner)
        webhookClaims.delete(options.webTaskId);
    },

    async deleteCompleted(options) {
      throwIfAborted(options.signal);
      const cutoff = Date.parse(options.completedBefore);
      const except = new Set(options.exceptWorkspaces ?? []);
      const expired = [...records.values()]
        .filter((record) => record.status === 'completed' && record.completedAt !== undefined)
        .filter((record) => Date.parse(record.completedAt as string) < cutoff)
        .filter((record) =>
          options.workspaceId === undefined
            ? !except.has(record.workspaceId)
            : record.workspaceId === options.workspaceId,
        )
        .sort((a, b) => Date.parse(a.completedAt as string) - Date.parse(b.completedAt as string))
        .slice(0, options.limit ?? 500);
      return expired.map((record) => {
        const artifactKeys = runs.get(record.webTaskId)?.artifacts.map((artifact) => artifact.key) ?? [];
        records.delete(record.webTaskId);
        runs.delete(record.webTaskId);
        webhookClaims.delete(record.webTaskId);
        return { workspaceId: record.workspaceId, webTaskId: record.webTaskId, artifactKeys };
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

/** Oldest first: `createdAt` ascending, then `webTaskId` ascending. */
function oldestFirst(a: TaskRecord, b: TaskRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.webTaskId < b.webTaskId ? -1 : a.webTaskId > b.webTaskId ? 1 : 0;
}
