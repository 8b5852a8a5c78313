import { randomUUID } from 'node:crypto';
import type { RunEventChannel, RunEventEntry, RunEventMessage, RunEventTopic } from '@webtasks/core';
import { describe, expect } from 'vitest';
import { type ContractOptions, contractTests, sleep, waitUntil } from './contract-options.js';

/** Options of `describeRunEventChannelContract`. */
export interface RunEventChannelContractOptions extends ContractOptions<RunEventChannel> {
  /**
   * Drop the channel's connection the way a server restart does (PostgreSQL:
   * `pg_terminate_backend` of its backend). Needed by the reconnect test; skip that test
   * (with the reason) for a channel without a connection.
   */
  interrupt?: (channel: RunEventChannel) => Promise<void>;
}

const topic = (): RunEventTopic => ({ workspaceId: `ws_${randomUUID()}`, webTaskId: `wt_${randomUUID()}` });

const entry = (seq: number, message = `event ${seq}`): RunEventEntry => ({
  seq,
  at: new Date().toISOString(),
  event: { type: 'log', level: 'info', message },
});

/** Subscribe and keep every message the listener gets. */
async function collect(
  channel: RunEventChannel,
  where: RunEventTopic,
): Promise<{ messages: RunEventMessage[]; seqs: () => number[]; unsubscribe: () => void }> {
  const messages: RunEventMessage[] = [];
  const unsubscribe = await channel.subscribe(where, (message) => messages.push(message));
  const seqs = () => messages.flatMap((message) => (message.type === 'entry' ? [message.entry.seq] : []));
  return { messages, seqs, unsubscribe };
}

/** Publish until a publish succeeds (a channel may refuse while it reconnects). */
async function publishEventually(channel: RunEventChannel, where: RunEventTopic, item: RunEventEntry) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await channel.publish({ ...where, entry: item });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

/**
 * The RunEventChannel contract: entries reach the topic's subscribers (also through another
 * instance when `distributed`), in order, not after unsubscribing, large ones whole or as a
 * notice with their seq; close() is idempotent; a dropped connection is replaced.
 */
