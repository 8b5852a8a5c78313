/**
 * Live events across processes: an API-only server process streams (SSE) the events of a
 * task that a separate worker process runs, both on PostgreSQL. The stream's poll of the run
 * record is set to 5 s, so an event arriving within a second was pushed (LISTEN/NOTIFY).
 * Needs the built packages (`pnpm exec turbo run build`).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, ensurePrerequisites } from './cluster.js';

const LIST_URL = 'https://fake.test/list';
const POLL_MS = 5000;

let cluster: Cluster | undefined;
beforeAll(ensurePrerequisites, 120_000);
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
}, 60_000);

describe('live events from a worker process to an API process', () => {
  it('reach the SSE client well before the API process would read them from the store', async () => {
    cluster = await Cluster.start({
      roles: ['api', 'worker'],
      env: { WEBTASKS_EVENT_POLL_MS: String(POLL_MS) },
    });
    const client = cluster.client();
    const { webTaskId } = await client.webTasks.start({
      task: 'Collect the company names',
      startUrl: LIST_URL,
      reuseKey: `live-${Date.now()}`,
      outputSchema: { type: 'array', items: { type: 'object', required: ['name'] } },
      // The code waits this long before reading the page: events come before and after.
      parameters: { delayMs: 2000 },
    });
    const opened = Date.now();
    const live: Array<{ type: string; seq: number; delayMs: number }> = [];
    let outcome: string | undefined;
    for await (const item of client.webTasks.events(webTaskId)) {
      if (item.type === 'result') {
        outcome = item.result.status === 'completed' ? item.result.outcome : item.result.status;
        if (item.result.status === 'completed' && item.result.outcome === 'failed')
          console.info(`[multiprocess] the task failed: ${JSON.stringify(item.result.error)}`);
        break;
      }
      const at = Date.parse(item.entry.at);
      // Events stamped before the stream opened are history, read from the store.
      if (at >= opened)
        live.push({ type: item.entry.event.type, seq: item.entry.seq, delayMs: Date.now() - at });
    }
    console.info(`[multiprocess] live event delays: ${JSON.stringify(live)}`);
    expect(outcome).toBe('success');
    // In order, without duplicates.
    expect(live.map((event) => event.seq)).toEqual([...live.map((event) => event.seq)].sort((a, b) => a - b));
    expect(new Set(live.map((event) => event.seq)).size).toBe(live.length);
    // The run's result is emitted ~2 s after the stream opened, long before its first poll
    // after 5 s, and its events before that too: only the push can deliver them this fast.
    expect(live.some((event) => event.type === 'run-result')).toBe(true);
    expect(live.length).toBeGreaterThanOrEqual(3);
    for (const event of live) expect(event.delayMs, `${event.type} #${event.seq}`).toBeLessThan(1000);
    expect(Date.now() - opened).toBeLessThan(POLL_MS);
  }, 60_000);
});
