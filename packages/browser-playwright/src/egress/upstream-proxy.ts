import { isIP, connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { type ProxySettings, WebTasksError } from '@webtasks/core';
import { SocksClient } from 'socks';
import { PREFIX } from '../errors.js';

/** An upstream proxy, parsed and checked. */
export interface UpstreamProxy {
  protocol: 'http' | 'https' | 'socks5';
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** The proxy as it may be shown: scheme, user, host and port; never the password. */
  display: string;
}

const DEFAULT_PORTS = { http: 80, https: 443, socks5: 1080 } as const;

/** The proxy URL without its password, for messages and logs. */
export function maskProxy(settings: ProxySettings): string {
  try {
    const url = new URL(settings.server);
    const user = settings.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
    url.username = '';
    url.password = '';
    const base = url.href.replace(/\/$/, '');
    return user ? base.replace('://', `://${user}:***@`) : base;
  } catch {
    return '(a malformed proxy URL)';
  }
}

/** Parse `settings`; a malformed one is `invalid-request` saying what to fix. */
export function parseUpstreamProxy(settings: ProxySettings): UpstreamProxy {
  const fail = (what: string) =>
    new WebTasksError({
      code: 'invalid-request',
      message: `${PREFIX} proxy.server ${maskProxy(settings)} ${what}`,
    });
  let url: URL;
  try {
    url = new URL(settings.server);
  } catch {
    throw fail('is not a URL: write it as http://host:port, https://host:port or socks5://host:port');
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https' && protocol !== 'socks5')
    throw fail(`uses the ${url.protocol} scheme: use http://, https:// or socks5://`);
  if (url.username || url.password)
    throw fail('carries credentials: pass them as proxy.username and proxy.password instead');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    throw fail('must be only scheme, host and port');
  if (settings.password !== undefined && settings.username === undefined)
    throw fail('has a password but no username: set proxy.username too');
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[protocol];
  return {
    protocol,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    display: maskProxy(settings),
  };
}

/** Why a tunnel through the upstream proxy failed. */
export class UpstreamProxyError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'auth' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamProxyError';
  }
}

/** A connection to the proxy itself at `address` (TLS verified for https://); throws `UpstreamProxyError`. */
export function connectToProxy(proxy: UpstreamProxy, address: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      proxy.protocol === 'https'
        ? // SNI carries names only; a proxy given by address is checked against the address.
          tlsConnect({
            host: address,
            port: proxy.port,
            ...(isIP(proxy.host) ? {} : { servername: proxy.host }),
          })
        : netConnect({ host: address, port: proxy.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamProxyError('unreachable', `did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(proxy.protocol === 'https' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = error.code ?? error.message;
      if (proxy.protocol === 'https' && /CERT|SELF_SIGNED|ALTNAME|ISSUER/i.test(code))
        reject(
          new UpstreamProxyError(
            'unreachable',
            `presented a TLS certificate that is not trusted (${code}): use the name the certificate is for, or give its CA to the worker in NODE_EXTRA_CA_CERTS`,
          ),
        );
      else reject(new UpstreamProxyError('unreachable', `cannot be reached (${code})`));
    });
  });
}

/** Read the proxy's answer to CONNECT up to the blank line; the rest stays in the socket. */
function readConnectAnswer(socket: Socket, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(
      () => done(new UpstreamProxyError('refused', 'did not answer CONNECT in time')),
      timeoutMs,
    );
    const done = (result: number | Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      if (typeof result === 'number') resolve(result);
      else reject(result);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > 16384)
          done(new UpstreamProxyError('refused', 'sent an oversized CONNECT answer'));
        return;
      }
      socket.pause();
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buffered.toString('latin1'))?.[1] ?? 0);
      done(status);
    };
    const onError = (error: Error) =>
      done(new UpstreamProxyError('refused', `failed during CONNECT (${error.message})`));
    const onEnd = () => done(new UpstreamProxyError('refused', 'closed the connection during CONNECT'));
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
  });
}

/**
 * A tunnel to `destination:port` (an address the egress policy already checked) through
 * `proxy`, itself reached at `proxyAddress` (checked too): CONNECT for HTTP(S) proxies, a
 * SOCKS5 CONNECT for SOCKS proxies. Throws `UpstreamProxyError`.
 */
export async function tunnelThroughUpstream(
  proxy: UpstreamProxy,
  proxyAddress: string,
  destination: string,
  port: number,
  timeoutMs: number,
): Promise<Duplex> {
  const target = destination.includes(':') ? `[${destination}]:${port}` : `${destination}:${port}`;
  if (proxy.protocol === 'socks5') {
    try {
      const { socket } = await SocksClient.createConnection({
        proxy: {
          host: proxyAddress,
          port: proxy.port,
          type: 5,
          ...(proxy.username !== undefined ? { userId: proxy.username, password: proxy.password ?? '' } : {}),
        },
        command: 'connect',
        destination: { host: destination, port },
        timeout: timeoutMs,
      });
      return socket;
    } catch (error) {
      const message = (error as Error).message;
      if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|timed out/i.test(message))
        throw new UpstreamProxyError('unreachable', `cannot be reached (${message})`);
      if (/auth/i.test(message)) throw new UpstreamProxyError('auth', `refused the credentials (${message})`);
      throw new UpstreamProxyError('refused', `refused the connection to ${target} (${message})`);
    }
  }
  const socket = await connectToProxy(proxy, proxyAddress, timeoutMs);
  const auth =
    proxy.username !== undefined
      ? `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}\r\n`
      : '';
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  let status: number;
  try {
    status = await readConnectAnswer(socket, timeoutMs);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  // Still paused: the caller's pipe resumes it, so no byte is read before someone listens.
  if (status >= 200 && status < 300) return socket;
  socket.destroy();
  if (status === 407)
    throw new UpstreamProxyError(
      'auth',
      proxy.username === undefined
        ? 'asks for credentials (407): set proxy.username and proxy.password'
        : 'refused the credentials (407): check proxy.username and proxy.password',
    );
  throw new UpstreamProxyError('refused', `answered ${status || 'garbage'} to CONNECT ${target}`);
}
