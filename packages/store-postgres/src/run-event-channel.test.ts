import { randomUUID } from 'node:crypto';
import { WebTasksError } from '@webtasks/core';
import { describeRunEventChannelContract } from '@webtasks/test-suite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTestPool } from './__fixtures__/database.js';
import { createPostgresRunEventChannel, type PostgresRunEventChannel } from './run-event-channel.js';

const pool = createTestPool();

afterAll(async () => {
  await pool.end();
});

describeRunEventChannelContract({
  name: 'postgres',
  create: () => createPostgresRunEventChannel({ pool, reconnectDelay: { minMs: 50, maxMs: 500 } }),
  async interrupt(channel) {
    const pid = (channel as PostgresRunEventChannel).backendPid();
    expect(pid).toBeTypeOf('number');
    const { rows } = await pool.query<{ ended: boolean }>('SELECT pg_terminate_backend($1) AS ended', [pid]);
    expect(rows[0]?.ended).toBe(true);
  },
});

describe('createPostgresRunEventChannel', () => {
  it('refuses a channel prefix PostgreSQL could not take as it is', () => {
    for (const channelPrefix of ['1abc', 'a-b', 'x'.repeat(31), 'a"; NOTIFY x; --']) {
      expect(() => createPostgresRunEventChannel({ pool, channelPrefix })).toThrow(WebTasksError);
    }
  });

  it('listens on a bounded, hashed channel name, whatever the ids, and releases it on close', async () => {
    const channel = createPostgresRunEventChannel({
      connectionString: `postgres://${process.env.PGUSER || 'postgres'}@127.0.0.1:5432/test`,
      channelPrefix: 'x'.repeat(30),
    });
    const where = { workspaceId: `ws "${'é'.repeat(300)}"`, webTaskId: `wt_${randomUUID()}; DROP TABLE x` };
    const received: number[] = [];
    const unsubscribe = await channel.subscribe(where, (message) => {
      if (message.type === 'entry') received.push(message.entry.seq);
    });
    const pid = channel.backendPid();
    expect(pid).toBeTypeOf('number');
    await channel.publish({
      ...where,
      entry: { seq: 1, at: new Date().toISOString(), event: { type: 'log' } },
    });
    for (let wait = 0; wait < 100 && received.length === 0; wait += 1)
      await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([1]);
    unsubscribe();
    await channel.close();
    await channel.close();
    // The backend ends once it sees the connection closed.
    let alive = 1;
    for (let wait = 0; wait < 50 && alive > 0; wait += 1) {
      alive = (await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount ?? 0;
      if (alive > 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(alive).toBe(0);
  });

  it('reconnects even when its retry timer fires before the wall clock reaches the backoff', async () => {
    // A timer runs on the monotonic clock, the backoff is kept in wall-clock time: a timer may
    // fire while Date.now() still reads a little earlier (a busy event loop's cached time), or
    // much earlier (the wall clock stepped back). The retry must not be dropped then.
    const channel = createPostgresRunEventChannel({ pool, reconnectDelay: { minMs: 50, maxMs: 500 } });
    const where = { workspaceId: 'ws_clock', webTaskId: `wt_${randomUUID()}` };
    const notices: number[] = [];
    const unsubscribe = await channel.subscribe(where, (message) => {
      if (message.type === 'notice') notices.push(Date.now());
    });
    const realNow = Date.now.bind(Date);
    try {
      const pid = channel.backendPid();
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let wait = 0; wait < 250 && channel.backendPid() !== undefined; wait += 1)
        await new Promise((r) => setTimeout(r, 2));
      expect(channel.backendPid()).toBeUndefined();
      // The loss is recorded; from now on the wall clock reads 300 ms earlier.
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 300);
      for (let wait = 0; wait < 150 && notices.length === 0; wait += 1)
        await new Promise((r) => setTimeout(r, 20));
      expect(notices).toHaveLength(1);
      expect(channel.backendPid()).toBeTypeOf('number');
    } finally {
      vi.restoreAllMocks();
      unsubscribe();
      await channel.close();
    }
  });
});
