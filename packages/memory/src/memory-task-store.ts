import { type TaskRecord, type TaskStore, throwIfAborted, WebtasksError } from '@webtasks/core';
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

  const find = (workspaceId: string, webTaskId: string): TaskRecord | undefined => {
    const record = records.get(webTaskId);
    return record?.workspaceId === workspaceId ? record : undefined;
  };

  return {
    specificationVersion: 'v1',

    async create(options) {
      throwIfAborted(options.signal);
      if (records.has(options.task.webTaskId)) {
        throw new WebtasksError({
          code: 'conflict',
          message: `[webtasks:${ADAPTER}] Task ${options.task.webTaskId} already exists: generate a new id.`,
        });
      }
      records.set(options.task.webTaskId, copy(options.task));
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
        throw new WebtasksError({
          code: 'not-found',
          message: `[webtasks:${ADAPTER}] Task ${options.webTaskId} does not exist in workspace ${options.workspaceId}.`,
        });
      }
      if (!options.from.includes(record.status)) {
        throw new WebtasksError({
          code: 'conflict',
          message: `[webtasks:${ADAPTER}] Task ${options.webTaskId} is ${record.status}, not ${options.from.join(' or ')}: another worker changed it first.`,
          details: { status: record.status, expected: options.from },
        });
      }
      const updated: TaskRecord = { ...record, ...copy(options.patch) };
      records.set(options.webTaskId, updated);
      return copy(updated);
    },

    async list(options) {
      throwIfAborted(options.signal);
      const matching = [...records.values()]
        .filter((record) => record.workspaceId === options.workspaceId)
        .filter((record) => options.status === undefined || record.status === options.status)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      const limited = options.limit === undefined ? matching : matching.slice(0, Math.max(0, options.limit));
      return limited.map(copy);
    },

    async countByStatus(options) {
      throwIfAborted(options.signal);
      const counts = { pending: 0, started: 0, completed: 0 };
      for (const record of records.values()) {
        if (record.workspaceId === options.workspaceId) counts[record.status] += 1;
      }
      return counts;
    },
  };
}
