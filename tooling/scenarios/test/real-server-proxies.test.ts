import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import socks from '@mongodb-js/socksv5';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealServer } from './real-server.js';

// Upstream proxies of each scheme the `proxy` field names (http, https, socks5), through the
// whole server process: real local proxies on 127.0.0.1 (the `proxy` package over HTTP and over
// TLS, a SOCKS5 server from @mongodb-js/socksv5), each recording what went through it, with and
// without credentials; the task loads a page and downloads a file by URL.
const PASSWORD = 'pa55-w0rd-secret';
type Scheme = 'http' | 'https' | 'socks5';
const seen: Record<Scheme, Array<{ target: string; user: string | undefined }>> = {
  http: [],
  https: [],
  socks5: [],
};
/** Whether each proxy asks for credentials (ann / PASSWORD) in the current test. */
const requireAuth: Record<Scheme, boolean> = { http: false, https: false, socks5: false };
const ports = {} as Record<Scheme, number>;
let origin: Server;
let originHost: string;
let closers: Array<() => Promise<void>> = [];
let certDir: string;
let server: RealServer;

const listen = async (listener: Server | ReturnType<typeof socks.createServer>): Promise<number> => {
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        (listener as Server).closeAllConnections?.();
        listener.close(() => resolve());
      }),
  );
  return (listener.address() as AddressInfo).port;
};

function basicUser(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  return Buffer.from(header.slice(6), 'base64').toString().split(':')[0];
}

/** The `proxy` package on `listener`, recording each request or CONNECT and checking credentials. */
function recordingHttpProxy(scheme: 'http' | 'https', listener: Server): Server {
  const proxy = createProxy(listener);
  proxy.authenticate = (req) => {
    const header = req.headers['proxy-authorization'];
    seen[scheme].push({ target: req.url ?? '', user: basicUser(header) });
    if (!requireAuth[scheme]) return true;
    return header === `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}`;
  };
  return proxy;
}

beforeAll(async () => {
  origin = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/file.csv' ? 'text/csv' : 'text/html' });
    res.end(req.url === '/file.csv' ? 'a,b\n1,2\n' : '<title>Through the proxy</title><p>hello</p>');
  });
  originHost = `127.0.0.1:${await listen(origin)}`;

  ports.http = await listen(recordingHttpProxy('http', createHttpServer()));

  // An HTTPS proxy needs a certificate the server trusts: a fresh self-signed one for
  // 127.0.0.1, handed to the server process through NODE_EXTRA_CA_CERTS.
  certDir = mkdtempSync(path.join(tmpdir(), 'webtasks-proxy-cert-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'],
      ...['-keyout', key, '-out', cert, '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ],
    { stdio: 'ignore' },
  );
  const tlsListener = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) });
  ports.https = await listen(recordingHttpProxy('https', tlsListener as unknown as Server));

  const socksServer = socks.createServer((info, accept) => {
    seen.socks5.push({ target: `${info.dstAddr}:${info.dstPort}`, user: socksUser });
    socksUser = undefined;
    accept();
  });
  let socksUser: string | undefined;
  socksServer.useAuth(
    socks.auth.UserPassword((user, password, callback) => {
      socksUser = user;
      callback(user === 'ann' && password === PASSWORD);
    }),
  );
  socksServer.useAuth(socks.auth.None());
  ports.socks5 = await listen(socksServer);

  server = await RealServer.start({
    // The origin and the three proxies (private addresses need an allow-list entry each), and the
    // HTTPS proxy by a name its certificate is not for.
    WEBTASKS_EGRESS_ALLOW_HOSTS: [
      originHost,
      ...Object.values(ports).map((p) => `127.0.0.1:${p}`),
      `localhost:${ports.https}`,
    ].join(','),
    WEBTASKS_SANDBOX_WORKERS: '1',
    NODE_EXTRA_CA_CERTS: cert,
  });
  await server.importBundle('through-proxy', THROUGH_PROXY);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await Promise.all(closers.map((close) => close()));
  closers = [];
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

const THROUGH_PROXY = `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
  if (!ctx.params.base) return { title: 'no page' };
  await ctx.page.goto(String(ctx.params.base) + '/');
  const file = await ctx.files.download(String(ctx.params.base) + '/file.csv');
  return { title: await ctx.page.title(), fileBytes: file.sizeBytes };
}
`;

const runThrough = (proxy: Record<string, string>) =>
  server.run({
    task: 'read through the proxy',
    reuseKey: 'through-proxy',
    parameters: { base: `http://${originHost}` },
    proxy,
  });

describe.each(['http', 'https', 'socks5'] as const)(
  'an upstream %s proxy',
  { timeout: 300_000 },
  (scheme) => {
    const proxyServer = () => `${scheme}://127.0.0.1:${ports[scheme]}`;

    it('carries the page and the download by URL, without credentials', async () => {
      requireAuth[scheme] = false;
      seen[scheme].length = 0;
      const result = await runThrough({ server: proxyServer() });
      expect(result, JSON.stringify(result).slice(0, 800)).toMatchObject({
        outcome: 'success',
        result: { data: { title: 'Through the proxy', fileBytes: 8 } },
      });
      // Both the page and the file went to the origin through this proxy (a tunnel per request).
      const targets = seen[scheme].map((s) => s.target);
      expect(targets.filter((t) => t.includes(originHost)).length).toBeGreaterThanOrEqual(2);
      expect(seen[scheme].every((s) => s.user === undefined)).toBe(true);
    });

    it('sends the credentials when asked; wrong ones end the task rejected with the password masked', async () => {
      requireAuth[scheme] = true;
      seen[scheme].length = 0;
      const ok = await runThrough({ server: proxyServer(), username: 'ann', password: PASSWORD });
      expect(ok, JSON.stringify(ok).slice(0, 800)).toMatchObject({
        outcome: 'success',
        result: { data: { title: 'Through the proxy', fileBytes: 8 } },
      });
      expect(seen[scheme].filter((s) => s.user === 'ann').length).toBeGreaterThanOrEqual(2);

      const wrong = await runThrough({
        server: proxyServer(),
        username: 'ann',
        password: 'not-the-password',
      });
      expect(wrong).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
      const text = JSON.stringify(wrong);
      expect(text).toContain(`ann:***@127.0.0.1:${ports[scheme]}`);
      expect(text).toMatch(/credentials/);
      expect(text).not.toContain('not-the-password');
      expect(server.output.join('')).not.toContain(PASSWORD);
      requireAuth[scheme] = false;
    });
  },
);

describe('an https proxy whose certificate does not match', { timeout: 300_000 }, () => {
  it('ends the task rejected, saying the certificate is not trusted and what to do', async () => {
    // The certificate is for 127.0.0.1; by the name localhost it does not match.
    const result = await runThrough({ server: `https://localhost:${ports.https}` });
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
    const message = (result.error as { message: string }).message;
    expect(message).toContain(`https://localhost:${ports.https}`);
    expect(message).toMatch(/TLS certificate that is not trusted .*NODE_EXTRA_CA_CERTS/);
  });
});
