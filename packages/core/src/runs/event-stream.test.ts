import type { RunEventEntry, RunRecord } from '@webtasks/protocol';
import { describe, expect, it } from 'vitest';
import type { TaskStreamItem } from '../engine-api.js';
import type { RunEventChannel, RunEventListener } from '../ports/run-event-channel.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import { streamTaskEvents } from './event-stream.js';
import { emptyRunRecord } from './run-record-builder.js';
import type { RunRecorder } from './run-recorder.js';

const WS = 'ws_stream';
const ID = 'wt_stream';

const entry = (seq: number): RunEventEntry => ({
  seq,
  at: new Date().toISOString(),
  event: { type: 'log', level: 'info', message: `event ${seq}` },
});

/**
 * What the stream reads, as another process (the worker) leaves it in the store: the task
 * record and the run record. Only `get` and `getRun` are called.
 */
function storeOf(state: { task: Partial<TaskRecord>; run?: RunRecord }) {
  let runReads = 0;
  const tasks = {
    async get() {
      return { webTaskId: ID, workspaceId: WS, status: 'started', ...state.task } as TaskRecord;
    },
    async getRun() {
      runReads += 1;
      return state.run ? structuredClone(state.run) : undefined;
    },
  } as unknown as TaskStore;
  return { tasks, runReads: () => runReads };
}

/** This process runs nothing: the recorder has no live events. */
const idleRecorder = { subscribe: () => () => {}, current: () => undefined } as unknown as RunRecorder;

