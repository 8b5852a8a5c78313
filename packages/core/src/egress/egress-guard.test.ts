import { describe, expect, it } from 'vitest';
import { createEgressGuard, parseHostPattern } from './egress-guard.js';
import { classifyAddress, embeddedIpv4 } from './ip-ranges.js';

const lookupTable: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'sneaky.example': ['93.184.216.34', '127.0.0.1'],
  'internal.example': ['10.1.2.3'],
  'v6.example': ['2606:4700::1111'],
  'mapped.example': ['::ffff:169.254.169.254'],
};
const lookup = async (host: string) => {
  const found = lookupTable[host];
  if (!found) throw new Error(`ENOTFOUND ${host}`);
  return found;
};

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.32.0.1', undefined],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['192.0.2.2', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['192.0.0.170', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['0.1.2.3', 'unspecified'],
    ['8.8.8.8', undefined],
    ['1.1.1.1', undefined],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', undefined],
    ['64:ff9b:1::1', 'private'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['2002:c000:0204::1', 'reserved'],
    ['100::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['5f00::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['fd00::2', 'private'],
    ['2606:4700::1111', undefined],
    ['2a00:1450:4001::1', undefined],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('extracts IPv4 from mapped and NAT64 addresses only', () => {
    expect(embeddedIpv4('::ffff:192.168.1.1')).toBe('192.168.1.1');
    expect(embeddedIpv4('64:ff9b::808:808')).toBe('8.8.8.8');
    expect(embeddedIpv4('2001:db8::1')).toBeUndefined();
  });
});

describe('createEgressGuard', () => {
  it('denies private, loopback and link-local hosts in every spelling', async () => {
    const guard = createEgressGuard({}, { lookup });
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://017700000001/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]:8080/',
      'http://0.0.0.0/',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:3000/',
      'http://api.localhost/',
      'http://LOCALHOST./',
      'ws://127.0.0.1:9000/socket',
    ]) {
      const verdict = await guard.check(url);
      expect(verdict, url).toMatchObject({ allowed: false, kind: 'private-address' });
    }
  });

  it('resolves hostnames and denies a name with any private address', async () => {
    const guard = createEgressGuard({}, { lookup });
    expect(await guard.check('https://public.example/x')).toEqual({ allowed: true });
    expect(await guard.check('https://v6.example/')).toEqual({ allowed: true });
    const sneaky = await guard.check('https://sneaky.example/');
    expect(sneaky).toMatchObject({ allowed: false, kind: 'private-address' });
    expect(!sneaky.allowed && sneaky.reason).toContain('sneaky.example resolves to 127.0.0.1');
    expect(await guard.check('https://mapped.example/')).toMatchObject({ allowed: false });
    expect(await guard.check('https://internal.example/')).toMatchObject({ allowed: false });
    expect(await guard.check('https://nowhere.example/')).toMatchObject({
      allowed: false,
      kind: 'unresolvable',
    });
  });

  it("denies the host's own interface addresses, and a name that resolves to one", async () => {
    const own = new Set(['93.184.216.34']);
    const guard = createEgressGuard({}, { lookup, hostAddresses: () => own });
    expect(await guard.check('http://93.184.216.34/')).toMatchObject({
      allowed: false,
      kind: 'private-address',
    });
    const named = await guard.check('https://public.example/');
    expect(!named.allowed && named.reason).toContain("this host's own network interfaces");
    expect(await guard.check('https://v6.example/')).toEqual({ allowed: true });
  });

  it('resolves once and returns the checked addresses to connect to; an IP entry allows names resolving to it', async () => {
    const guard = createEgressGuard(
      { allowHosts: ['127.0.0.1:4010'] },
      { lookup: async (host) => (host === 'app.test' ? ['127.0.0.1'] : ['93.184.216.34']) },
    );
    expect(await guard.resolve('app.test', 4010)).toEqual({ allowed: true, addresses: ['127.0.0.1'] });
    expect(await guard.resolve('app.test', 4011)).toMatchObject({ allowed: false, kind: 'private-address' });
    expect(await guard.resolve('public.example', 443)).toEqual({
      allowed: true,
      addresses: ['93.184.216.34'],
    });
  });

  it('allows hosts by name, host:port and *.suffix, and says how to allow a denied one', async () => {
    const guard = createEgressGuard(
      { allowHosts: ['127.0.0.1:4010', 'internal.example', '*.corp.test', '[::1]:5000'] },
      { lookup: async () => ['10.0.0.5'] },
    );
    expect(await guard.check('http://127.0.0.1:4010/a')).toEqual({ allowed: true });
    expect(await guard.check('http://2130706433:4010/a')).toEqual({ allowed: true });
    const otherPort = await guard.check('http://127.0.0.1:4011/a');
    expect(!otherPort.allowed && otherPort.reason).toContain('add "127.0.0.1:4011"');
    expect(await guard.check('https://internal.example:8443/')).toEqual({ allowed: true });
    expect(await guard.check('https://db.corp.test/')).toEqual({ allowed: true });
    expect(await guard.check('https://corp.test/')).toMatchObject({ allowed: false });
    expect(await guard.check('http://[::1]:5000/')).toEqual({ allowed: true });
    expect(await guard.check('http://[::1]:5001/')).toMatchObject({ allowed: false });
  });

  it('applies denyHosts first, and blockPrivateNetworks: false opens private addresses', async () => {
    const guard = createEgressGuard(
      { blockPrivateNetworks: false, denyHosts: ['*.ads.example', 'tracker.example'] },
      { lookup },
    );
    expect(await guard.check('http://127.0.0.1:9/')).toEqual({ allowed: true });
    expect(await guard.check('https://x.ads.example/')).toMatchObject({
      allowed: false,
      kind: 'denied-host',
    });
    expect(await guard.check('https://tracker.example/')).toMatchObject({
      allowed: false,
      kind: 'denied-host',
    });
  });

  it('allows data:, blob: and about: URLs, file: only when enabled, and no other scheme', async () => {
    const guard = createEgressGuard({}, { lookup });
    expect(await guard.check('data:text/html,<p>hi</p>')).toEqual({ allowed: true });
    expect(await guard.check('about:blank')).toEqual({ allowed: true });
    expect(await guard.check('file:///etc/passwd')).toMatchObject({ allowed: false, kind: 'scheme' });
    expect(await guard.check('ftp://public.example/')).toMatchObject({ allowed: false, kind: 'scheme' });
    expect(await guard.check('chrome://settings')).toMatchObject({ allowed: false, kind: 'scheme' });
    expect(await guard.check('not a url')).toMatchObject({ allowed: false });
    expect(await createEgressGuard({ allowFileUrls: true }).check('file:///tmp/x')).toEqual({
      allowed: true,
    });
  });

  it('parses host patterns', () => {
    expect(parseHostPattern('Example.TEST:8080')).toEqual({
      host: 'example.test',
      wildcard: false,
      port: '8080',
    });
    expect(parseHostPattern('*.example.test')).toEqual({ host: 'example.test', wildcard: true });
    expect(parseHostPattern('::1')).toEqual({ host: '[::1]', wildcard: false });
    expect(parseHostPattern('[::1]:443')).toEqual({ host: '[::1]', wildcard: false, port: '443' });
  });
});
