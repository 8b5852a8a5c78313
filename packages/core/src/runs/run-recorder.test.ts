import type { RunEventEntry, RunRecord } from '@webtasks/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger, systemClock } from '../defaults.js';
import type { RunEventChannel } from '../ports/run-event-channel.js';
import type { TaskStore } from '../ports/task-store.js';
import { createRunRecorder } from './run-recorder.js';

const WS = 'ws_recorder';

/** Run records as the store keeps them; only `getRun` and `putRun` are called. */
function runStore() {
  const writes: RunRecord[] = [];
  const tasks = {
    getRun: async () => undefined,
    async putRun({ run }: { run: RunRecord }) {
      writes.push(structuredClone(run));
    },
  } as unknown as TaskStore;
  return { tasks, writes };
}

function recordingChannel(options: { maxEntryBytes?: number; fail?: boolean } = {}) {
  const published: Array<{ entry: RunEventEntry; writesBefore: number }> = [];
  let writesSoFar = () => 0;
  const channel: RunEventChannel = {
    specificationVersion: 'v1',
    capabilities: {
      distributed: true,
      ...(options.maxEntryBytes ? { maxEntryBytes: options.maxEntryBytes } : {}),
    },
    async publish({ entry }) {
      if (options.fail) throw new Error('connection refused');
      published.push({ entry, writesBefore: writesSoFar() });
    },
    subscribe: async () => () => {},
    close: async () => {},
  };
  return { channel, published, countWrites: (count: () => number) => (writesSoFar = count) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('createRunRecorder with a channel', () => {
  it('publishes every entry as it is recorded, before the record is written', async () => {
    const { tasks, writes } = runStore();
    const { channel, published } = recordingChannel();
    const recorder = createRunRecorder({ tasks, clock: systemClock, logger: silentLogger, channel });
    await recorder.begin(WS, 'wt_1');
    recorder.handle({ type: 'phase', webTaskId: 'wt_1', phase: 'exploring' });
    recorder.handle({ type: 'log', webTaskId: 'wt_1', level: 'info', message: 'hello' });
    recorder.handle({ type: 'log', webTaskId: 'wt_other', level: 'info', message: 'untracked' });
    await settle();
    expect(published.map(({ entry }) => [entry.seq, entry.event.type])).toEqual([
      [1, 'phase'],
      [2, 'log'],
    ]);
    expect(writes).toEqual([]); // the flush (250 ms) has not come yet
    await recorder.end('wt_1');
    expect(writes.at(-1)?.events.map((entry) => entry.seq)).toEqual([1, 2]);
  });

  it('writes the record before publishing an entry too large to push whole', async () => {
    const { tasks, writes } = runStore();
    const { channel, published, countWrites } = recordingChannel({ maxEntryBytes: 1024 });
    countWrites(() => writes.length);
    const recorder = createRunRecorder({ tasks, clock: systemClock, logger: silentLogger, channel });
    await recorder.begin(WS, 'wt_2');
    recorder.handle({ type: 'log', webTaskId: 'wt_2', level: 'info', message: 'small' });
    recorder.handle({ type: 'log', webTaskId: 'wt_2', level: 'info', message: 'é'.repeat(600) });
    await settle();
    expect(published.map(({ entry, writesBefore }) => [entry.seq, writesBefore])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(writes[0]?.events.map((entry) => entry.seq)).toEqual([1, 2]);
    await recorder.end('wt_2');
  });

  it('records and writes as usual when every publish fails', async () => {
    const { tasks, writes } = runStore();
    const { channel } = recordingChannel({ fail: true });
    const recorder = createRunRecorder({ tasks, clock: systemClock, logger: silentLogger, channel });
    await recorder.begin(WS, 'wt_3');
    recorder.handle({ type: 'log', webTaskId: 'wt_3', level: 'info', message: 'kept' });
    await recorder.end('wt_3');
    expect(writes.at(-1)?.events).toHaveLength(1);
    expect(writes.at(-1)?.finished).toBe(true);
  });
});
