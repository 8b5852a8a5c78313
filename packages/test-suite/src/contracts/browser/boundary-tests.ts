import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { expect } from 'vitest';
import { HOSTILE_VECTORS, type HostileVector } from '../../sites/hostile.js';
import { startTripwire, type Tripwire } from '../../sites/tripwire.js';
import { expectWebTasksError } from '../stores/contract-options.js';
import { type BrowserTestRegistrar, type Driver, fn } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The host's own non-loopback addresses (a service bound to 0.0.0.0 or :: answers on them). */
function ownAddresses(): { v4?: string; v6?: string } {
  const all = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []);
  const external = all.filter((e) => !e.internal && !e.address.startsWith('fe80'));
  return {
    ...(external.find((e) => e.family === 'IPv4')
      ? { v4: external.find((e) => e.family === 'IPv4')!.address }
      : {}),
    ...(external.find((e) => e.family === 'IPv6')
      ? { v6: external.find((e) => e.family === 'IPv6')!.address }
      : {}),
  };
}

/** `/testing/redirect` nested `hops` times on the fixture host, ending at `target`. */
function redirectChain(baseUrl: string, hops: number, target: string): string {
  const statuses = [302, 307, 308];
  let url = target;
  for (let hop = hops; hop >= 1; hop--) {
    url = `${baseUrl}/testing/redirect?status=${statuses[hop % 3]}&to=${encodeURIComponent(url)}`;
  }
  return url;
}

async function startTripwires(): Promise<Tripwire[]> {
  const wires = [await startTripwire('127.0.0.1'), await startTripwire('0.0.0.0')];
  for (const host of ['::1', '::']) {
    try {
      wires.push(await startTripwire(host));
    } catch {
      // No IPv6 on this machine.
    }
  }
  return wires;
}

/** Vectors a page can use that, when allowed, must reach the target (the control proves they fire). */
const MUST_FIRE_WHEN_ALLOWED: ReadonlySet<HostileVector> = new Set([
  'location',
  'popup',
  'iframe',
  'meta-refresh',
  'link-prefetch',
  'web-worker',
  'service-worker',
  'beacon',
  'ping',
  'fetch',
  'websocket',
  'webrtc-turn-tcp',
]);
// Not in the set: behind a proxy Chromium issued no speculation-rules prefetch or prerender
// and no preconnect tunnel even when allowed (Chromium 14x, measured); they still run in the
// denied pass, where nothing may connect.

async function visit(d: Driver, baseUrl: string, vector: HostileVector, target: string): Promise<void> {
  await d.goto(`${baseUrl}/hostile/${vector}?target=${encodeURIComponent(target)}`).catch(() => {});
}

/**
 * The egress boundary: every path out of the browser, each against a listener on a denied
 * address that must see no connection at all. Each family has a control that is allowed to
 * reach the listener, so a path that silently stopped firing cannot pass for a blocked one.
 */
