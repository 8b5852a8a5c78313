import { BlockList, isIP } from 'node:net';

/** Why an address is not public. */
export type PrivateRangeKind =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'reserved'
  | 'documentation'
  | 'multicast';

/**
 * Every block of the IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and
 * later), the multicast ranges, and on IPv6 everything outside global unicast (2000::/3).
 * IPv4-mapped, IPv4-compatible and NAT64 (64:ff9b::/96) addresses are not listed: they are
 * judged by the IPv4 address they embed.
 */
const RANGES: Array<[string, number, 'ipv4' | 'ipv6', PrivateRangeKind]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'], // "this network"
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'private'], // shared address space (CGNAT)
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'], // IETF protocol assignments (DS-Lite, NAT64 discovery, …)
  ['192.0.2.0', 24, 'ipv4', 'documentation'], // TEST-NET-1
  ['192.31.196.0', 24, 'ipv4', 'reserved'], // AS112
  ['192.52.193.0', 24, 'ipv4', 'reserved'], // AMT
  ['192.88.99.0', 24, 'ipv4', 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['192.175.48.0', 24, 'ipv4', 'reserved'], // AS112 direct delegation
  ['198.18.0.0', 15, 'ipv4', 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'ipv4', 'documentation'], // TEST-NET-2
  ['203.0.113.0', 24, 'ipv4', 'documentation'], // TEST-NET-3
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'], // includes 255.255.255.255 (limited broadcast)
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'], // unique local
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'private'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6', 'multicast'],
  ['64:ff9b:1::', 48, 'ipv6', 'private'], // local-use NAT64
  ['100::', 64, 'ipv6', 'reserved'], // discard-only
  ['2001::', 23, 'ipv6', 'reserved'], // IETF protocol assignments: Teredo, benchmarking, ORCHID, AMT, …
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['2002::', 16, 'ipv6', 'reserved'], // 6to4
  ['2620:4f:8000::', 48, 'ipv6', 'reserved'], // AS112 direct delegation
  ['3fff::', 20, 'ipv6', 'documentation'],
  ['5f00::', 16, 'ipv6', 'reserved'], // segment routing SIDs
];

const LISTS = new Map<PrivateRangeKind, BlockList>();
for (const [network, prefix, family, kind] of RANGES) {
  let list = LISTS.get(kind);
  if (!list) {
    list = new BlockList();
    LISTS.set(kind, list);
  }
  list.addSubnet(network, prefix, family);
}
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');

/** Expand an IPv6 address to its 8 groups (handles `::` and a dotted IPv4 tail). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const parts = tail[1]!.split('.').map(Number);
    text = `${text.slice(0, -tail[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return undefined;
  return [...left, ...Array(rest === undefined ? 0 : missing).fill('0'), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
}

/** The IPv4 address an IPv6 address embeds (IPv4-mapped, IPv4-compatible, NAT64), if any. */
export function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (groups?.length !== 8) return undefined;
  const prefixZero = groups.slice(0, 5).every((g) => g === 0);
  const mapped = prefixZero && groups[5] === 0xffff;
  const compatible = prefixZero && groups[5] === 0 && (groups[6] !== 0 || groups[7]! > 1);
  const translated = groups.slice(0, 4).every((g) => g === 0) && groups[4] === 0xffff && groups[5] === 0;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!mapped && !compatible && !translated && !nat64) return undefined;
  return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
}

/** An address without brackets or zone id. */
export function bareAddress(address: string): string {
  return address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
}

/**
 * Classify an IP address (v4 or v6, without brackets). Returns the kind of non-public range
 * it falls in, or undefined for a public address. IPv6 addresses that embed an IPv4 address
 * are judged by the embedded address.
 */
export function classifyAddress(address: string): PrivateRangeKind | undefined {
  const bare = bareAddress(address);
  const family = isIP(bare);
  if (family === 0) return undefined;
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return classifyAddress(v4);
  }
  for (const [kind, list] of LISTS) {
    if (list.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return kind;
  }
  if (family === 6 && !GLOBAL_UNICAST_V6.check(bare, 'ipv6')) return 'reserved';
  return undefined;
}

/** The same address in one canonical spelling (for comparing two spellings of one address). */
export function canonicalAddress(address: string): string {
  const bare = bareAddress(address).toLowerCase();
  if (isIP(bare) !== 6) return bare;
  const v4 = embeddedIpv4(bare);
  const groups = ipv6Groups(bare);
  if (v4 !== undefined && groups?.[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0)) return v4;
  return groups ? groups.map((g) => g.toString(16)).join(':') : bare;
}
