import { createServer, type Server } from 'node:net';

/** A listener on a denied address that records every connection it is offered. */
export interface Tripwire {
  /** The address it listens on (`127.0.0.1`, `::1`, `0.0.0.0`, `::`). */
  readonly host: string;
  readonly port: number;
  /** Every connection accepted, oldest first. */
  readonly connections: ReadonlyArray<{ remote: string; at: number; firstBytes: string }>;
  /** `http://<host>:<port><path>`, with `host` the address to reach it by (default: the listening one). */
  url(path?: string, host?: string): string;
  close(): Promise<void>;
}

/**
 * Listen on `host` and `port` (default: chosen by the system) and record every TCP connection. It answers
 * HTTP requests with a small page, so a control that is allowed to reach it completes.
 */
export async function startTripwire(host = '127.0.0.1', port = 0): Promise<Tripwire> {
  const connections: Array<{ remote: string; at: number; firstBytes: string }> = [];
  const server: Server = createServer((socket) => {
    const entry = { remote: `${socket.remoteAddress}:${socket.remotePort}`, at: Date.now(), firstBytes: '' };
    connections.push(entry);
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      entry.firstBytes = chunk.subarray(0, 200).toString('latin1');
      if (/^[A-Z]+ \S+ HTTP\/1/.test(entry.firstBytes)) {
        socket.end(
          'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 24\r\nconnection: close\r\n\r\n<title>tripwire</title>\n',
        );
      }
    });
    setTimeout(() => socket.destroy(), 5000).unref();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : 0;
  return {
    host,
    port: bound,
    connections,
    url(path = '/', reachBy = host) {
      return `http://${reachBy.includes(':') ? `[${reachBy}]` : reachBy}:${bound}${path}`;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
