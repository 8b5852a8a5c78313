import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebTasksError } from '@webtasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider, type PlaywrightBrowserProvider } from '../index.js';

// The worker's memory while a page pulls a 2 GiB download and an endless body through the
// egress proxy: bodies stream, so the worker holds at most one file (maxDownloadBytes) and
// in-page traffic holds nothing. Stated bound: RSS grows by less than 100 MB.
const RSS_BOUND = 100 * 1024 * 1024;
// Loose on purpose: the test machine is shared (load average far above its core count), so
// turns of 200-400 ms happen with or without these bodies; buffering a body whole would
// stall for seconds and grow RSS by gigabytes.
const STALL_BOUND_MS = 1500;
const TWO_GIB = 2 * 1024 ** 3;
let server: Server;
let baseUrl: string;
let provider: PlaywrightBrowserProvider;

function stream(res: ServerResponse, total: number | undefined): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-disposition': 'attachment; filename="big.bin"',
    ...(total === undefined ? {} : { 'content-length': String(total) }),
  });
  const chunk = Buffer.alloc(256 * 1024, 7);
  let sent = 0;
  const pump = () => {
    while (total === undefined || sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return;
    }
    res.end();
  };
  res.on('drain', pump);
  res.on('close', () => res.off('drain', pump));
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/2gb') return stream(res, TWO_GIB);
    if (req.url === '/endless') return stream(res, undefined);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<title>big</title><a id="big" href="/2gb" download>big file</a>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = createPlaywrightBrowserProvider({
    egress: { allowHosts: [new URL(baseUrl).host] },
    maxTransferBytes: 256 * 1024 * 1024,
    maxDownloadBytes: 32 * 1024 * 1024,
  });
});
afterAll(async () => {
  await provider?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Run `work` while sampling RSS and event-loop delay; returns the peak growth and the worst stall. */
async function measure(
  work: () => Promise<void>,
): Promise<{ rssGrowth: number; maxStallMs: number; p99StallMs: number; ms: number }> {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = Date.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
    delay.disable();
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  const figures = {
    rssGrowth: peak - baseline,
    maxStallMs: delay.max / 1e6,
    p99StallMs: delay.percentile(99) / 1e6,
    ms: Date.now() - started,
  };
  console.log('memory figures', JSON.stringify(figures));
  return figures;
}

describe('memory under big and endless bodies', () => {
  it('a 2 GiB download by URL is refused past maxDownloadBytes while streaming', async () => {
    const session = await provider.openSession();
    try {
      let error: unknown;
      const figures = await measure(async () => {
        await session
          .download({ trigger: { kind: 'url', url: `${baseUrl}/2gb` }, timeoutMs: 60_000 })
          .catch((e) => {
            error = e;
          });
      });
      expect(WebTasksError.isInstance(error) && error.message).toContain('larger than 32 MiB');
      expect(figures.rssGrowth).toBeLessThan(RSS_BOUND);
      expect(figures.p99StallMs).toBeLessThan(STALL_BOUND_MS);
      expect(figures.ms).toBeLessThan(15_000);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('a 2 GiB download by click and an endless in-page fetch are cut by the transfer budget', async () => {
    const session = await provider.openSession();
    try {
      await session.execute({ command: { target: 'page', op: 'goto', args: [`${baseUrl}/`] } });
      let outcome: unknown;
      const endless = await measure(async () => {
        outcome = await session.execute({
          command: {
            target: 'page',
            op: 'evaluate',
            args: [
              {
                fn: `async (url) => {
                  let bytes = 0;
                  try {
                    const reader = (await fetch(url)).body.getReader();
                    for (;;) { const { done, value } = await reader.read(); if (done) return 'ended ' + bytes; bytes += value.length; }
                  } catch (e) { return 'cut after ' + bytes; }
                }`,
              },
              `${baseUrl}/endless`,
            ],
          },
        });
      });
      expect(String(outcome)).toMatch(/^cut after \d+/);
      const bytes = Number(String(outcome).split(' ').pop());
      expect(bytes).toBeGreaterThan(128 * 1024 * 1024);
      expect(bytes).toBeLessThan(300 * 1024 * 1024);
      expect(endless.rssGrowth).toBeLessThan(RSS_BOUND);
      expect(endless.p99StallMs).toBeLessThan(STALL_BOUND_MS);

      // The budget is spent: the click's download is refused at once, nothing more flows.
      const click = await measure(async () => {
        await session
          .download({
            trigger: { kind: 'click', locator: [{ kind: 'locator', selector: '#big' }] },
            timeoutMs: 20_000,
          })
          .catch(() => {});
      });
      expect(click.rssGrowth).toBeLessThan(RSS_BOUND);
    } finally {
      await session.close();
    }
  }, 90_000);

  it('a 2 GiB download by click streams to disk and is cut by the budget, not held in the worker', async () => {
    const session = await provider.openSession();
    try {
      await session.execute({ command: { target: 'page', op: 'goto', args: [`${baseUrl}/`] } });
      let error: unknown;
      const figures = await measure(async () => {
        await session
          .download({
            trigger: { kind: 'click', locator: [{ kind: 'locator', selector: '#big' }] },
            timeoutMs: 60_000,
          })
          .catch((e) => {
            error = e;
          });
      });
      expect(WebTasksError.isInstance(error)).toBe(true);
      expect(figures.rssGrowth).toBeLessThan(RSS_BOUND);
      expect(figures.p99StallMs).toBeLessThan(STALL_BOUND_MS);
      expect(figures.ms).toBeLessThan(30_000);
    } finally {
      await session.close();
    }
  }, 90_000);
});
