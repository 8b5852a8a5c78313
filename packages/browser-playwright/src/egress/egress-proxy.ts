import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EgressGuard, Logger } from '@webtasks/core';
import { type ConnectResult, connectDestination } from './connect-destination.js';
import { DENIED_HEADER, type EgressDenial } from './egress-denial.js';
import type { TransferBudget } from './transfer-budget.js';
import type { UpstreamProxy, UpstreamProxyError } from './upstream-proxy.js';

/** Options of `startEgressProxy`. */
export interface EgressProxyOptions {
  guard: EgressGuard;
  budget: TransferBudget;
  /** Chain every connection through this proxy (the policy still applies to the destination). */
  upstream?: UpstreamProxy;
  connectTimeoutMs: number;
  logger: Logger;
  onDenied(denial: EgressDenial): void;
  /** The upstream proxy could not be used (unreachable, refused the credentials). */
  onUpstreamFailure?(failure: UpstreamProxyError): void;
}

/** A running egress proxy: one per browser session. */
export interface EgressProxy {
  /** `http://127.0.0.1:<port>`, for Chromium's proxy setting. */
  readonly server: string;
  /**
   * A connection to `host:port` for the engine's own requests (downloads by URL), with the
   * checks a proxied connection gets: the transfer budget, the policy on the name and every
   * address (exactly the checked address is connected), the upstream proxy; refusals are
   * recorded like the proxy's own. The socket is closed with the proxy and when the budget
   * is spent.
   */
  connect(target: { host: string; port: number; url: string }): Promise<ConnectResult>;
  /** Count bytes moved on a connection from `connect`; false once the budget is spent. */
  count(bytes: number): boolean;
  /** Close the listener and every connection through it. */
  close(): Promise<void>;
}

/** Headers that belong to one hop, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
]);

function forwardHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/**
 * Start the egress proxy of one session on 127.0.0.1 (a port of its own). Chromium sends it
 * every request: plain HTTP in absolute form, everything else (HTTPS, WebSockets, WebRTC over
 * TCP) as CONNECT. Each destination is resolved once and checked (name, every address, this
 * host's own interfaces), then exactly that address is connected; upstream sockets open only
 * when a request arrives, one per request, closed after its answer. Refusals are answered at
 * once: a 403 with the reason (header `x-webtasks-egress: denied`), a 502 when the destination
 * cannot be reached. Bodies stream with backpressure; every byte is counted against the
 * session's transfer budget, and once it is spent every connection is cut.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const { logger, budget } = options;
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const record = (url: string, result: Extract<ConnectResult, { denied: true }>, resourceType: string) => {
    options.onDenied({ url, reason: result.reason, kind: result.kind, resourceType, at: Date.now() });
    logger.debug('egress denied', { url, reason: result.reason });
  };
  const failed = (result: Extract<ConnectResult, { ok: false }>) => {
    if (!result.denied && result.upstream) options.onUpstreamFailure?.(result.upstream);
  };
  const spentReason = () =>
    `the session's transfer budget of ${Math.round(budget.limitBytes / 1048576)} MiB is spent`;
  const count = (bytes: number) => {
    if (!budget.add(bytes)) for (const socket of sockets) socket.destroy();
    return !budget.spent;
  };
  const connect = async (host: string, port: number): Promise<ConnectResult> => {
    if (budget.spent) return { ok: false, denied: true, kind: 'budget', reason: spentReason() };
    return connectDestination(host, port, options);
  };

  const refuse = (res: ServerResponse, status: number, message: string, denied: boolean) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      [DENIED_HEADER]: denied ? 'denied' : 'unreachable',
      [`${DENIED_HEADER}-reason`]: encodeURIComponent(message),
    });
    res.end(`${denied ? 'Blocked by the webtasks egress policy' : 'webtasks egress proxy'}: ${message}\n`);
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      refuse(res, 400, 'this is an egress proxy: send absolute URLs', false);
      return;
    }
    if (url.protocol !== 'http:') {
      refuse(res, 400, `${url.protocol} URLs go through CONNECT`, false);
      return;
    }
    const result = await connect(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80));
    if (!result.ok) {
      if (result.denied) record(url.href, result, 'http');
      else failed(result);
      refuse(res, result.denied ? 403 : 502, result.reason, result.denied);
      req.resume();
      return;
    }
    const upstreamSocket = result.socket;
    track(upstreamSocket);
    const upstream = httpRequest({
      createConnection: () => upstreamSocket as Socket,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: [...forwardHeaders(req.rawHeaders), 'Connection', 'close'],
      setHost: false,
    });
    // A tunnel through an upstream proxy arrives paused (nothing read before a listener).
    upstream.on('socket', (socket) => socket.resume());
    upstream.on('response', (answer) => {
      if (res.destroyed) {
        upstreamSocket.destroy();
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardHeaders(answer.rawHeaders));
      answer.on('data', (chunk: Buffer) => count(chunk.length));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      logger.debug('egress upstream request failed', { url: url.href, error: error.message });
      if (budget.spent) refuse(res, 403, spentReason(), true);
      else refuse(res, 502, `${url.host} dropped the connection (${error.message})`, false);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstreamSocket.destroy();
    });
    req.on('data', (chunk: Buffer) => count(chunk.length));
    req.pipe(upstream);
  };

  const onTunnel = async (req: IncomingMessage, client: Duplex, head: Buffer, rawRequest?: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const authority = rawRequest ? undefined : parseAuthority(req.url ?? '');
    let target: { host: string; port: number; url: string } | undefined;
    if (authority) {
      target = { ...authority, url: `https://${req.url}/` };
    } else if (rawRequest) {
      try {
        const url = new URL(req.url ?? '');
        target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), url: url.href };
      } catch {}
    }
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const result = await connect(target.host, target.port);
    if (!result.ok) {
      if (result.denied) record(target.url, result, rawRequest ? 'websocket' : 'tunnel');
      else failed(result);
      const status = result.denied ? '403 Forbidden' : '502 Bad Gateway';
      const body = `${result.reason}\n`;
      client.end(
        `HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\n${result.denied ? `${DENIED_HEADER}: denied\r\n` : ''}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const upstream = result.socket;
    track(upstream);
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    if (rawRequest) upstream.write(rawRequest);
    else client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.on('data', (chunk: Buffer) => count(chunk.length));
    client.on('data', (chunk: Buffer) => count(chunk.length));
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    onRequest(req, res).catch((error) => {
      logger.warn('egress proxy request failed', { error: String(error) });
      refuse(res, 502, 'internal proxy error', false);
    });
  });
  server.on('connection', track);
  server.on('connect', (req, client, head) => {
    onTunnel(req, client, head).catch(() => client.destroy());
  });
  // A WebSocket sent in absolute form (Chromium tunnels them with CONNECT, other clients may not).
  server.on('upgrade', (req, client, head) => {
    const lines = [
      `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}${new URL(req.url ?? '/', 'http://x').search} HTTP/1.1`,
    ];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!/^proxy-/i.test(req.rawHeaders[i]!)) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    onTunnel(req, client, head, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)).catch(() => client.destroy());
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server: `http://127.0.0.1:${port}`,
    async connect(target) {
      const result = await connect(target.host, target.port);
      if (result.ok) track(result.socket);
      else if (result.denied) record(target.url, result, 'download');
      else failed(result);
      return result;
    },
    count,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
