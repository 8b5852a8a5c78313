import type { WebTaskResult } from '@webtasks/protocol';
import type { WebTasksEngine } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import { cancelTask } from '../runs/cancel-task.js';
import { streamTaskEvents } from '../runs/event-stream.js';
import { emptyRunRecord } from '../runs/run-record-builder.js';
import { listTasks } from '../runs/task-list.js';
import type { EngineParts } from './engine-parts.js';
import { toWebTaskResult } from './results.js';

/** The members that follow a task once it started: its result, events, record and artifacts. */
type TaskMembers = Pick<
  WebTasksEngine,
  | 'result'
  | 'wait'
  | 'run'
  | 'subscribe'
  | 'list'
  | 'record'
  | 'events'
  | 'cancel'
  | 'artifactUrl'
  | 'sweepRuns'
  | 'getTask'
>;

/** The task members of the engine; `engine` is the assembled engine (`run` starts and waits through it). */
export function createTaskMembers(parts: EngineParts, engine: () => WebTasksEngine): TaskMembers {
  const { options, limits, clock, logger, hub, recorder, runner, getRecord, sweep } = parts;
  return {
    async result({ workspaceId, webTaskId, signal }) {
      return toWebTaskResult(await getRecord(workspaceId, webTaskId, signal));
    },

    async wait({ workspaceId, webTaskId, timeoutMs, signal }) {
      const deadline = clock.now() + Math.max(0, timeoutMs);
      for (;;) {
        const record = await getRecord(workspaceId, webTaskId, signal);
        const remaining = deadline - clock.now();
        if (record.status === 'completed' || remaining <= 0 || signal?.aborted)
          return toWebTaskResult(record);
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            unsubscribe();
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, Math.min(remaining, options.waitPollMs ?? 250));
          const unsubscribe = hub.subscribe(
            (event) => {
              if (event.type === 'status' && event.status === 'completed') done();
            },
            { webTaskId },
          );
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    },

    async run({ workspaceId, request, timeoutMs, onEvent, signal }): Promise<WebTaskResult> {
      let webTaskId: string | undefined;
      const early: Parameters<NonNullable<typeof onEvent>>[0][] = [];
      const unsubscribe = onEvent
        ? hub.subscribe((event) => {
            if (webTaskId === undefined) early.push(event);
            else if (event.webTaskId === webTaskId) onEvent(event);
          })
        : undefined;
      try {
        const started = await engine().start({ workspaceId, request, ...(signal ? { signal } : {}) });
        webTaskId = started.webTaskId;
        for (const event of early) if (event.webTaskId === webTaskId) onEvent?.(event);
        const result = await engine().wait({
          workspaceId,
          webTaskId,
          timeoutMs: timeoutMs ?? limits.taskTimeoutMs + 60_000,
          ...(signal ? { signal } : {}),
        });
        // When this process ran the task, its run record is complete once run() returns.
        if (result.status === 'completed') await recorder.settled(webTaskId);
        return result;
      } finally {
        unsubscribe?.();
      }
    },

    subscribe: (listener, subscribeOptions) => hub.subscribe(listener, subscribeOptions),

    list: ({ workspaceId, query, signal }) =>
      listTasks(options.tasks, { workspaceId, ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),

    async record({ workspaceId, webTaskId, signal }) {
      const record = await getRecord(workspaceId, webTaskId, signal);
      const live = recorder.current(webTaskId);
      if (live) return live;
      const run = await options.tasks.getRun({ workspaceId, webTaskId, ...(signal ? { signal } : {}) });
      return run ?? emptyRunRecord(workspaceId, webTaskId, record.createdAt);
    },

    async *events({ workspaceId, webTaskId, afterSeq, signal }) {
      await getRecord(workspaceId, webTaskId, signal);
      yield* streamTaskEvents({
        tasks: options.tasks,
        recorder,
        workspaceId,
        webTaskId,
        logger,
        ...(options.eventChannel ? { channel: options.eventChannel } : {}),
        ...(options.runs?.flushIntervalMs !== undefined ? { recordLagMs: options.runs.flushIntervalMs } : {}),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(signal ? { signal } : {}),
        ...(options.runs?.eventPollMs !== undefined ? { pollMs: options.runs.eventPollMs } : {}),
      });
    },

    async cancel({ workspaceId, webTaskId, signal }) {
      const canceled = await cancelTask(
        { tasks: options.tasks, clock },
        { workspaceId, webTaskId, ...(signal ? { signal } : {}) },
      );
      runner.abort(webTaskId);
      hub.emit({ type: 'status', webTaskId, status: 'completed', outcome: 'failed' });
      return toWebTaskResult(canceled);
    },

    async artifactUrl({ workspaceId, webTaskId, key, expiresInSeconds, signal }) {
      const run = await engine().record({ workspaceId, webTaskId, ...(signal ? { signal } : {}) });
      if (!run.artifacts.some((artifact) => artifact.key === key)) {
        throw new WebTasksError({
          code: 'not-found',
          message: `Web task ${webTaskId} has no artifact ${key}: take the key from its run record.`,
        });
      }
      return options.blobs.signedUrl({
        key,
        expiresInSeconds: expiresInSeconds ?? 3600,
        downloadName: key.slice(key.lastIndexOf('/') + 1),
        ...(signal ? { signal } : {}),
      });
    },

    sweepRuns: (sweepOptions) => sweep(sweepOptions?.signal),

    getTask: ({ workspaceId, webTaskId, signal }) =>
      options.tasks.get({ workspaceId, webTaskId, ...(signal ? { signal } : {}) }),
  };
}