export function describeRunEventChannelContract(options: RunEventChannelContractOptions): void {
  describe(`RunEventChannel contract: ${options.name}`, () => {
    const test = contractTests(options);
    /** A second instance: another connection, standing for another process. */
    const withPeer = async (body: (peer: RunEventChannel) => Promise<void>) => {
      // Without `distributed`, the factory must hand out instances that share subscribers.
      const peer = await options.create();
      try {
        await body(peer);
      } finally {
        await (options.cleanup ?? ((instance: RunEventChannel) => instance.close()))(peer);
      }
    };

    test('declares specification v1 and its capabilities', async (channel) => {
      expect(channel.specificationVersion).toBe('v1');
      expect(typeof channel.capabilities.distributed).toBe('boolean');
      const max = channel.capabilities.maxEntryBytes;
      expect(max === undefined || (Number.isInteger(max) && max >= 1024)).toBe(true);
    });

    test('a subscriber gets the entries of its topic in publish order', async (channel) => {
      const where = topic();
      const received = await collect(channel, where);
      for (let seq = 1; seq <= 20; seq += 1) await channel.publish({ ...where, entry: entry(seq) });
      await waitUntil(() => received.seqs().length === 20, 5_000, 'twenty entries');
      expect(received.seqs()).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
      const first = received.messages[0];
      expect(first?.type === 'entry' && first.entry.event).toEqual({
        type: 'log',
        level: 'info',
        message: 'event 1',
      });
      received.unsubscribe();
    });

    test('entries published without waiting arrive in the order of the calls', async (channel) => {
      await withPeer(async (peer) => {
        const where = topic();
        const received = await collect(channel, where);
        const count = 300;
        await Promise.all(
          Array.from({ length: count }, (_, index) => peer.publish({ ...where, entry: entry(index + 1) })),
        );
        await waitUntil(() => received.seqs().length === count, 5_000, `${count} entries`);
        expect(received.seqs()).toEqual(Array.from({ length: count }, (_, index) => index + 1));
        received.unsubscribe();
      });
    });

    test('a subscriber gets entries published by another channel instance', async (channel) => {
      await withPeer(async (peer) => {
        const where = topic();
        const received = await collect(channel, where);
        const published = Date.now();
        await peer.publish({ ...where, entry: entry(1, 'from the other instance') });
        await peer.publish({ ...where, entry: entry(2) });
        await waitUntil(() => received.seqs().length === 2, 5_000, 'the peer’s entries');
        expect(Date.now() - published).toBeLessThan(1_000);
        expect(received.seqs()).toEqual([1, 2]);
        received.unsubscribe();
      });
    });

    test('only subscribers of the topic get its entries; every one of them does', async (channel) => {
      const where = topic();
      const sameTaskOtherWorkspace = { workspaceId: `ws_${randomUUID()}`, webTaskId: where.webTaskId };
      const first = await collect(channel, where);
      const second = await collect(channel, where);
      const other = await collect(channel, sameTaskOtherWorkspace);
      await channel.publish({ ...where, entry: entry(1) });
      await waitUntil(
        () => first.seqs().length === 1 && second.seqs().length === 1,
        5_000,
        'both subscribers',
      );
      await sleep(100);
      expect(other.messages).toEqual([]);
      for (const subscription of [first, second, other]) subscription.unsubscribe();
    });

    test('unsubscribe stops delivery to that listener only', async (channel) => {
      const where = topic();
      const leaving = await collect(channel, where);
      const staying = await collect(channel, where);
      await channel.publish({ ...where, entry: entry(1) });
      await waitUntil(() => leaving.seqs().length === 1 && staying.seqs().length === 1, 5_000, 'entry 1');
      leaving.unsubscribe();
      leaving.unsubscribe(); // twice is harmless
      await channel.publish({ ...where, entry: entry(2) });
      await waitUntil(() => staying.seqs().length === 2, 5_000, 'entry 2 for the staying listener');
      await sleep(150);
      expect(leaving.seqs()).toEqual([1]);
      staying.unsubscribe();
      await channel.publish({ ...where, entry: entry(3) });
      await sleep(150);
      expect(staying.seqs()).toEqual([1, 2]);
    });

    test('a large entry arrives whole, or as a notice with its seq past maxEntryBytes', async (channel) => {
      await withPeer(async (peer) => {
        const where = topic();
        const received = await collect(channel, where);
        const large = entry(2, 'é'.repeat(50_000));
        await peer.publish({ ...where, entry: entry(1, 'x'.repeat(900)) });
        await peer.publish({ ...where, entry: large });
        await peer.publish({ ...where, entry: entry(3) });
        await waitUntil(() => received.messages.length === 3, 5_000, 'three messages');
        const [small, big, after] = received.messages;
        expect(small?.type === 'entry' && small.entry.event.message).toBe('x'.repeat(900));
        if (channel.capabilities.maxEntryBytes === undefined) {
          expect(big).toEqual({ type: 'entry', entry: large });
        } else {
          expect(big).toEqual({ type: 'notice', seq: 2 });
        }
        expect(after?.type === 'entry' && after.entry.seq).toBe(3);
        received.unsubscribe();
      });
    });

    test('close() is idempotent, and a closed channel refuses work', async (channel) => {
      const where = topic();
      const received = await collect(channel, where);
      await channel.close();
      await channel.close(); // and the suite's cleanup closes a third time
      await expect(channel.publish({ ...where, entry: entry(1) })).rejects.toThrow();
      await expect(channel.subscribe(where, () => {})).rejects.toThrow();
      received.unsubscribe(); // after close: harmless
      expect(received.messages).toEqual([]);
    });

    test('keeps delivering after its connection is dropped', async (channel) => {
      if (!options.interrupt) throw new Error('pass `interrupt`, or skip this test with the reason');
      const interrupt = options.interrupt;
      await withPeer(async (peer) => {
        const where = topic();
        const received = await collect(channel, where);
        await peer.publish({ ...where, entry: entry(1) });
        await waitUntil(() => received.seqs().length === 1, 5_000, 'entry 1');
        await interrupt(channel);
        // After reconnecting, the channel says entries may have been missed.
        await waitUntil(
          () => received.messages.some((message) => message.type === 'notice'),
          10_000,
          'a notice',
        );
        await peer.publish({ ...where, entry: entry(2) });
        await waitUntil(() => received.seqs().includes(2), 5_000, 'entry 2 after the reconnect');
        // The publishing side recovers from its own drop too.
        await interrupt(peer);
        await publishEventually(peer, where, entry(3));
        await waitUntil(() => received.seqs().includes(3), 5_000, 'entry 3 after the publisher reconnected');
        received.unsubscribe();
      });
    }, 30_000);

    test.checkSkips();
  });
}
