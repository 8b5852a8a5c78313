import { createServer as createHttpServer, type Server } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server as NetServer,
} from 'node:net';
import { WebTasksError } from '@webtasks/core';
import { startTripwire, type Tripwire } from '@webtasks/test-suite';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider, type PlaywrightBrowserProvider } from '../index.js';

// A real forward proxy (the `proxy` package) and a minimal SOCKS5 server on 127.0.0.1, each
// recording what went through it; the origin is another local server.
let origin: Server;
let originHost: string;
let httpProxy: Server;
let httpProxyPort: number;
let socks: NetServer;
let socksPort: number;
let tripwire: Tripwire;
let provider: PlaywrightBrowserProvider;
const connects: Array<{ target: string; auth: string | undefined }> = [];
const socksTargets: string[] = [];
const PASSWORD = 'pa55-w0rd-secret';

beforeAll(async () => {
  origin = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/file.csv' ? 'text/csv' : 'text/html' });
    res.end(req.url === '/file.csv' ? 'a,b\n1,2\n' : '<title>Through the proxy</title><p>hello</p>');
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originHost = `127.0.0.1:${(origin.address() as AddressInfo).port}`;

  httpProxy = createProxy(createHttpServer());
  (httpProxy as ReturnType<typeof createProxy>).authenticate = (req) => {
    const auth = req.headers['proxy-authorization'];
    connects.push({ target: req.url ?? '', auth });
    if (req.headers['x-test-no-auth']) return true;
    // Credentials are required only when the test set them (see `withAuth`).
    return requireAuth ? auth === `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}` : true;
  };
  await new Promise<void>((resolve) => httpProxy.listen(0, '127.0.0.1', resolve));
  httpProxyPort = (httpProxy.address() as AddressInfo).port;

  socks = createNetServer((client) => {
    client.once('data', (greeting) => {
      // Version 5, choose username/password (0x02) when offered, else none (0x00).
      const methods = [...greeting.subarray(2, 2 + greeting[1]!)];
      const method = methods.includes(2) ? 2 : 0;
      client.write(Buffer.from([5, method]));
      const onRequest = (request: Buffer) => {
        const type = request[3];
        const host =
          type === 1
            ? [...request.subarray(4, 8)].join('.')
            : request.subarray(5, 5 + request[4]!).toString();
        const port = request.readUInt16BE(request.length - 2);
        socksTargets.push(`${host}:${port}`);
        const upstream = connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
      };
      if (method === 2) {
        client.once('data', (auth) => {
          const user = auth.subarray(2, 2 + auth[1]!).toString();
          const passAt = 2 + auth[1]!;
          const pass = auth.subarray(passAt + 1, passAt + 1 + auth[passAt]!).toString();
          const ok = user === 'ann' && pass === PASSWORD;
          client.write(Buffer.from([1, ok ? 0 : 1]));
          if (ok) client.once('data', onRequest);
          else client.end();
        });
      } else client.once('data', onRequest);
    });
    client.on('error', () => {});
  });
  await new Promise<void>((resolve) => socks.listen(0, '127.0.0.1', resolve));
  socksPort = (socks.address() as AddressInfo).port;
  tripwire = await startTripwire('127.0.0.1');
  provider = createPlaywrightBrowserProvider();
});
afterAll(async () => {
  await provider?.close();
  await tripwire?.close();
  for (const server of [origin, httpProxy]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  await new Promise((resolve) => socks?.close(resolve));
});

let requireAuth = false;
const egressFor = (proxyPort: number) => ({ allowHosts: [originHost, `127.0.0.1:${proxyPort}`] });
const goto = (session: Awaited<ReturnType<PlaywrightBrowserProvider['openSession']>>, url: string) =>
  session.execute({ command: { target: 'page', op: 'goto', args: [url] } });

describe('upstream proxies', () => {
  it('sends pages and downloads through an HTTP proxy without credentials, pinned to the checked address', async () => {
    requireAuth = false;
    connects.length = 0;
    const session = await provider.openSession({
      egress: egressFor(httpProxyPort),
      proxy: { server: `http://127.0.0.1:${httpProxyPort}` },
    });
    try {
      await goto(session, `http://${originHost}/`);
      expect(await session.execute({ command: { target: 'page', op: 'title', args: [] } })).toBe(
        'Through the proxy',
      );
      const file = await session.download({ trigger: { kind: 'url', url: `http://${originHost}/file.csv` } });
      expect(Buffer.from(file.body).toString()).toBe('a,b\n1,2\n');
      // The page, its favicon and the download: every one a tunnel to the checked address.
      expect(connects.length).toBeGreaterThanOrEqual(2);
      expect(new Set(connects.map((c) => c.target))).toEqual(new Set([originHost]));
      expect(connects.every((c) => c.auth === undefined)).toBe(true);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('sends credentials to an HTTP proxy that asks for them; wrong ones are proxy-error with the password masked', async () => {
    requireAuth = true;
    connects.length = 0;
    const good = await provider.openSession({
      egress: egressFor(httpProxyPort),
      proxy: { server: `http://127.0.0.1:${httpProxyPort}`, username: 'ann', password: PASSWORD },
    });
    try {
      await goto(good, `http://${originHost}/`);
      expect(connects.at(-1)?.auth).toBe(`Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}`);
    } finally {
      await good.close();
    }
    const bad = await provider.openSession({
      egress: egressFor(httpProxyPort),
      proxy: { server: `http://127.0.0.1:${httpProxyPort}`, username: 'ann', password: 'wrong-password' },
    });
    try {
      const error = await goto(bad, `http://${originHost}/`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(WebTasksError.hasCode(error, 'proxy-error')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(`http://ann:***@127.0.0.1:${httpProxyPort}`);
      expect(message).toMatch(/refused the credentials \(407\).*proxy.username and proxy.password/);
      expect(message).not.toContain('wrong-password');
    } finally {
      await bad.close();
      requireAuth = false;
    }
  }, 60_000);

  it('goes through a SOCKS5 proxy, with and without credentials', async () => {
    socksTargets.length = 0;
    for (const credentials of [{}, { username: 'ann', password: PASSWORD }]) {
      const session = await provider.openSession({
        egress: egressFor(socksPort),
        proxy: { server: `socks5://127.0.0.1:${socksPort}`, ...credentials },
      });
      try {
        await goto(session, `http://${originHost}/`);
        expect(await session.execute({ command: { target: 'page', op: 'title', args: [] } })).toBe(
          'Through the proxy',
        );
      } finally {
        await session.close();
      }
    }
    expect(socksTargets.length).toBeGreaterThanOrEqual(2);
    expect(new Set(socksTargets)).toEqual(new Set([originHost]));
  }, 60_000);

  it('still applies the egress policy to the final destination: a denied one is never asked of the proxy', async () => {
    connects.length = 0;
    const session = await provider.openSession({
      egress: egressFor(httpProxyPort),
      proxy: { server: `http://127.0.0.1:${httpProxyPort}` },
    });
    try {
      const error = await goto(session, tripwire.url('/')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(WebTasksError.hasCode(error, 'policy-denied')).toBe(true);
      expect(connects).toEqual([]);
      expect(tripwire.connections).toEqual([]);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('refuses an unreachable proxy, a private one without an allow-list entry and a malformed one before any page loads', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const open = (proxy: { server: string; username?: string; password?: string }, allow: string[]) =>
      provider.openSession({ egress: { allowHosts: allow }, proxy }).then(
        async (s) => {
          await s.close();
          return undefined;
        },
        (e: unknown) => e as WebTasksError,
      );
    const unreachable = await open(
      { server: `http://127.0.0.1:${closedPort}`, username: 'ann', password: PASSWORD },
      [`127.0.0.1:${closedPort}`],
    );
    expect(unreachable?.code).toBe('proxy-error');
    expect(unreachable?.message).toContain(
      `http://ann:***@127.0.0.1:${closedPort} cannot be reached (ECONNREFUSED)`,
    );
    const privateProxy = await open({ server: `http://127.0.0.1:${httpProxyPort}` }, [originHost]);
    expect(privateProxy?.code).toBe('proxy-error');
    expect(privateProxy?.message).toMatch(
      /refused by the egress policy.*allow its host:port in egress.allowHosts/,
    );
    const malformed = await open({ server: `ftp://ann:${PASSWORD}@proxy.example` }, []);
    expect(malformed?.code).toBe('invalid-request');
    expect(malformed?.message).toContain('use http://, https:// or socks5://');
    for (const error of [unreachable, privateProxy, malformed])
      expect(error?.message).not.toContain(PASSWORD);
  }, 60_000);
});
