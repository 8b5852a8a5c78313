import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { EgressPolicy } from '../ports/browser.js';
import { hostInterfaceAddresses } from './host-addresses.js';
import { bareAddress, canonicalAddress, classifyAddress } from './ip-ranges.js';

/** Resolves a hostname to all its addresses (injectable for tests). */
export type HostLookup = (hostname: string) => Promise<string[]>;

/** Why a destination was refused. `unresolvable` is not a policy decision: the name does not resolve. */
export type DenialKind = 'scheme' | 'denied-host' | 'private-address' | 'unresolvable' | 'budget';

/** The decision for one URL. */
export type EgressVerdict =
  | { allowed: true }
  | {
      allowed: false;
      kind: DenialKind;
      /** What was refused, in words, with what to do about it. */
      reason: string;
    };

/** The decision for one host and port, with the addresses to connect to when allowed. */
export type DestinationVerdict =
  | {
      allowed: true;
      /** Every address the name resolved to, each checked: connect to one of these, never resolve again. */
      addresses: string[];
    }
  | { allowed: false; kind: DenialKind; reason: string };

/** Checks URLs and destinations against an egress policy. */
export interface EgressGuard {
  readonly policy: Readonly<EgressPolicy>;
  /** Check a URL: its scheme, then its host and port as `resolve` does. */
  check(url: string): Promise<EgressVerdict>;
  /**
   * Resolve `host` once and check the name and every address it resolves to (the policy's
   * ranges and this host's own interface addresses). The addresses returned are the ones to
   * connect to: resolving again would open a DNS-rebinding window.
   */
  resolve(host: string, port: number): Promise<DestinationVerdict>;
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
export function canonicalHost(host: string): string {
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
 * Build a guard for `policy`. Private, loopback, link-local, documentation, reserved and
 * multicast addresses (every IANA special-purpose block) and this host's own interface
 * addresses are refused unless `allowHosts` names the host, or names the address a host
 * resolves to. Hostnames are resolved (every address) so a name pointing at a refused
 * address is refused too. `data:`, `blob:` and `about:` URLs are allowed (they make no
 * network request); `file:` only with `allowFileUrls`; every other scheme is refused.
 */
export function createEgressGuard(
  policy: EgressPolicy = {},
  options: {
    lookup?: HostLookup;
    hostAddresses?: () => ReadonlySet<string>;
    /** How long a name's answer is reused. Default 30 s; 0 resolves every connection anew. */
    cacheTtlMs?: number;
  } = {},
): EgressGuard {
  const cacheTtlMs = options.cacheTtlMs ?? CACHE_TTL_MS;
  const blockPrivate = policy.blockPrivateNetworks ?? true;
  const allow = (policy.allowHosts ?? []).map(parseHostPattern);
  const deny = (policy.denyHosts ?? []).map(parseHostPattern);
  const lookup = options.lookup ?? systemLookup;
  const hostAddresses = options.hostAddresses ?? hostInterfaceAddresses;
  const cache = new Map<string, { at: number; addresses: Promise<string[]> }>();

  const lookupCached = (hostname: string): Promise<string[]> => {
    const cached = cache.get(hostname);
    if (cached && Date.now() - cached.at < cacheTtlMs) return cached.addresses;
    const addresses = lookup(hostname);
    cache.set(hostname, { at: Date.now(), addresses });
    addresses.catch(() => cache.delete(hostname));
    return addresses;
  };

  const resolve = async (host: string, portNumber: number): Promise<DestinationVerdict> => {
    const hostname = canonicalHost(host);
    const port = String(portNumber);
    const hostPort = `${hostname}:${port}`;
    if (matches(deny, hostname, port)) {
      return { allowed: false, kind: 'denied-host', reason: `${hostPort} is in egress.denyHosts` };
    }
    const allowedByName = !blockPrivate || matches(allow, hostname, port) !== undefined;
    const hint = `to allow it, add "${hostPort}" (or "${hostname}") to egress.allowHosts`;
    if (!allowedByName && (hostname === 'localhost' || hostname.endsWith('.localhost'))) {
      return {
        allowed: false,
        kind: 'private-address',
        reason: `${hostname} is a loopback address; ${hint}`,
      };
    }
    const literal = bareAddress(hostname);
    let addresses: string[];
    if (isIP(literal) !== 0) {
      addresses = [literal];
    } else {
      try {
        addresses = await lookupCached(hostname);
      } catch {
        return { allowed: false, kind: 'unresolvable', reason: `${hostname} does not resolve` };
      }
      if (addresses.length === 0)
        return { allowed: false, kind: 'unresolvable', reason: `${hostname} does not resolve` };
    }
    if (allowedByName) return { allowed: true, addresses };
    const own = hostAddresses();
    for (const address of addresses) {
      const canonical = canonicalAddress(address);
      const kind = own.has(canonical) ? 'own interface' : classifyAddress(address);
      if (kind === undefined) continue;
      if (matches(allow, canonicalHost(address), port)) continue;
      const via = address === literal ? '' : ` (${hostname} resolves to ${address})`;
      const what =
        kind === 'own interface' ? "an address of this host's own network interfaces" : `a ${kind} address`;
      return { allowed: false, kind: 'private-address', reason: `${address} is ${what}${via}; ${hint}` };
    }
    return { allowed: true, addresses };
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
    const verdict = await resolve(url.hostname, Number(url.port || DEFAULT_PORTS[url.protocol]));
    return verdict.allowed ? { allowed: true } : verdict;
  };

  return { policy, check, resolve };
}
