// The realistic-weight shop of @webtasks/test-suite served two ways, as real sites are:
// by a server with one worker that handles one connection at a time and closes it after each
// response (a Python WSGI server's default), and by a concurrent server.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { load } from './packages.mjs';

const STATUS_TEXT = { 200: 'OK', 404: 'Not Found', 400: 'Bad Request' };

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/**
 * One connection at a time: the next accepted connection is read only after the current one
 * was answered and closed (`Connection: close`). A connection that sends nothing holds the
 * worker until `idleTimeoutMs`, as a connection Chromium opened speculatively does.
 */
export async function startOneWorkerServer(respond, { idleTimeoutMs = 30_000 } = {}) {
  const waiting = [];
  const open = new Set();
  let busy = false;
  const next = () => {
    if (busy) return;
    const socket = waiting.shift();
    if (!socket) return;
    busy = true;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      busy = false;
      socket.destroy();
      setImmediate(next);
    };
    socket.setTimeout(idleTimeoutMs, finish);
    socket.on('error', finish);
    socket.on('close', finish);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.removeAllListeners('data');
      const [method, target = '/'] = head.split('\r\n', 1)[0].split(' ');
      const pathname = new URL(target, 'http://localhost').pathname;
      const response = method === 'GET' ? respond(pathname) : undefined;
      const status = response?.status ?? 404;
      const body = Buffer.from(response?.body ?? 'not found');
      const headers = { ...(response?.headers ?? { 'content-type': 'text/plain' }) };
      const lines = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'OK'}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      lines.push(`content-length: ${body.byteLength}`, 'connection: close', '', '');
      socket.write(lines.join('\r\n'));
      socket.end(body);
    });
    socket.resume();
  };
  const server = createNetServer({ pauseOnConnect: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    waiting.push(socket);
    next();
  });
  const port = await listen(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Every request answered at once, each on its own connection (`Connection: close`). */
export async function startConcurrentServer(respond) {
  const server = createHttpServer((request, response) => {
    const found = respond(new URL(request.url ?? '/', 'http://localhost').pathname);
    response.writeHead(found?.status ?? 404, { ...(found?.headers ?? {}), connection: 'close' });
    response.end(found?.body === undefined ? 'not found' : Buffer.from(found.body));
  });
  const port = await listen(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Both servers of the realistic shop. */
export async function startShopServers() {
  const { realShopResponse } = await load('@webtasks/test-suite');
  const [oneWorker, concurrent] = await Promise.all([
    startOneWorkerServer(realShopResponse),
    startConcurrentServer(realShopResponse),
  ]);
  return {
    oneWorker,
    concurrent,
    hosts: [new URL(oneWorker.baseUrl).host, new URL(concurrent.baseUrl).host],
    close: () => Promise.all([oneWorker.close(), concurrent.close()]),
  };
}
