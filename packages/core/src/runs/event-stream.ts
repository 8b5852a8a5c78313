import type { RunEventEntry } from '@webtasks/protocol';
import { toWebTaskResult } from '../engine/results.js';
import type { TaskStreamItem } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import type { TaskStore } from '../ports/task-store.js';
import type { RunRecorder } from './run-recorder.js';

/** Options of `streamTaskEvents`. */
export interface TaskEventStreamOptions {
  tasks: TaskStore;
  recorder: RunRecorder;
  workspaceId: string;
  webTaskId: string;
  afterSeq?: number;
  signal?: AbortSignal;
  /** How often the store is read for events written by another process. Default 500 ms. */
  pollMs?: number;
  /** After completion, how long to wait for the worker's last write of the record. Default 2 s. */
  settleMs?: number;
}

/**
 * A task's events from the start, then live, then its result. Events of tasks running in this
 * process arrive at once through the recorder; events written by another process (a separate
 * worker) are read from the stored run record every `pollMs`. Sequence numbers keep the order
 * and drop duplicates.
 */
export async function* streamTaskEvents(options: TaskEventStreamOptions): AsyncGenerator<TaskStreamItem> {
  const { tasks, recorder, workspaceId, webTaskId, signal } = options;
  const pollMs = options.pollMs ?? 500;
  let last = options.afterSeq ?? 0;
  const queued: RunEventEntry[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = recorder.subscribe(webTaskId, (entry) => {
    queued.push(entry);
    // Wake the reader from its own macrotask, not inside the engine's emit: events can be
    // emitted from inside a sandbox callback, where Node does not run process.nextTick
    // callbacks until the next I/O; an HTTP response written there would stay corked.
    if (wake) setImmediate(() => wake?.());
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    const first = await tasks.get({ workspaceId, webTaskId });
    if (!first)
      throw new WebTasksError({ code: 'not-found', message: `No web task ${webTaskId} in this workspace.` });
    const fresh = function* (entries: RunEventEntry[]) {
      for (const entry of entries.sort((a, b) => a.seq - b.seq)) {
        if (entry.seq <= last) continue;
        last = entry.seq;
        yield { type: 'event' as const, entry };
      }
    };
    let settleUntil: number | undefined;
    let nextPoll = 0;
    for (;;) {
      if (signal?.aborted) return;
      if (Date.now() < nextPoll) {
        // Woken by live events: hand them over without a store round trip, and read the
        // store at once when one of them says the task completed.
        const live = queued.splice(0);
        yield* fresh(live);
        if (live.some((entry) => entry.event.type === 'status' && entry.event.status === 'completed'))
          nextPoll = 0;
      } else {
        const run = recorder.current(webTaskId) ?? (await tasks.getRun({ workspaceId, webTaskId }));
        yield* fresh([...(run?.events ?? []), ...queued.splice(0)]);
        const record = await tasks.get({ workspaceId, webTaskId });
        if (!record) return;
        if (record.status === 'completed') {
          // The worker writes the record's last events just after completing the task.
          settleUntil ??= Date.now() + (options.settleMs ?? 2000);
          // A task canceled before it started has no run record to wait for.
          const nothingToWaitFor = run === undefined && record.startedAt === undefined;
          if (nothingToWaitFor || run?.finished || Date.now() >= settleUntil) {
            yield* fresh(queued.splice(0));
            yield { type: 'result', result: toWebTaskResult(record) };
            return;
          }
        }
        nextPoll = Date.now() + (settleUntil ? 100 : pollMs);
      }
      if (queued.length > 0 || nextPoll === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, nextPoll - Date.now()));
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
        if (signal?.aborted) done();
      });
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
