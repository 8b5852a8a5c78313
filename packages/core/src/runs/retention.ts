import type { BlobStore } from '../ports/blob-store.js';
import type { Clock, Logger } from '../ports/clock.js';
import type { CallOptions } from '../ports/common.js';
import type { TaskStore } from '../ports/task-store.js';

/** How long completed tasks, their run records and artifacts are kept. */
export interface RetentionPolicy {
  /** Days a completed task is kept, for workspaces without their own setting. Default 30. */
  days?: number;
  /** Days per workspace id, overriding `days`. */
  workspaces?: Record<string, number>;
  /** How often a worker sweeps; 0 turns the periodic sweep off. Default 1 hour. */
  sweepIntervalMs?: number;
}

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

/** Options of `sweepExpiredRuns`. */
export interface SweepOptions extends CallOptions {
  tasks: TaskStore;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  retention?: RetentionPolicy;
}

/**
 * Delete completed tasks past their workspace's retention, with their run records and the
 * artifacts those list (screenshots, HTML, traces). Works in batches; returns how many tasks
 * were deleted. Blobs that fail to delete are logged and left (the task is already gone).
 */
export async function sweepExpiredRuns(options: SweepOptions): Promise<number> {
  const { tasks, blobs, clock, logger, signal } = options;
  const overrides = options.retention?.workspaces ?? {};
  const cutoff = (days: number) => new Date(clock.now() - days * DAY_MS).toISOString();
  const scopes: Array<{ workspaceId?: string; exceptWorkspaces?: string[]; completedBefore: string }> = [
    ...Object.entries(overrides).map(([workspaceId, days]) => ({
      workspaceId,
      completedBefore: cutoff(days),
    })),
    {
      exceptWorkspaces: Object.keys(overrides),
      completedBefore: cutoff(options.retention?.days ?? DEFAULT_RETENTION_DAYS),
    },
  ];
  let total = 0;
  for (const scope of scopes) {
    for (;;) {
      const deleted = await tasks.deleteCompleted({ ...scope, limit: BATCH, ...(signal ? { signal } : {}) });
      total += deleted.length;
      for (const task of deleted) {
        for (const key of task.artifactKeys) {
          await blobs
            .delete({ key })
            .catch((error: unknown) =>
              logger.warn('could not delete an expired run artifact', { key, error: String(error) }),
            );
        }
      }
      if (deleted.length < BATCH) break;
    }
  }
  if (total > 0) logger.info('expired runs deleted', { count: total });
  return total;
}
