import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeRequestView } from './script.js';

/** One request a fake API received, as it arrived and as it was answered. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body (`undefined` when it was not JSON). */
  body: unknown;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** The provider-neutral view, when the body was valid enough to build one. */
  view?: FakeRequestView;
  /** The status the fake answered with (0 until answered). */
  status: number;
}

/** What a fake handler answers. */
export interface JsonReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Wait before answering; cancelled when the client disconnects or the server closes. */
  delayMs?: number;
}

/** A running JSON-over-HTTP server on 127.0.0.1 with a random port. */
export interface JsonHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** Start a server that parses JSON bodies, records every request and answers with `handle`. */
export async function startJsonHttpServer(
  record: (request: RecordedRequest) => void,
  handle: (request: RecordedRequest) => JsonReply,
): Promise<JsonHttpServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: flattenHeaders(req),
        body: parseJson(raw),
        receivedAt: Date.now(),
        status: 0,
      };
      record(recorded);
      let reply: JsonReply;
      try {
        reply = handle(recorded);
      } catch (error) {
        reply = { status: 500, body: { error: `fake server bug: ${String(error)}` } };
      }
      recorded.status = reply.status;
      const send = (): void => sendJson(res, reply);
      if (!reply.delayMs) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, reply.delayMs);
      timers.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A random id with a provider-style prefix, e.g. `randomId('msg_')`. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function sendJson(res: ServerResponse, reply: JsonReply): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}

/** Bearer token of an `Authorization` header, if any. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim();
}
