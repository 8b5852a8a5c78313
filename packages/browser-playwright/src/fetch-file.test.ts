import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserSession, WebTasksError } from '@webtasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider, type PlaywrightBrowserProvider } from './index.js';

// Downloads by URL (`fetchFile`): no browser download, bounded concurrency, a stalled body cut
// by the idle timeout with an error that names the setting, the per-file limit while streaming.
let server: Server;
let baseUrl: string;
let provider: PlaywrightBrowserProvider;
let active = 0;
let maxActive = 0;

const bodyOf = (n: number) => Buffer.alloc(200_000 + n * 1000, n % 251);

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    const slow = /^\/slow\/(\d+)$/.exec(path);
    if (slow) {
      const body = bodyOf(Number(slow[1]));
      active++;
      maxActive = Math.max(maxActive, active);
      res.on('close', () => active--);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
      });
      res.write(body.subarray(0, 16_384));
      setTimeout(() => res.end(body.subarray(16_384)), 300);
      return;
    }
    if (path === '/echo-cookie') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers.cookie ?? '');
      return;
    }
    const setCookie = /^\/set-cookie\?(\w+)=(\w+)$/.exec(path);
    if (setCookie) {
      res
        .writeHead(200, {
          'content-type': 'text/plain',
          'set-cookie': `${setCookie[1]}=${setCookie[2]}; Path=/`,
        })
        .end('set');
      return;
    }
    if (path === '/stall') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(1024 * 1024) });
      res.write(Buffer.alloc(65_536, 44)); // then nothing, connection kept open
      return;
    }
    if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: found out while streaming
      const chunk = Buffer.alloc(65_536, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return;
        }
        res.end();
      };
      res.on('drain', pump);
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>files</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = createPlaywrightBrowserProvider({
    egress: { allowHosts: [new URL(baseUrl).host] },
    maxDownloadBytes: 8 * 1024 * 1024,
    downloadIdleTimeoutMs: 1500,
  });
});
afterAll(async () => {
  await provider?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function withSession<T>(work: (session: BrowserSession) => Promise<T>): Promise<T> {
  const session = await provider.openSession();
  try {
    await session.execute({ command: { target: 'page', op: 'goto', args: [`${baseUrl}/`] } });
    return await work(session);
  } finally {
    await session.close();
  }
}

describe('fetchFile (downloads by URL)', () => {
  it('runs a burst in parallel, at most maxConcurrentDownloads (4) at once, every body intact', async () => {
    maxActive = 0;
    await withSession(async (session) => {
      const fetchFile = session.fetchFile?.bind(session);
      if (!fetchFile) throw new Error('the Playwright session has fetchFile');
      const results = await Promise.all(
        Array.from({ length: 12 }, async (_, n) => {
          const file = await fetchFile({ url: `/slow/${n}` }); // relative to the page
          return { n, file, body: await readAll(file.body) };
        }),
      );
      for (const { n, file, body } of results) {
        expect(file.url).toBe(`${baseUrl}/slow/${n}`);
        expect(file.sizeBytes).toBe(bodyOf(n).length);
        expect(createHash('sha256').update(body).digest('hex')).toBe(
          createHash('sha256').update(bodyOf(n)).digest('hex'),
        );
      }
    });
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(4);
  }, 120_000);

  it('sends the cookies of the moment: set by a command, by a navigation, by a response the page fetched on its own', async () => {
    await withSession(async (session) => {
      const cookieSent = async () =>
        (await readAll((await session.fetchFile!({ url: '/echo-cookie' })).body)).toString('utf8');
      const evaluate = (source: string) =>
        session.execute({ command: { target: 'page', op: 'evaluate', args: [{ fn: source }] } });
      expect(await cookieSent()).toBe('');
      expect(await cookieSent()).toBe(''); // read from the cached jar
      await evaluate('() => { document.cookie = "a=1; path=/"; }');
      expect(await cookieSent()).toBe('a=1');
      await session.execute({ command: { target: 'page', op: 'goto', args: [`${baseUrl}/set-cookie?b=2`] } });
      expect((await cookieSent()).split('; ').sort()).toEqual(['a=1', 'b=2']);
      // The page sets a cookie from a timer, after the command that started it returned: the
      // response's arrival is what invalidates the jar.
      await evaluate('() => { setTimeout(() => fetch("/set-cookie?c=3"), 300); }');
      expect((await cookieSent()).split('; ').sort()).toEqual(['a=1', 'b=2']);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await cookieSent()).split('; ').sort()).toEqual(['a=1', 'b=2', 'c=3']);
    });
  }, 120_000);

  it('cuts a body that stalls with a page-error naming downloadIdleTimeoutMs, and frees its slot', async () => {
    await withSession(async (session) => {
      const stalled = await session.fetchFile!({ url: `${baseUrl}/stall` });
      const error = await readAll(stalled.body).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(WebTasksError.hasCode(error, 'page-error')).toBe(true);
      expect(String((error as Error).message)).toMatch(
        /stalled: no byte arrived for 1500 ms after 65536 bytes/,
      );
      expect(String((error as Error).message)).toMatch(/downloadIdleTimeoutMs/);
      // Four more stalls would block a fifth fetch if slots leaked; they do not.
      for (let i = 0; i < 4; i++) {
        const again = await session.fetchFile!({ url: `${baseUrl}/stall` });
        await again.body[Symbol.asyncIterator]().return?.();
      }
      const next = await session.fetchFile!({ url: `${baseUrl}/slow/1` });
      expect((await readAll(next.body)).length).toBe(bodyOf(1).length);
    });
  }, 120_000);

  it('refuses a file past maxDownloadBytes while it streams', async () => {
    await withSession(async (session) => {
      const big = await session.fetchFile!({ url: `${baseUrl}/big` });
      const error = await readAll(big.body).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(WebTasksError.hasCode(error, 'page-error')).toBe(true);
      expect(String((error as Error).message)).toMatch(/larger than 8 MiB.*maxDownloadBytes/);
    });
  }, 120_000);

  it("counts every byte against the session's transfer budget: past maxTransferBytes the body is cut", async () => {
    const small = createPlaywrightBrowserProvider({
      egress: { allowHosts: [new URL(baseUrl).host] },
      maxTransferBytes: 4 * 1024 * 1024,
      maxDownloadBytes: 32 * 1024 * 1024,
    });
    try {
      const session = await small.openSession();
      try {
        const big = await session.fetchFile!({ url: `${baseUrl}/big` });
        const error = await readAll(big.body).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(WebTasksError.hasCode(error, 'policy-denied')).toBe(true);
        expect(String((error as Error).message)).toMatch(/transfer budget \(maxTransferBytes/);
        // Spent: the next download is refused before it connects.
        await expect(session.fetchFile!({ url: `${baseUrl}/slow/1` })).rejects.toMatchObject({
          code: 'policy-denied',
        });
      } finally {
        await session.close();
      }
    } finally {
      await small.close();
    }
  }, 120_000);

  it('download() by URL still answers the whole file, without the click spacing', async () => {
    await withSession(async (session) => {
      const file = await session.download({ trigger: { kind: 'url', url: `${baseUrl}/slow/3` } });
      expect(file.body.byteLength).toBe(bodyOf(3).length);
      expect(file.contentType).toBe('application/octet-stream');
    });
  }, 120_000);
});

describe('fetchFile over HTTPS', () => {
  it('checks the certificate on the connection the egress proxy opened: a self-signed one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webtasks-fetch-cert-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'],
      ...['-keyout', key, '-out', cert, '-addext', 'subjectAltName=IP:127.0.0.1'],
    ]);
    let served = 0;
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('secret');
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    const tlsProvider = createPlaywrightBrowserProvider({ egress: { allowHosts: [new URL(origin).host] } });
    try {
      const session = await tlsProvider.openSession();
      try {
        const error = await session.fetchFile!({ url: `${origin}/file.txt` }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(WebTasksError.hasCode(error, 'page-error')).toBe(true);
        expect(String((error as Error).message)).toMatch(/self[- ]signed certificate/);
        expect(served).toBe(0);
      } finally {
        await session.close();
      }
    } finally {
      await tlsProvider.close();
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
