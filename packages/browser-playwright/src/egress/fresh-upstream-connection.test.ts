import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider } from '../index.js';

// A server that drops every keep-alive connection on its second request without answering,
// as a server does when it closes an idle socket just as the client reuses it. The egress
// proxy opens one upstream connection per request (and asks the server to close it).
let server: Server;
let baseUrl: string;
const seen: Array<{ method: string; url: string; dropped: boolean }> = [];

beforeAll(async () => {
  const served = new WeakMap<Socket, number>();
  server = createServer((request, response) => {
    const count = (served.get(request.socket) ?? 0) + 1;
    served.set(request.socket, count);
    const dropped = count >= 2;
    seen.push({ method: request.method ?? '', url: request.url ?? '', dropped });
    if (dropped) {
      request.socket.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html', connection: 'keep-alive' });
    response.end(
      `<title>${request.url}</title><form method="post" action="/posted"><button>Send</button></form>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('egress proxy and servers that drop keep-alive connections', () => {
  it('sends each request on a fresh upstream connection, so a dropped idle socket never fails a page, and sends a POST once', async () => {
    const provider = createPlaywrightBrowserProvider({ egress: { allowHosts: [new URL(baseUrl).host] } });
    const session = await provider.openSession();
    try {
      for (const path of ['/a', '/b', '/c']) {
        await session.execute({ command: { target: 'page', op: 'goto', args: [`${baseUrl}${path}`] } });
        expect(await session.execute({ command: { target: 'page', op: 'title', args: [] } })).toBe(path);
      }
      // Never a second request on one upstream socket: nothing was dropped.
      expect(seen.filter((r) => r.dropped)).toEqual([]);

      seen.length = 0;
      await session
        .execute({
          command: {
            target: 'locator',
            op: 'click',
            locator: [{ kind: 'locator', selector: 'button' }],
            args: [],
          },
        })
        .catch(() => undefined);
      await session
        .execute({ command: { target: 'page', op: 'waitForLoadState', args: ['load'] } })
        .catch(() => undefined);
      // The POST went out once; whether it was answered or dropped, it was not sent again.
      expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1);
    } finally {
      await session.close();
      await provider.close();
    }
  }, 60_000);
});
