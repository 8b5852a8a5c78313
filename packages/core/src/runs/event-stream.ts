import type { RunEventEntry } from '@webtasks/protocol';
import { silentLogger } from '../defaults.js';
import { toWebTaskResult } from '../engine/results.js';
import type { TaskStreamItem } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import type { Logger } from '../ports/clock.js';
import type { RunEventChannel } from '../ports/run-event-channel.js';
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
  /** Entries pushed by the process that runs the task, when it runs elsewhere. */
  channel?: RunEventChannel;
  logger?: Logger;
  /** How often the store is read for events written by another process. Default 500 ms. */
  pollMs?: number;
  /** After completion, how long to wait for the worker's last write of the record. Default 2 s. */
  settleMs?: number;
  /**
   * How long the worker may hold events before writing the record (its flush interval).
   * With a channel, the store is read often for that long after subscribing, for the entries
   * published before the subscription was in place. Default 250 ms.
   */
  recordLagMs?: number;
  /**
   * How long pushed entries after a gap in the sequence wait for the store to fill it before
   * they are handed over anyway. Default 2 s.
   */
  gapWaitMs?: number;
}

/** How often the store is read while waiting for a missing entry or the final record. */
const CATCH_UP_POLL_MS = 100;

const completes = (entry: RunEventEntry) =>
  entry.event.type === 'status' && entry.event.status === 'completed';

/**
 * A task's events from the start, then live, then its result. Events of tasks running in this
 * process arrive at once through the recorder; those of a task running in another process (a
 * separate worker) arrive through the `channel` when there is one, and are read from the
 * stored run record every `pollMs` in any case (the replay source, and the fallback when the
 * channel loses messages). Sequence numbers keep the order and drop duplicates: a pushed entry
 * after a gap waits until the store has the missing ones (or `gapWaitMs` passed).
 */
export async function* streamTaskEvents(options: TaskEventStreamOptions): AsyncGenerator<TaskStreamItem> {
  const { tasks, recorder, workspaceId, webTaskId, signal } = options;
  const logger = options.logger ?? silentLogger;
  const pollMs = options.pollMs ?? 500;
  const gapWaitMs = options.gapWaitMs ?? 2000;
  let last = options.afterSeq ?? 0;
  const queued: RunEventEntry[] = [];
  /** Entries not handed over yet, by sequence number. */
  const held = new Map<number, RunEventEntry>();
  let gapSince: number | undefined;
  let readStoreNow = false;
  let wake: (() => void) | undefined;
  // Wake the reader from its own macrotask, not inside the engine's emit: events can be
  // emitted from inside a sandbox callback, where Node does not run process.nextTick
  // callbacks until the next I/O; an HTTP response written there would stay corked.
  const wakeSoon = () => {
    if (wake) setImmediate(() => wake?.());
  };
  const push = (entry: RunEventEntry) => {
    queued.push(entry);
    wakeSoon();
  };
  const unsubscribe = recorder.subscribe(webTaskId, push);
  let unsubscribeChannel: (() => void) | undefined;
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);

  /**
   * Hand over held entries in sequence. Entries up to `through` go even across a gap (the
   * store has nothing more to fill it with); past it, a gap stops the hand-over until the
   * store fills it or `gapWaitMs` passes.
   */
  const release = function* (through = 0) {
    for (const entry of queued.splice(0)) if (entry.seq > last) held.set(entry.seq, entry);
    const gapExpired = gapSince !== undefined && Date.now() - gapSince >= gapWaitMs;
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      const entry = held.get(seq) as RunEventEntry;
      if (seq > last + 1 && seq > through && !gapExpired) break;
      held.delete(seq);
      if (seq <= last) continue;
      last = seq;
      yield { type: 'event' as const, entry };
    }
    gapSince = held.size === 0 ? undefined : (gapSince ?? Date.now());
  };

  try {
    if (options.channel) {
      unsubscribeChannel = await options.channel
        .subscribe({ workspaceId, webTaskId, ...(signal ? { signal } : {}) }, (message) => {
          if (message.type === 'entry') return push(message.entry);
          readStoreNow = true;
          wakeSoon();
        })
        .catch((error: unknown) => {
          logger.warn('could not subscribe to pushed events; reading them from the store', {
            webTaskId,
            error: String(error),
          });
          return undefined;
        });
    }
    const first = await tasks.get({ workspaceId, webTaskId });
    if (!first)
      throw new WebTasksError({ code: 'not-found', message: `No web task ${webTaskId} in this workspace.` });
    let settleUntil: number | undefined;
    let nextPoll = 0;
    // Entries published before the subscription reach the store within one flush: read it
    // often until then, rather than wait for the next poll or the next pushed entry.
    const catchUpUntil = unsubscribeChannel
      ? Date.now() + (options.recordLagMs ?? 250) + CATCH_UP_POLL_MS
      : 0;
    for (;;) {
      if (signal?.aborted) return;
      if (Date.now() < nextPoll && !readStoreNow) {
        // Woken by live events: hand them over without a store round trip, and read the
        // store at once when one of them says the task completed.
        const completed = queued.some(completes);
        yield* release();
        if (completed) nextPoll = 0;
        else if (gapSince !== undefined) nextPoll = Math.min(nextPoll, Date.now() + CATCH_UP_POLL_MS);
      } else {
        readStoreNow = false;
        const run = recorder.current(webTaskId) ?? (await tasks.getRun({ workspaceId, webTaskId }));
        for (const entry of run?.events ?? []) if (entry.seq > last) held.set(entry.seq, entry);
        yield* release(run?.events.at(-1)?.seq);
        const record = await tasks.get({ workspaceId, webTaskId });
        if (!record) return;
        if (record.status === 'completed') {
          // The worker writes the record's last events just after completing the task.
          settleUntil ??= Date.now() + (options.settleMs ?? 2000);
          // A task canceled before it started has no run record to wait for.
          const nothingToWaitFor = run === undefined && record.startedAt === undefined;
          if (nothingToWaitFor || run?.finished || Date.now() >= settleUntil) {
            yield* release(Number.POSITIVE_INFINITY);
            yield { type: 'result', result: toWebTaskResult(record) };
            return;
          }
        }
        const catchingUp = settleUntil || gapSince !== undefined || Date.now() < catchUpUntil;
        nextPoll = Date.now() + (catchingUp ? CATCH_UP_POLL_MS : pollMs);
      }
      if (queued.length > 0 || nextPoll === 0 || readStoreNow) continue;
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
    unsubscribeChannel?.();
    signal?.removeEventListener('abort', onAbort);
  }
}
