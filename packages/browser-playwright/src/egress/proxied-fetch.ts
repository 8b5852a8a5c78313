import { request as httpRequest, type IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DENIED_HEADER } from './egress-denial.js';
import type { EgressProxy } from './egress-proxy.js';

/** Options of `openChecked`. */
export interface CheckedFetchOptions {
  /** The session's egress proxy: its checked connections (`connect`). */
  egress: Pick<EgressProxy, 'connect'>;
  headers: Record<string, string>;
  /** Time until the answer's headers arrived. */
  timeoutMs: number;
}

/** The first `maxBytes` of a (non-2xx) body: what is past that is dropped with the connection. */
function readBody(answer: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    answer.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) {
        answer.destroy();
        resolve(Buffer.concat(chunks).subarray(0, maxBytes));
      }
    });
    answer.on('end', () => resolve(Buffer.concat(chunks)));
    answer.on('error', reject);
    answer.on('aborted', () => reject(new Error('the connection was cut before the body ended')));
  });
}

/** An answer whose headers arrived; a 2xx body is still streaming, others were read. */
export interface OpenedResponse {
  status: number;
  headers: IncomingMessage['headers'];
  /** The live body of a 2xx answer (read it or destroy it). */
  stream?: IncomingMessage;
  /** The body of any other answer, up to 64 KiB. */
  body: Buffer;
}

/**
 * One GET of `url` with no redirect followed, on a connection the session's egress proxy
 * checked and opened (`egress.connect`: policy, pinned address, transfer budget, upstream
 * proxy) but without passing the bytes through the proxy's listener: the engine is the
 * client, so the hop through a local socket pair only copied every byte once more. HTTPS is
 * TLS on that connection, verified as the browser would. A refusal answers like the proxy
 * does (a 403 or 502 with `x-webtasks-egress`). Resolves once the headers arrived (within
 * `timeoutMs`): a 2xx body is handed over unread, others are read up to 64 KiB.
 */
export async function openChecked(
  url: URL,
  options: CheckedFetchOptions & { signal?: AbortSignal },
): Promise<OpenedResponse> {
  if (options.signal?.aborted) throw new Error('aborted');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const connected = await options.egress.connect({ host, port, url: url.href });
  if (!connected.ok) {
    return {
      status: connected.denied ? 403 : 502,
      headers: { [DENIED_HEADER]: connected.denied ? 'denied' : 'unreachable' },
      body: Buffer.from(connected.reason),
    };
  }
  const raw = connected.socket as Socket;
  // A tunnel through an upstream proxy arrives paused (nothing read before a listener).
  raw.resume();
  // `host` is what the certificate is checked against; SNI only carries names, not addresses.
  const socket =
    url.protocol === 'https:'
      ? tlsConnect({
          socket: raw,
          host,
          ...(isIP(host) ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
        })
      : raw;
  return new Promise<OpenedResponse>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onAbort = () => fail(new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      done();
      request.destroy();
      socket.destroy();
      raw.destroy();
      reject(error);
    };
    const request = httpRequest({
      createConnection: () => socket as Socket,
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers: { ...options.headers, host: url.host, connection: 'close' },
      setHost: false,
    });
    request.on('response', (answer) => {
      const status = answer.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        done();
        resolve({ status, headers: answer.headers, stream: answer, body: Buffer.alloc(0) });
        return;
      }
      readBody(answer, 65_536).then(
        (body) => {
          done();
          resolve({ status, headers: answer.headers, body });
        },
        (error: Error) => fail(error),
      );
    });
    request.on('error', fail);
    socket.on('error', fail);
    request.end();
  });
}