/** A channel whose messages the test sends by hand. */
function handChannel(options: { failSubscribe?: boolean } = {}) {
  const listeners = new Set<RunEventListener>();
  const channel: RunEventChannel = {
    specificationVersion: 'v1',
    capabilities: { distributed: true },
    publish: async () => {},
    async subscribe(_topic, listener) {
      if (options.failSubscribe) throw new Error('connection refused');
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {},
  };
  const send = (message: Parameters<RunEventListener>[0]) => {
    for (const listener of listeners) listener(message);
  };
  return { channel, send, subscribers: () => listeners.size };
}

/** Read the stream in the background, keeping when each item arrived. */
function follow(stream: AsyncGenerator<TaskStreamItem>) {
  const items: Array<{ item: TaskStreamItem; at: number }> = [];
  const done = (async () => {
    for await (const item of stream) items.push({ item, at: Date.now() });
  })();
  const seqs = () => items.flatMap(({ item }) => (item.type === 'event' ? [item.entry.seq] : []));
  return { items, seqs, done };
}

const until = async (predicate: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('streamTaskEvents with a channel', () => {
  it('hands pushed entries over at once, long before the next read of the store', async () => {
    const state = {
      task: {},
      run: { ...emptyRunRecord(WS, ID, new Date().toISOString()), events: [entry(1)] },
    };
    const { tasks } = storeOf(state);
    const { channel, send, subscribers } = handChannel();
    const controller = new AbortController();
    const stream = follow(
      streamTaskEvents({
        tasks,
        recorder: idleRecorder,
        channel,
        workspaceId: WS,
        webTaskId: ID,
        pollMs: 10_000,
        signal: controller.signal,
      }),
    );
    await until(() => stream.seqs().length === 1);
    const sent = Date.now();
    send({ type: 'entry', entry: entry(2) });
    send({ type: 'entry', entry: entry(2) }); // a duplicate is dropped
    send({ type: 'entry', entry: entry(3) });
    await until(() => stream.seqs().length === 3);
    expect(stream.seqs()).toEqual([1, 2, 3]);
    // Pushed, not polled (pollMs is 10 s): bounded well apart from both.
    expect((stream.items.at(-1)?.at ?? 0) - sent).toBeLessThan(1000);
    controller.abort();
    await stream.done;
    expect(subscribers()).toBe(0);
  });

  it('holds an entry after a gap until the store has the missing one, then keeps the order', async () => {
    const run = { ...emptyRunRecord(WS, ID, new Date().toISOString()), events: [entry(1)] };
    const state = { task: {}, run };
    const { tasks, runReads } = storeOf(state);
    const { channel, send } = handChannel();
    const controller = new AbortController();
    const stream = follow(
      streamTaskEvents({
        tasks,
        recorder: idleRecorder,
        channel,
        workspaceId: WS,
        webTaskId: ID,
        pollMs: 10_000,
        signal: controller.signal,
      }),
    );
    await until(() => stream.seqs().length === 1);
    const readsBefore = runReads();
    // Entry 2 was published before the subscription, or its push was lost.
    send({ type: 'entry', entry: entry(3) });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(stream.seqs()).toEqual([1]);
    // Meanwhile the stream reads the store often, not every 10 s.
    expect(runReads() - readsBefore).toBeGreaterThanOrEqual(2);
    run.events.push(entry(2));
    await until(() => stream.seqs().length === 3);
    expect(stream.seqs()).toEqual([1, 2, 3]);
    controller.abort();
    await stream.done;
  });

  it('reads the store often for one flush after subscribing: entries published before it come from there', async () => {
    const run = { ...emptyRunRecord(WS, ID, new Date().toISOString()), events: [entry(1)] };
    const { tasks } = storeOf({ task: {}, run });
    const { channel } = handChannel();
    const controller = new AbortController();
    const stream = follow(
      streamTaskEvents({
        tasks,
        recorder: idleRecorder,
        channel,
        workspaceId: WS,
        webTaskId: ID,
        pollMs: 10_000,
        recordLagMs: 250,
        signal: controller.signal,
      }),
    );
    await until(() => stream.seqs().length === 1);
    // Published before the subscription (never pushed to it), written with the next flush.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const written = Date.now();
    run.events.push(entry(2));
    await until(() => stream.seqs().length === 2, 1000);
    expect((stream.items.at(-1)?.at ?? 0) - written).toBeLessThan(200);
    controller.abort();
    await stream.done;
  });

  it('gives up waiting for a missing entry after gapWaitMs', async () => {
    const state = {
      task: {},
      run: { ...emptyRunRecord(WS, ID, new Date().toISOString()), events: [entry(1)] },
    };
    const { tasks } = storeOf(state);
    const { channel, send } = handChannel();
    const controller = new AbortController();
    const stream = follow(
      streamTaskEvents({
        tasks,
        recorder: idleRecorder,
        channel,
        workspaceId: WS,
        webTaskId: ID,
        pollMs: 10_000,
        gapWaitMs: 300,
        signal: controller.signal,
      }),
    );
    await until(() => stream.seqs().length === 1);
    send({ type: 'entry', entry: entry(4) });
    send({ type: 'entry', entry: entry(5) });
    await until(() => stream.seqs().length === 3, 2000);
    expect(stream.seqs()).toEqual([1, 4, 5]);
    controller.abort();
    await stream.done;
  });

  it('reads the store at once on a notice (an entry too large to push)', async () => {
    const run = { ...emptyRunRecord(WS, ID, new Date().toISOString()), events: [entry(1)] };
    const { tasks } = storeOf({ task: {}, run });
    const { channel, send } = handChannel();
    const controller = new AbortController();
    const stream = follow(
      streamTaskEvents({
        tasks,
        recorder: idleRecorder,
        channel,
        workspaceId: WS,
        webTaskId: ID,
        pollMs: 10_000,
        signal: controller.signal,
      }),
    );
    await until(() => stream.seqs().length === 1);
    // The publisher wrote the record before sending the notice.
    run.events.push({ ...entry(2), event: { type: 'log', level: 'info', message: 'x'.repeat(20_000) } });
    const sent = Date.now();
    send({ type: 'notice', seq: 2 });
    await until(() => stream.seqs().length === 2);
    // Pushed, not polled (pollMs is 10 s): bounded well apart from both.
    expect((stream.items.at(-1)?.at ?? 0) - sent).toBeLessThan(1000);
    controller.abort();
    await stream.done;
  });

  it('falls back to reading the store when the channel cannot subscribe', async () => {
    const run = { ...emptyRunRecord(WS, ID, new Date().toISOString()), events: [entry(1)] };
    const state: { task: Partial<TaskRecord>; run: RunRecord } = { task: {}, run };
    const { tasks } = storeOf(state);
    const { channel } = handChannel({ failSubscribe: true });
    const stream = follow(
      streamTaskEvents({
        tasks,
        recorder: idleRecorder,
        channel,
        workspaceId: WS,
        webTaskId: ID,
        pollMs: 50,
      }),
    );
    await until(() => stream.seqs().length === 1);
    run.events.push(entry(2));
    run.finished = true;
    state.task = { status: 'completed', outcome: 'success', completedAt: new Date().toISOString() };
    await stream.done;
    expect(stream.seqs()).toEqual([1, 2]);
    expect(stream.items.at(-1)?.item.type).toBe('result');
  });
});
