import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { FixtureRequest } from '../site-types.js';
import { serveRealFiles } from './files.js';
import { realShopResponse } from './shop.js';
import { realTraitResponse } from './traits.js';

/** Running fixture sites with the traits of real websites. */
export interface RealSites {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly baseUrl: string;
  /** An origin on 127.0.0.1 that accepts connections and never answers. */
  readonly hangingOrigin: string;
  /** An origin whose host does not resolve (`.invalid`, RFC 6761). */
  readonly unreachableOrigin: string;
  /** Requests the site answered, in order. */
  readonly requests: readonly FixtureRequest[];
  /** Forget the recorded requests. */
  clearRequests(): void;
  /** Connections the hanging origin accepted so far. */
  hangingConnections(): number;
  close(): Promise<void>;
}

/** The host of `RealSites.unreachableOrigin`: `.invalid` never resolves. */
export const UNREACHABLE_HOST = 'cdn.webtasks-fixture.invalid';

function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Start the real-trait sites on 127.0.0.1: the realistic-weight shop (`/real/shop/`), authors
 * behind 308 trailing-slash redirects (`/real/authors/`), a statically served single-page app
 * (`/real/spa/`), a page whose third-party subresources fail at DNS or hang (`/real/cdn/`), a
 * receipt built in the page and downloaded from a `blob:` URL (`/real/receipt/`), and a page of
 * a dozen downloads with a "Download all" button (`/real/exports/`), and a data-file listing of
 * 50 files from 1 KiB to 5 MiB (`/real/files/`).
 */
export async function startRealSites(): Promise<RealSites> {
  const held = new Set<Socket>();
  let accepted = 0;
  // Accepts, reads, never answers: a third-party host that hangs.
  const hanging = createNetServer((socket) => {
    accepted += 1;
    held.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => held.delete(socket));
    socket.resume();
  });
  const hangingPort = await listen(hanging);
  const origins = {
    hangingOrigin: `http://127.0.0.1:${hangingPort}`,
    unreachableOrigin: `http://${UNREACHABLE_HOST}`,
  };
  const requests: FixtureRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `http://${host}`);
    requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, host });
    if (serveRealFiles(req, res, url.pathname)) return;
    const response = realShopResponse(url.pathname) ?? realTraitResponse(url, origins);
    if (!response) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<h1>404 Not Found</h1>');
      return;
    }
    res.writeHead(response.status, { 'cache-control': 'no-store', ...response.headers });
    res.end(response.body === undefined ? undefined : Buffer.from(response.body));
  });
  const port = await listen(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    ...origins,
    requests,
    clearRequests() {
      requests.length = 0;
    },
    hangingConnections: () => accepted,
    async close() {
      for (const socket of held) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => hanging.close(() => resolve())),
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      ]);
    },
  };
}
