import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DenialKind, EgressGuard } from '@webtasks/core';
import { tunnelThroughUpstream, type UpstreamProxy, UpstreamProxyError } from './upstream-proxy.js';

/** A connection to a checked destination, or why there is none. */
export type ConnectResult =
  | { ok: true; socket: Duplex; address: string }
  /** The egress policy refused the destination: nothing was connected. */
  | { ok: false; denied: true; kind: DenialKind; reason: string }
  /** The destination (or the upstream proxy) could not be reached. */
  | { ok: false; denied: false; reason: string; upstream?: UpstreamProxyError };

/** Options of `connectDestination`. */
export interface ConnectOptions {
  guard: EgressGuard;
  upstream?: UpstreamProxy;
  connectTimeoutMs: number;
}

function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code ?? error.message));
    });
  });
}

/**
 * Resolve `host` once, check the name and every address against the egress policy, and
 * connect to exactly one of those addresses (directly, or through the upstream proxy, whose
 * own address is checked the same way). Nothing is connected when the policy refuses.
 */
export async function connectDestination(
  host: string,
  port: number,
  options: ConnectOptions,
): Promise<ConnectResult> {
  const verdict = await options.guard.resolve(host, port);
  if (!verdict.allowed) {
    if (verdict.kind === 'unresolvable') return { ok: false, denied: false, reason: verdict.reason };
    return { ok: false, denied: true, kind: verdict.kind, reason: verdict.reason };
  }
  const upstream = options.upstream;
  if (upstream) {
    const proxyVerdict = await options.guard.resolve(upstream.host, upstream.port);
    if (!proxyVerdict.allowed) {
      const reason = `the upstream proxy ${upstream.display} is refused by the egress policy: ${proxyVerdict.reason}`;
      return proxyVerdict.kind === 'unresolvable'
        ? {
            ok: false,
            denied: false,
            reason,
            upstream: new UpstreamProxyError('unreachable', 'does not resolve'),
          }
        : { ok: false, denied: true, kind: proxyVerdict.kind, reason };
    }
    const address = verdict.addresses[0]!;
    try {
      const socket = await tunnelThroughUpstream(
        upstream,
        proxyVerdict.addresses[0]!,
        address,
        port,
        options.connectTimeoutMs,
      );
      return { ok: true, socket, address };
    } catch (error) {
      const failure =
        error instanceof UpstreamProxyError ? error : new UpstreamProxyError('refused', String(error));
      return {
        ok: false,
        denied: false,
        reason: `the upstream proxy ${upstream.display} ${failure.message}`,
        upstream: failure,
      };
    }
  }
  let lastError = '';
  for (const address of verdict.addresses) {
    try {
      return { ok: true, socket: await connectTcp(address, port, options.connectTimeoutMs), address };
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  return { ok: false, denied: false, reason: `could not connect to ${host}:${port} (${lastError})` };
}
