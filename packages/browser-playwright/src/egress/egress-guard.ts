import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { EgressPolicy } from '@webtasks/core';
import { classifyAddress } from './ip-ranges.js';

/** Resolves a hostname to all its addresses (injectable for tests). */
export type HostLookup = (hostname: string) => Promise<string[]>;

/** The decision for one URL. */
export type EgressVerdict =
  | { allowed: true }
  | {
      allowed: false;
      /** `unresolvable` is not a policy decision: the name does not resolve, so the request fails as the browser would. */
      kind: 'scheme' | 'denied-host' | 'private-address' | 'unresolvable';
      /** What was refused, in words, with what to do about it. */
      reason: string;
    };

/** Checks URLs against an egress policy. */
export interface EgressGuard {
  readonly policy: Readonly<EgressPolicy>;
  check(url: string): Promise<EgressVerdict>;
}

interface HostPattern {
  host: string;
  /** Matches subdomains of `host` (`*.example.test`). */
  wildcard: boolean;
  port?: string;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };
/** URLs that never leave the browser process. */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);
const CACHE_TTL_MS = 30_000;

/** Canonical host spelling: lower case, no trailing dot, IPs as the URL parser writes them. */
function canonicalHost(host: string): string {
  const trimmed = host.trim().toLowerCase().replace(/\.$/, '');
  try {
    return new URL(`http://${trimmed.includes(':') && !trimmed.startsWith('[') ? `[${trimmed}]` : trimmed}/`)
      .hostname;
  } catch {
    return trimmed;
  }
}

/** Parse `host`, `host:port`, `*.suffix`, `[v6]:port` into a pattern. */
export function parseHostPattern(entry: string): HostPattern {
  let text = entry.trim().toLowerCase();
  let port: string | undefined;
  const v6 = /^(\[[^\]]+\])(?::(\d+))?$/.exec(text);
  if (v6) {
    text = v6[1]!;
    port = v6[2];
  } else {
    const withPort = /^(.*):(\d+)$/.exec(text);
    if (withPort && !withPort[1]!.includes(':')) {
      text = withPort[1]!;
      port = withPort[2];
    }
  }
  const wildcard = text.startsWith('*.');
  const host = canonicalHost(wildcard ? text.slice(2) : text);
  return port === undefined ? { host, wildcard } : { host, wildcard, port };
}

function matches(patterns: HostPattern[], hostname: string, port: string): HostPattern | undefined {
  return patterns.find(
    (p) =>
      (p.port === undefined || p.port === port) &&
      (p.wildcard ? hostname.endsWith(`.${p.host}`) : hostname === p.host),
  );
}

async function systemLookup(hostname: string): Promise<string[]> {
  const results = await dnsLookup(hostname, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

/**
 * Build a guard for `policy`. Private, loopback, link-local and unspecified addresses are
 * refused unless `allowHosts` names the host; hostnames are resolved (every address) so a
 * name pointing at a private address is refused too. `data:`, `blob:` and `about:` URLs are
 * allowed (they make no network request); `file:` only with `allowFileUrls`; every other
 * scheme is refused.
 */
export function createEgressGuard(
  policy: EgressPolicy = {},
  options: { lookup?: HostLookup } = {},
): EgressGuard {
  const blockPrivate = policy.blockPrivateNetworks ?? true;
  const allow = (policy.allowHosts ?? []).map(parseHostPattern);
  const deny = (policy.denyHosts ?? []).map(parseHostPattern);
  const lookup = options.lookup ?? systemLookup;
  const cache = new Map<string, { at: number; addresses: Promise<string[]> }>();

  const resolve = (hostname: string): Promise<string[]> => {
    const cached = cache.get(hostname);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.addresses;
    const addresses = lookup(hostname);
    cache.set(hostname, { at: Date.now(), addresses });
    addresses.catch(() => cache.delete(hostname));
    return addresses;
  };

  const check = async (rawUrl: string): Promise<EgressVerdict> => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return { allowed: false, kind: 'scheme', reason: `"${rawUrl}" is not a valid absolute URL` };
    }
    if (LOCAL_SCHEMES.has(url.protocol)) return { allowed: true };
    if (url.protocol === 'file:') {
      return policy.allowFileUrls
        ? { allowed: true }
        : {
            allowed: false,
            kind: 'scheme',
            reason: 'file: URLs are not allowed (set egress.allowFileUrls to allow them)',
          };
    }
    if (!NETWORK_SCHEMES.has(url.protocol)) {
      return {
        allowed: false,
        kind: 'scheme',
        reason: `the ${url.protocol} scheme is not allowed: only http(s) and ws(s) URLs are`,
      };
    }
    const hostname = canonicalHost(url.hostname);
    const port = url.port || DEFAULT_PORTS[url.protocol] || '';
    const hostPort = `${hostname}:${port}`;
    if (matches(deny, hostname, port)) {
      return { allowed: false, kind: 'denied-host', reason: `${hostPort} is in egress.denyHosts` };
    }
    if (!blockPrivate || matches(allow, hostname, port)) return { allowed: true };
    const hint = `to allow it, add "${hostPort}" (or "${hostname}") to egress.allowHosts`;
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
      return {
        allowed: false,
        kind: 'private-address',
        reason: `${hostname} is a loopback address; ${hint}`,
      };
    }
    const literal = hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(literal) !== 0) {
      addresses = [literal];
    } else {
      try {
        addresses = await resolve(hostname);
      } catch {
        return { allowed: false, kind: 'unresolvable', reason: `${hostname} does not resolve` };
      }
    }
    for (const address of addresses) {
      const kind = classifyAddress(address);
      if (kind !== undefined) {
        const via = address === literal ? '' : ` (${hostname} resolves to ${address})`;
        return {
          allowed: false,
          kind: 'private-address',
          reason: `${address} is a ${kind} address${via}; ${hint}`,
        };
      }
    }
    return { allowed: true };
  };

  return { policy, check };
}
