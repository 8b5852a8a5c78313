import type { RunEventEntry, RunRecord } from '@webtasks/protocol';
import type { TaskEvent } from '../engine-api.js';
import type { Clock, Logger } from '../ports/clock.js';
import type { RunEventChannel } from '../ports/run-event-channel.js';
import type { TaskStore } from '../ports/task-store.js';
import { applyRunEvent, emptyRunRecord } from './run-record-builder.js';

/** Options of `createRunRecorder`. */
export interface RunRecorderOptions {
  tasks: TaskStore;
  clock: Clock;
  logger: Logger;
  /** How long events gather before the record is written. Default 250 ms. */
  flushIntervalMs?: number;
  /**
   * Where each event entry is pushed as it is recorded, for event streams in other processes.
   * Best effort: a failed publish is logged and the stream reads the entry from the record.
   */
  channel?: RunEventChannel;
}

/** Listener of recorded events (with their sequence numbers). */
export type RecordedEventListener = (entry: RunEventEntry) => void;

/**
 * Builds the run record of each task this process executes from the engine's task events,
 * and writes it to the task store: batched while the task runs, and once more at the end.
 */
export interface RunRecorder {
  /** Track a task for one delivery: continue its stored record (a redelivery appends). */
  begin(workspaceId: string, webTaskId: string): Promise<void>;
  /** Feed an event (events of untracked tasks are ignored). */
  handle(event: TaskEvent): void;
  /** Change the record outside the event flow (webhook deliveries), then write it. */
  update(workspaceId: string, webTaskId: string, change: (record: RunRecord) => void): Promise<void>;
  /** Write the record a last time, marked finished, and stop tracking the task. */
  end(webTaskId: string): Promise<void>;
  /** Live recorded events of one task in this process. */
  subscribe(webTaskId: string, listener: RecordedEventListener): () => void;
  /** A copy of the record of a task this process tracks right now (fresher than the store). */
  current(webTaskId: string): RunRecord | undefined;
  /** Resolves once a task this process tracks has its final record written (at once if untracked). */
  settled(webTaskId: string): Promise<void>;
  /** Write every tracked record now. */
  flushAll(): Promise<void>;
}

interface Tracked {
  record: RunRecord;
  /** Resolved by `end()` after the final write. */
  ended: Promise<void>;
  resolveEnded: () => void;
  dirty: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** Writes run one after another, so an older snapshot never replaces a newer one. */
  writing: Promise<void>;
  /** Set while an entry too large to push waits for its record write; later ones queue behind it. */
  publishing?: Promise<void>;
}

const encoder = new TextEncoder();

/** Whether the entry's JSON is longer than `max` bytes (cheap for the common short entry). */
function longerThan(entry: RunEventEntry, max: number): boolean {
  const json = JSON.stringify(entry);
  return json.length > max || (json.length * 3 > max && encoder.encode(json).length > max);
}

export function createRunRecorder(options: RunRecorderOptions): RunRecorder {
  const tracked = new Map<string, Tracked>();
  const listeners = new Map<string, Set<RecordedEventListener>>();
  const interval = options.flushIntervalMs ?? 250;
  const now = () => new Date(options.clock.now()).toISOString();

  const write = (entry: Tracked): Promise<void> => {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (!entry.dirty) return entry.writing;
    entry.dirty = false;
    const snapshot = structuredClone(entry.record);
    entry.writing = entry.writing
      .then(() => options.tasks.putRun({ run: snapshot }))
      .catch((error: unknown) =>
        options.logger.warn('could not store the run record', {
          webTaskId: snapshot.webTaskId,
          error: String(error),
        }),
      );
    return entry.writing;
  };

  const publish = (entry: Tracked, stored: RunEventEntry) => {
    const channel = options.channel;
    if (!channel) return;
    const { workspaceId, webTaskId } = entry.record;
    const max = channel.capabilities.maxEntryBytes;
    const tooLarge = max !== undefined && longerThan(stored, max);
    // Not awaited: the channel keeps the order of publish calls (and may send several at once).
    const send = () =>
      channel.publish({ workspaceId, webTaskId, entry: stored }).catch((error: unknown) =>
        options.logger.debug('could not push a live event; streams read it from the run record', {
          webTaskId,
          error: String(error),
        }),
      );
    if (!tooLarge && !entry.publishing) {
      void send();
      return;
    }
    // Pushed as a notice only: subscribers read it from the record, so write that first; the
    // entries after it wait their turn.
    const step = (entry.publishing ?? Promise.resolve()).then(async () => {
      if (tooLarge) await write(entry);
      void send();
    });
    entry.publishing = step;
    void step.finally(() => {
      if (entry.publishing === step) entry.publishing = undefined;
    });
  };

  const schedule = (entry: Tracked) => {
    entry.dirty = true;
    if (entry.timer) return;
    entry.timer = setTimeout(() => void write(entry), interval);
    entry.timer.unref?.();
  };

  return {
    async begin(workspaceId, webTaskId) {
      const stored = await options.tasks.getRun({ workspaceId, webTaskId }).catch((error: unknown) => {
        options.logger.warn('could not read the run record; starting a new one', { error: String(error) });
        return undefined;
      });
      const record = stored ?? emptyRunRecord(workspaceId, webTaskId, now());
      record.deliveries += 1;
      delete record.finished;
      let resolveEnded = () => {};
      const ended = new Promise<void>((resolve) => {
        resolveEnded = resolve;
      });
      tracked.set(webTaskId, {
        record,
        dirty: false,
        writing: Promise.resolve(),
        ended,
        resolveEnded,
      });
    },

    handle(event) {
      const entry = tracked.get(event.webTaskId);
      if (!entry) return;
      const stored = applyRunEvent(entry.record, event, now());
      schedule(entry);
      publish(entry, stored);
      for (const listener of listeners.get(event.webTaskId) ?? []) {
        try {
          listener(stored);
        } catch (error) {
          options.logger.warn('a recorded-event listener threw', { error: String(error) });
        }
      }
    },

    async update(workspaceId, webTaskId, change) {
      const entry = tracked.get(webTaskId);
      if (entry) {
        change(entry.record);
        entry.record.updatedAt = now();
        entry.dirty = true;
        return write(entry);
      }
      const record =
        (await options.tasks.getRun({ workspaceId, webTaskId })) ??
        emptyRunRecord(workspaceId, webTaskId, now());
      change(record);
      record.updatedAt = now();
      await options.tasks.putRun({ run: record });
    },

    async end(webTaskId) {
      const entry = tracked.get(webTaskId);
      if (!entry) return;
      if (entry.dirty || entry.record.events.length > 0) {
        entry.record.finished = true;
        entry.dirty = true;
      }
      await write(entry);
      // Untracked only now, so `settled()` and `current()` see the task until it is written.
      tracked.delete(webTaskId);
      entry.resolveEnded();
    },

    subscribe(webTaskId, listener) {
      let set = listeners.get(webTaskId);
      if (!set) {
        set = new Set();
        listeners.set(webTaskId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(webTaskId);
      };
    },

    settled(webTaskId) {
      return tracked.get(webTaskId)?.ended ?? Promise.resolve();
    },

    current(webTaskId) {
      const entry = tracked.get(webTaskId);
      return entry ? structuredClone(entry.record) : undefined;
    },

    async flushAll() {
      await Promise.all([...tracked.values()].map(write));
    },
  };
}
