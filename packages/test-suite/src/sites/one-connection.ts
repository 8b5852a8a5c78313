import { createServer, type Socket } from 'node:net';

/** A site served one connection at a time (options of `startOneConnectionSite`). */
export interface OneConnectionSiteOptions {
  /** Close a connection that sent no request for this long, as such servers do. Default 30 000 ms. */
  idleTimeoutMs?: number;
}

/** A running one-connection-at-a-time site. */
export interface OneConnectionSite {
  baseUrl: string;
  port: number;
  /** Connections accepted so far, and the most that ever waited behind the busy one. */
  readonly stats: { accepted: number; maxQueued: number };
  close(): Promise<void>;
}

const PAGES = 5;

function page(path: string): { status: number; type: string; body: string } | undefined {
  if (path === '/style.css') return { status: 200, type: 'text/css', body: 'body { font-family: serif; }' };
  if (path === '/app.js')
    return { status: 200, type: 'text/javascript', body: 'document.body.dataset.ready = "yes";' };
  const match = /^\/(?:page\/(\d+))?$/.exec(path);
  if (!match) return undefined;
  const n = Number(match[1] ?? 0);
  if (n > PAGES) return undefined;
  const links = Array.from(
    { length: PAGES },
    (_, i) => `<li><a href="/page/${i + 1}">Page ${i + 1}</a></li>`,
  ).join('');
  return {
    status: 200,
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${n === 0 ? 'One worker' : `Page ${n}`}</title>
<link rel="stylesheet" href="/style.css"></head><body><h1>${n === 0 ? 'One worker' : `Page ${n}`}</h1><ul>${links}</ul>
<script src="/app.js"></script></body></html>`,
  };
}

/**
 * A site served like a single synchronous worker (a WSGI server's default): it accepts one
 * connection, reads one request, answers with `Connection: close` and closes; connections
 * that arrive meanwhile wait unread until it is free. An idle connection (a browser's
 * preconnected socket) holds the worker until it sends a request or the idle timeout passes.
 * Pages: `/`, `/page/1..5`, each with a stylesheet and a script.
 */
export async function startOneConnectionSite(
  options: OneConnectionSiteOptions = {},
): Promise<OneConnectionSite> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const queue: Socket[] = [];
  const stats = { accepted: 0, maxQueued: 0 };
  let busy = false;

  const next = () => {
    busy = false;
    const socket = queue.shift();
    if (socket) serve(socket);
  };
  const serve = (socket: Socket) => {
    if (socket.destroyed) {
      next();
      return;
    }
    busy = true;
    stats.accepted++;
    let buffered = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      next();
    };
    const idle = setTimeout(() => socket.destroy(), idleTimeoutMs);
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      if (!buffered.includes('\r\n\r\n')) return;
      socket.removeAllListeners('data');
      const path = (/^[A-Z]+ (\S+)/.exec(buffered)?.[1] ?? '/').split('?')[0]!;
      const found = page(path) ?? { status: 404, type: 'text/plain', body: 'not found' };
      const body = Buffer.from(found.body);
      socket.end(
        `HTTP/1.1 ${found.status} ${found.status === 200 ? 'OK' : 'Not Found'}\r\ncontent-type: ${found.type}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${found.body}`,
      );
    });
    socket.resume();
  };

  const server = createServer({ pauseOnConnect: true }, (socket) => {
    if (busy) {
      queue.push(socket);
      stats.maxQueued = Math.max(stats.maxQueued, queue.length);
      socket.on('close', () => {
        const at = queue.indexOf(socket);
        if (at >= 0) queue.splice(at, 1);
      });
      return;
    }
    serve(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    stats,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