export function registerBoundaryTests(test: BrowserTestRegistrar): void {
  test(
    'boundary: redirect chains of 2–5 hops (302/307/308) to loopback, [::1], private, link-local and the host’s own addresses connect to nothing',
    async ({ open, sites }) => {
      const wires = await startTripwires();
      try {
        const own = ownAddresses();
        const byHost = (host: string) => wires.find((w) => w.host === host);
        const targets = [
          byHost('127.0.0.1')!.url('/loopback'),
          `http://localhost:${byHost('127.0.0.1')!.port}/name`,
          // The fixture server's own port under a name the allow-list does not hold.
          `http://localhost:${sites.port}/testing/cookies?own-port`,
          ...(byHost('::1') ? [byHost('::1')!.url('/v6-loopback')] : []),
          ...(own.v4 ? [byHost('0.0.0.0')!.url('/own-v4', own.v4)] : []),
          ...(own.v6 && byHost('::') ? [byHost('::')!.url('/own-v6', own.v6)] : []),
          'http://169.254.169.254/latest/meta-data/',
          'http://10.0.0.1/',
          'http://[fe80::1]/',
        ];
        const d = await open();
        sites.clearRequests();
        for (const target of targets) {
          for (const hops of [2, 3, 5]) {
            const error = await expectWebTasksError(
              d.page('goto', redirectChain(sites.baseUrl, hops, target)),
              'policy-denied',
            );
            expect(error.message, `${hops} hops to ${target}`).toContain(new URL(target).host);
          }
        }
        for (const wire of wires) expect(wire.connections, `listener on ${wire.host}`).toEqual([]);
        expect(sites.requests.filter((r) => !r.path.startsWith('/testing/redirect'))).toEqual([]);

        // Control: allowed, the same chain does reach the listener.
        const loopback = byHost('127.0.0.1')!;
        const allowed = await open({
          egress: { allowHosts: [`127.0.0.1:${sites.port}`, `127.0.0.1:${loopback.port}`] },
        });
        await allowed.page('goto', redirectChain(sites.baseUrl, 4, loopback.url('/control')));
        expect(await allowed.page('title')).toBe('tripwire');
        expect(loopback.connections.length).toBeGreaterThan(0);
      } finally {
        await Promise.all(wires.map((w) => w.close()));
      }
    },
    { timeoutMs: 90_000 },
  );

  test(
    'boundary: location, popups, iframes, meta refresh, speculation rules, prefetch, preconnect, workers, beacons, pings, WebSockets and WebRTC over TURN/TCP connect to nothing denied',
    async ({ open, sites }) => {
      const wire = await startTripwire('127.0.0.1');
      try {
        const targetFor = (vector: HostileVector) =>
          vector === 'link-preconnect' ? `https://127.0.0.1:${wire.port}/` : wire.url(`/${vector}`);
        // Control: with the listener allowed, each vector reaches it.
        const fired = new Set<HostileVector>();
        const control = await open({
          egress: { allowHosts: [`127.0.0.1:${sites.port}`, `127.0.0.1:${wire.port}`] },
        });
        for (const vector of HOSTILE_VECTORS) {
          const before = wire.connections.length;
          await visit(control, sites.baseUrl, vector, targetFor(vector));
          for (let waited = 0; waited < 3000 && wire.connections.length === before; waited += 100)
            await sleep(100);
          if (wire.connections.length > before) fired.add(vector);
        }
        await control.session.close();
        for (const vector of MUST_FIRE_WHEN_ALLOWED)
          expect(fired, `control: ${vector} reaches an allowed listener`).toContain(vector);
        await sleep(500);
        const afterControl = wire.connections.length;

        // Denied: the same pages, the listener not allowed.
        const d = await open();
        for (const vector of HOSTILE_VECTORS) {
          await visit(d, sites.baseUrl, vector, targetFor(vector));
          await sleep(vector === 'service-worker' || vector.startsWith('webrtc') ? 1500 : 400);
          expect(wire.connections.slice(afterControl), `${vector} connected to the denied listener`).toEqual(
            [],
          );
        }
        // A refused navigation is explained in the next snapshot.
        await visit(d, sites.baseUrl, 'location', wire.url('/noted'));
        await sleep(300);
        const snapshot = await d.session.observe();
        expect(snapshot.text).toContain(`the egress policy blocked a navigation to ${wire.url('/noted')}`);
      } finally {
        await wire.close();
      }
    },
    { timeoutMs: 120_000 },
  );

  test('boundary: WebRTC sends no UDP (STUN, TURN over UDP), even to an address the policy allows', async ({
    open,
  }) => {
    const udp = createSocket('udp4');
    const datagrams: string[] = [];
    udp.on('message', (_message, from) => datagrams.push(`${from.address}:${from.port}`));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const { port } = udp.address();
    try {
      const d = await open({ egress: { allowHosts: ['127.0.0.1'] } });
      await d.goto('/testing/controls');
      const gathered = await d.page(
        'evaluate',
        fn(async (udpPort: number) => {
          const pc = new RTCPeerConnection({
            iceServers: [
              { urls: `stun:127.0.0.1:${udpPort}` },
              { urls: `turn:127.0.0.1:${udpPort}?transport=udp`, username: 'u', credential: 'p' },
            ],
          });
          pc.createDataChannel('x');
          const candidates: string[] = [];
          pc.onicecandidate = (e) => {
            if (e.candidate) candidates.push(e.candidate.candidate);
          };
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise((resolve) => setTimeout(resolve, 2000));
          pc.close();
          return candidates.filter((c) => / udp /i.test(c)).length;
        }),
        port,
      );
      expect(gathered).toBe(0);
      expect(datagrams).toEqual([]);
    } finally {
      udp.close();
    }
  });
}
