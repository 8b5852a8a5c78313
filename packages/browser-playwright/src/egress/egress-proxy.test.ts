import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEgressGuard, type HostLookup, silentLogger } from '@webtasks/core';
import { startTripwire, type Tripwire } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EgressDenial } from './egress-denial.js';
import { type EgressProxy, startEgressProxy } from './egress-proxy.js';
import { createTransferBudget } from './transfer-budget.js';

let origin: Server;
let port: number;
let tripwire: Tripwire;
const served: string[] = [];

beforeAll(async () => {
  origin = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on('drain', pump);
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
    res.end(`origin ${req.url}`);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  port = (origin.address() as AddressInfo).port;
  // A listener on another loopback address, same port: where a rebound name would lead.
  tripwire = await startTripwire('127.0.0.2', port);
});
afterAll(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
  await tripwire?.close();
});

function get(
  proxy: EgressProxy,
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(proxy.server);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: Number(target.port), path: url, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
        res.on('aborted', () => resolve({ status: -1, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function connectThrough(proxy: EgressProxy, authority: string): Promise<{ status: number; ms: number }> {
  const target = new URL(proxy.server);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: Number(target.port),
      method: 'CONNECT',
      path: authority,
      agent: false,
    });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
    });
    req.on('error', reject);
    req.end();
  });
}

async function withProxy(
  options: { allowHosts?: string[]; lookup?: HostLookup; budgetBytes?: number },
  body: (proxy: EgressProxy, denials: EgressDenial[]) => Promise<void>,
): Promise<void> {
  const denials: EgressDenial[] = [];
  const guard = createEgressGuard(
    { allowHosts: options.allowHosts ?? [] },
    { ...(options.lookup ? { lookup: options.lookup } : {}), cacheTtlMs: 0 },
  );
  const proxy = await startEgressProxy({
    guard,
    budget: createTransferBudget(options.budgetBytes ?? 1024 ** 3, () => {}),
    connectTimeoutMs: 2000,
    logger: silentLogger,
    onDenied: (d) => denials.push(d),
  });
  try {
    await body(proxy, denials);
  } finally {
    await proxy.close();
  }
}

describe('egress proxy', () => {
  it('forwards allowed requests with every header, and refuses denied ones at once with the reason', async () => {
    await withProxy({ allowHosts: [`127.0.0.1:${port}`] }, async (proxy, denials) => {
      const ok = await get(proxy, `http://127.0.0.1:${port}/hello`);
      expect(ok).toMatchObject({ status: 200, body: 'origin /hello' });
      expect(ok.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      const denied = await get(proxy, `http://127.0.0.2:${port}/secret`);
      expect(denied.status).toBe(403);
      expect(denied.headers['x-webtasks-egress']).toBe('denied');
      expect(denied.body).toContain('127.0.0.2 is a loopback address');
      expect(denials.map((d) => d.url)).toEqual([`http://127.0.0.2:${port}/secret`]);
      const tunnel = await connectThrough(proxy, `127.0.0.2:${port}`);
      expect(tunnel.status).toBe(403);
      expect(tunnel.ms).toBeLessThan(1000);
      expect(tripwire.connections).toEqual([]);
    });
  });

  it('connects to exactly the address it checked: a name whose answer changes on every lookup never reaches the rebound address', async () => {
    let lookups = 0;
    // First answer allowed (the IP entry allows names resolving to it), then a denied one, alternating.
    const lookup: HostLookup = async () => (lookups++ % 2 === 0 ? ['127.0.0.1'] : ['127.0.0.2']);
    await withProxy({ allowHosts: [`127.0.0.1:${port}`], lookup }, async (proxy) => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await get(proxy, `http://rebind.test:${port}/r${i}`)).status);
      for (let i = 0; i < 4; i++) statuses.push((await connectThrough(proxy, `rebind.test:${port}`)).status);
      expect(statuses).toEqual([200, 403, 200, 403, 200, 403, 200, 403, 200, 403]);
      expect(lookups).toBe(10);
      expect(tripwire.connections).toEqual([]);
    });
  });

  it('carries bytes both ways through an allowed CONNECT tunnel (as HTTPS and WebSockets use it)', async () => {
    await withProxy({ allowHosts: [`127.0.0.1:${port}`] }, async (proxy) => {
      const target = new URL(proxy.server);
      const answer = await new Promise<string>((resolve, reject) => {
        const req = request({
          host: target.hostname,
          port: Number(target.port),
          method: 'CONNECT',
          path: `127.0.0.1:${port}`,
          agent: false,
        });
        req.on('connect', (res, socket) => {
          expect(res.statusCode).toBe(200);
          let text = '';
          socket.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          socket.on('end', () => resolve(text));
          socket.write(`GET /tunnelled HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain('origin /tunnelled');
    });
  });

  it('answers 502 at once when the destination refuses the connection, and never hangs', async () => {
    await withProxy({ allowHosts: ['127.0.0.1'] }, async (proxy) => {
      const started = Date.now();
      const answer = await get(proxy, 'http://127.0.0.1:9/');
      expect(answer.status).toBe(502);
      expect(answer.headers['x-webtasks-egress']).toBe('unreachable');
      expect(answer.body).toContain('ECONNREFUSED');
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  it('streams an endless body and cuts it once the transfer budget is spent; later requests are refused', async () => {
    const budgetBytes = 8 * 1024 * 1024;
    const denials: EgressDenial[] = [];
    const guard = createEgressGuard({ allowHosts: [`127.0.0.1:${port}`] });
    let spent = 0;
    const proxy = await startEgressProxy({
      guard,
      budget: createTransferBudget(budgetBytes, () => spent++),
      connectTimeoutMs: 2000,
      logger: silentLogger,
      onDenied: (d) => denials.push(d),
    });
    try {
      const endless = await get(proxy, `http://127.0.0.1:${port}/endless`);
      expect(endless.status).toBe(-1); // cut mid-body
      expect(endless.body.length).toBeGreaterThan(budgetBytes / 2);
      expect(endless.body.length).toBeLessThan(budgetBytes * 2);
      expect(spent).toBe(1);
      const after = await get(proxy, `http://127.0.0.1:${port}/hello`);
      expect(after.status).toBe(403);
      expect(after.body).toContain('transfer budget');
    } finally {
      await proxy.close();
    }
  });
});
