import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlaywrightBrowserProvider } from '@webtasks/browser-playwright';
import {
  createRunHost,
  type MeteredModel,
  type OutputValidator,
  randomIdGenerator,
  WebTasksError,
} from '@webtasks/core';
import { createFsBlobStore } from '@webtasks/store-fs';
import { type RealSites, realDataFileSha256, realDataFiles, startRealSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

// A batch of files through the engine (saved code, real Chromium, filesystem blob store):
// downloads by URL skip the browser's download manager, run several at once and stream into
// the store with their SHA-256; the run's byte budget cuts a file while it streams.
const WS = 'ws_files';
let sites: RealSites;
let h: ReturnType<typeof createRealEngine>;

beforeAll(async () => {
  sites = await startRealSites();
  h = createRealEngine({ sites });
});
afterAll(async () => {
  await h?.close();
  await sites?.close();
});

const BURST_SOURCE = `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
  await ctx.page.goto(String(ctx.params.startUrl));
  const urls = await ctx.page
    .locator('a.data-file')
    .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
  const files = await Promise.all(urls.map((url) => ctx.files.download(url)));
  return { files: files.map((f) => ({ fileId: f.fileId, name: f.name, sizeBytes: f.sizeBytes, sha256: f.sha256 })) };
}
`;

describe('file batches', () => {
  it('a burst of 50 URL downloads (1 KiB to 5 MiB) all arrive, stored with correct hashes', async () => {
    await h.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'burst',
      source: BURST_SOURCE,
      outputSchema: { type: 'object' },
      verify: false, // the run below is the check
    });
    const result = await h.engine.run({
      workspaceId: WS,
      request: { task: 'burst', reuseKey: 'burst', parameters: { startUrl: `${sites.baseUrl}/real/files/` } },
    });
    if (result.status !== 'completed' || result.outcome !== 'success' || result.result.type !== 'inline')
      throw new Error(JSON.stringify(result));
    const files = (
      result.result.data as {
        files: Array<{ fileId: string; name: string; sizeBytes: number; sha256: string }>;
      }
    ).files;
    expect(files.map((f) => f.name)).toEqual(realDataFiles.map((f) => f.name));
    for (const file of files) {
      const expected = realDataFileSha256(file.name);
      expect(file.sha256, file.name).toBe(expected);
      const stored = await h.blobs.get({
        key: `${WS}/files/${result.webTaskId}/${file.fileId}-${file.name}`,
      });
      expect(stored?.sizeBytes, file.name).toBe(file.sizeBytes);
      expect(createHash('sha256').update(stored!.body).digest('hex'), file.name).toBe(expected);
    }
    // Fetched, not clicked: each file was asked for once, and no page load per file.
    const filePaths = sites.requests.filter((r) => r.path.startsWith('/real/files/dataset-'));
    expect(filePaths.length).toBe(50);
  }, 300_000);
});

describe('the run host streams downloads into the store', () => {
  const GIB = 1024 ** 3;
  let server: Server;
  let baseUrl: string;
  let directory: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/stall.csv') {
        res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(4 * 1024 * 1024) });
        res.write(Buffer.alloc(100_000, 44));
        return;
      }
      // 1 GiB with no Content-Length: the size is found out only while streaming.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(256 * 1024, 9);
      let sent = 0;
      const pump = () => {
        while (sent < GIB) {
          sent += chunk.length;
          if (!res.write(chunk)) return;
        }
        res.end();
      };
      res.on('drain', pump);
      res.on('close', () => res.off('drain', pump));
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    directory = mkdtempSync(join(tmpdir(), 'webtasks-files-'));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  async function withHost<T>(
    maxDownloadBytes: number,
    work: (host: ReturnType<typeof createRunHost>) => Promise<T>,
  ): Promise<T> {
    const provider = createPlaywrightBrowserProvider({
      egress: { allowHosts: [new URL(baseUrl).host] },
      downloadIdleTimeoutMs: 2000,
    });
    const session = await provider.openSession();
    try {
      const host = createRunHost({
        session,
        blobs: createFsBlobStore({
          directory,
          baseUrl: 'http://127.0.0.1:9',
          secret: 'file-batch-secret-0123',
        }),
        workspaceId: WS,
        webTaskId: 'wt_budget',
        ids: randomIdGenerator,
        // Downloads call no model and validate nothing.
        model: {} as MeteredModel,
        modelName: 'none',
        validator: {} as OutputValidator,
        maxDownloadBytes,
      });
      return await work(host);
    } finally {
      await session.close();
      await provider.close();
    }
  }

  it('refuses a file over the run budget while it streams, without the worker holding it', async () => {
    await withHost(64 * 1024 * 1024, async (host) => {
      globalThis.gc?.();
      const baseline = process.memoryUsage.rss();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 20);
      const error = await host
        .call({ kind: 'files.download', trigger: { kind: 'url', url: `${baseUrl}/huge.bin` } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      clearInterval(sampler);
      expect(WebTasksError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(
        /exceed 64 MiB, the most one run may store.*maxDownloadBytes/,
      );
      // A 1 GiB file; the worker grew by well under its size (bounded by the 64 MiB budget).
      expect(peak - baseline).toBeLessThan(200 * 1024 * 1024);
      expect(host.files).toEqual([]);
      // Nothing was left in the store, not even a temp file.
      const left = readdirSync(directory, { recursive: true }).filter((p) => String(p).includes('wt_budget'));
      expect(left.filter((p) => String(p).endsWith('.blob'))).toEqual([]);
    });
  }, 180_000);

  it('a download that stalls mid-body fails with an error naming downloadIdleTimeoutMs', async () => {
    await withHost(GIB, async (host) => {
      const error = await host
        .call({ kind: 'files.download', trigger: { kind: 'url', url: `${baseUrl}/stall.csv` } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(WebTasksError.hasCode(error, 'page-error')).toBe(true);
      expect(String((error as Error).message)).toMatch(/stall\.csv stalled: no byte arrived for 2000 ms/);
      expect(String((error as Error).message)).toMatch(/raise downloadIdleTimeoutMs/);
      expect(host.files).toEqual([]);
    });
  }, 180_000);
});
