import { computeHours } from '../cost.js';
import { canceledError } from '../engine/delivery-runner.js';
import { WebTasksError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { CallOptions } from '../ports/common.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import { FAILED_FLAGS } from '../reuse/state-machine.js';

/**
 * Complete a pending or started task as failed with code `canceled` (compare-and-set on its
 * status, retried when it moved on meanwhile). A worker running it notices and stops (see the
 * delivery runner); nothing is saved. `conflict` when it already completed, `not-found`.
 */
export async function cancelTask(
  deps: { tasks: TaskStore; clock: Clock },
  options: { workspaceId: string; webTaskId: string } & CallOptions,
): Promise<TaskRecord> {
  const { workspaceId, webTaskId, signal } = options;
  const call = signal ? { signal } : {};
  for (let round = 0; ; round += 1) {
    const record = await deps.tasks.get({ workspaceId, webTaskId, ...call });
    if (!record) {
      throw new WebTasksError({ code: 'not-found', message: `No web task ${webTaskId} in this workspace.` });
    }
    if (record.status === 'completed') {
      throw new WebTasksError({
        code: 'conflict',
        message: `Web task ${webTaskId} already completed (${record.outcome ?? 'failed'}); only pending or started tasks can be canceled.`,
        details: { status: record.status, outcome: record.outcome },
      });
    }
    const completedAt = deps.clock.now();
    const startedAt = record.startedAt ? Date.parse(record.startedAt) : completedAt;
    try {
      return await deps.tasks.transition({
        workspaceId,
        webTaskId,
        from: [record.status],
        patch: {
          status: 'completed',
          outcome: 'failed',
          error: { code: 'canceled', message: canceledError().message },
          reuse: { key: record.request.reuseKey, ...FAILED_FLAGS },
          cost: record.cost ?? {
            aiUsd: 0,
            compute: { unit: 'hours', amount: computeHours(completedAt - startedAt) },
          },
          completedAt: new Date(completedAt).toISOString(),
        },
        ...call,
      });
    } catch (error) {
      // The task moved on (pending → started, or completed) meanwhile: look again.
      if (!WebTasksError.hasCode(error, 'conflict') || round >= 3) throw error;
    }
  }
}
