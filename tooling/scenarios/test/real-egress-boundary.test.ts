import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  type FixtureSites,
  HOSTILE_VECTORS,
  startFixtureSites,
  startTripwire,
  type Tripwire,
} from '@webtasks/test-suite';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealEngine } from './real-harness.js';

// The egress boundary through the whole engine: saved code (no model) run by the engine in
// real Chromium and isolates, against listeners on denied addresses that must see nothing.
const WS = 'ws_boundary';
let sites: FixtureSites;
let wires: Tripwire[];
let rebound: Tripwire;
let h: ReturnType<typeof createRealEngine>;
let lookups = 0;

beforeAll(async () => {
  sites = await startFixtureSites();
  wires = [await startTripwire('127.0.0.1'), await startTripwire('0.0.0.0')];
  try {
    wires.push(await startTripwire('::1'));
  } catch {}
  // Where `rebind.test` leads on every second answer: another loopback address, same port.
  rebound = await startTripwire('127.0.0.2', sites.port);
  h = createRealEngine({
    sites,
    limits: { maxRepairAttempts: 0 },
    browser: {
      // An IP entry allows names that resolve to it; the second answer is denied.
      egress: { allowHosts: [`127.0.0.1:${sites.port}`] },
      lookup: async (host) => {
        if (host !== 'rebind.test') throw new Error(`ENOTFOUND ${host}`);
        return lookups++ % 2 === 0 ? ['127.0.0.1'] : ['127.0.0.2'];
      },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([...(wires ?? []), rebound].filter(Boolean).map((w) => w.close()));
  await sites?.close();
});

async function runSaved(source: string, request: Record<string, unknown> = {}) {
  const reuseKey = `b-${Math.random().toString(36).slice(2)}`;
  // The saved run is what is under test: no verification run at import.
  await h.engine.bundles.import({
    workspaceId: WS,
    reuseKey,
    source,
    outputSchema: { type: 'object' },
    verify: false,
  });
  const result = await h.engine.run({ workspaceId: WS, request: { task: 'boundary', reuseKey, ...request } });
  const history = await h.bundles.history({ workspaceId: WS, reuseKey });
  return { result, versions: history.map((b) => b.version) };
}

const program = (body: string) => `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
${body}
}
`;

function chain(hops: number, target: string): string {
  let url = target;
  for (let hop = hops; hop >= 1; hop--)
    url = `${sites.baseUrl}/testing/redirect?status=${[302, 307, 308][hop % 3]}&to=${encodeURIComponent(url)}`;
  return url;
}

const noConnections = () => {
  for (const wire of [...wires, rebound]) expect(wire.connections, `listener on ${wire.host}`).toEqual([]);
};

describe('the egress boundary through the engine', { timeout: 180_000 }, () => {
  it('redirect chains of 2–5 hops to loopback, [::1] and the host’s own address fail the task as rejected, reaching nothing', async () => {
    const own = Object.values(networkInterfaces())
      .flatMap((e) => e ?? [])
      .find((e) => !e.internal && e.family === 'IPv4')?.address;
    const targets = [
      wires[0]!.url('/loopback'),
      ...(wires[2] ? [wires[2].url('/v6')] : []),
      ...(own ? [wires[1]!.url('/own', own)] : []),
      'http://169.254.169.254/latest/meta-data/',
      // The fixture server's own port, under a name the allow-list does not hold.
      `http://localhost:${sites.port}/testing/cookies?own-port`,
    ];
    for (const [i, target] of targets.entries()) {
      const { result, versions } = await runSaved(
        program(`  await ctx.page.goto(${JSON.stringify(chain(2 + (i % 4), target))});
  return { title: await ctx.page.title() };`),
      );
      expect(result, target).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
      if (result.status === 'completed' && result.outcome === 'failed')
        expect(result.error.message).toMatch(/egress policy/);
      expect(versions).toEqual([1]);
    }
    expect(h.model.calls).toHaveLength(0);
    expect(
      sites.requests.filter((r) => r.path.startsWith('/testing/cookies') || r.host.startsWith('localhost')),
    ).toEqual([]);
    noConnections();
  });

  it('pages that open connections by themselves (every hostile vector) reach nothing denied, and the run still succeeds', async () => {
    const target = wires[0]!.url('/vector');
    const urls = HOSTILE_VECTORS.map(
      (v) =>
        `${sites.baseUrl}/hostile/${v}?target=${encodeURIComponent(v === 'link-preconnect' ? target.replace('http:', 'https:') : target)}`,
    );
    const { result } = await runSaved(
      program(`  const urls: string[] = ${JSON.stringify(urls)};
  for (const url of urls) {
    try { await ctx.page.goto(url); } catch {}
    await ctx.page.waitForTimeout(300);
  }
  await ctx.page.waitForTimeout(1000);
  return { visited: urls.length };`),
    );
    expect(result).toMatchObject({
      outcome: 'success',
      result: { data: { visited: HOSTILE_VECTORS.length } },
    });
    noConnections();
  });

  it('a name whose DNS answer changes between lookups is connected only at the address that was checked', async () => {
    const url = `http://rebind.test:${sites.port}/tables/simple`;
    const { result } = await runSaved(
      program(`  const titles: string[] = [];
  for (let i = 0; i < 4; i++) {
    try { await ctx.page.goto(${JSON.stringify(url)}); titles.push(await ctx.page.title()); } catch (e) { titles.push('refused'); }
  }
  return { titles };`),
    );
    expect(result.status === 'completed' && result.outcome).toBe('success');
    const titles = (result as { result: { data: { titles: string[] } } }).result.data.titles;
    expect(titles).toContain('Simple table');
    expect(lookups).toBeGreaterThan(0);
    noConnections();
  });
});

describe('upstream proxies through the engine', { timeout: 180_000 }, () => {
  let proxy: Server;
  let proxyPort: number;
  const seen: string[] = [];
  beforeAll(async () => {
    proxy = createProxy(createHttpServer());
    (proxy as ReturnType<typeof createProxy>).authenticate = (req) => {
      seen.push(req.url ?? '');
      return req.headers['proxy-authorization'] === `Basic ${Buffer.from('ann:right').toString('base64')}`;
    };
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });
  const readTable = program(`  await ctx.page.goto(${JSON.stringify('__URL__')});
  return { title: await ctx.page.title() };`);

  it('runs the task through the proxy; wrong credentials, an unreachable or a private proxy are rejected with the password masked', async () => {
    const source = readTable.replace('__URL__', `${sites.baseUrl}/tables/simple`);
    const server = `http://127.0.0.1:${proxyPort}`;
    // Allowed: the fixture host and (for this engine) the proxy's address via a second engine.
    const engine = createRealEngine({
      sites,
      limits: { maxRepairAttempts: 0 },
      browser: { egress: { allowHosts: [`127.0.0.1:${proxyPort}`] } },
    });
    try {
      const run = async (proxySettings: Record<string, string>) => {
        const reuseKey = `p-${Math.random().toString(36).slice(2)}`;
        await engine.engine.bundles.import({
          workspaceId: WS,
          reuseKey,
          source,
          outputSchema: { type: 'object' },
          // The run through the proxy is under test: no verification run (without it) at import.
          verify: false,
        });
        const result = await engine.engine.run({
          workspaceId: WS,
          request: { task: 'read', reuseKey, proxy: proxySettings as never },
        });
        const record = await engine.engine.getTask({ workspaceId: WS, webTaskId: result.webTaskId });
        return {
          result,
          record,
          versions: (await engine.bundles.history({ workspaceId: WS, reuseKey })).length,
        };
      };
      const ok = await run({ server, username: 'ann', password: 'right' });
      expect(ok.result).toMatchObject({ outcome: 'success', result: { data: { title: 'Simple table' } } });
      expect(seen).toContain(`127.0.0.1:${sites.port}`);
      expect(JSON.stringify(ok.record)).not.toContain('right');
      expect(ok.record?.request.proxy).toEqual({ server, username: 'ann', hasPassword: true });

      const wrong = await run({ server, username: 'ann', password: 'wrong-secret' });
      expect(wrong.result).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
      const message =
        wrong.result.status === 'completed' && wrong.result.outcome === 'failed'
          ? wrong.result.error.message
          : '';
      expect(message).toContain(`http://ann:***@127.0.0.1:${proxyPort}`);
      expect(message).toMatch(/refused the credentials/);
      expect(JSON.stringify([wrong.result, wrong.record])).not.toContain('wrong-secret');
      expect(wrong.versions).toBe(1);

      const unreachable = await run({
        server: 'http://127.0.0.1:9',
        username: 'ann',
        password: 'wrong-secret',
      });
      expect(unreachable.result).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
      expect(JSON.stringify(unreachable.result)).toMatch(
        /http:\/\/ann:\*\*\*@127\.0\.0\.1:9 .*(cannot be reached|refused by the egress policy)/,
      );

      const privateProxy = await run({ server: 'http://10.255.255.1:3128' });
      expect(privateProxy.result).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
      expect(JSON.stringify(privateProxy.result)).toMatch(/refused by the egress policy/);

      await expect(
        engine.engine.start({
          workspaceId: WS,
          request: { task: 'read', proxy: { server: 'ftp://x' } } as never,
        }),
      ).rejects.toMatchObject({ code: 'invalid-request' });
      expect(engine.model.calls).toHaveLength(0);
    } finally {
      await engine.close();
    }
  });
});
