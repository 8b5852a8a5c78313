import { expect } from 'vitest';
import { expectWebTasksError } from '../stores/contract-options.js';
import { type BrowserTestRegistrar, fn, step } from './harness.js';

const probe = () => `probe${Math.random().toString(36).slice(2, 10)}`;

/** The egress policy on navigations, redirects, subresources and page fetches. */
export function registerEgressTests(test: BrowserTestRegistrar): void {
  test('egress: loopback is denied by default, with policy-denied naming the URL and the fix', async ({
    openDefault,
    sites,
  }) => {
    const d = await openDefault();
    const marker = probe();
    const url = `${sites.baseUrl}/testing/cookies?${marker}`;
    const error = await expectWebTasksError(d.page('goto', url), 'policy-denied');
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/allowHosts/);
    expect(sites.requests.some((r) => r.path.includes(marker))).toBe(false);
  });

  test('egress: other spellings of private addresses are denied too', async ({ openDefault, sites }) => {
    const d = await openDefault();
    const port = sites.port;
    const urls = [
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://127.1:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://localhost:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'file:///etc/passwd',
    ];
    for (const url of urls) {
      const error = await expectWebTasksError(d.page('goto', url), 'policy-denied');
      expect(error.message, url).toContain('egress policy');
    }
  });

  test('egress: a redirect from an allowed URL to a denied one is refused before the request', async ({
    open,
    sites,
  }) => {
    const d = await open();
    const marker = probe();
    const target = `http://localhost:${sites.port}/testing/cookies?${marker}`;
    const error = await expectWebTasksError(
      d.page('goto', `${sites.baseUrl}/testing/redirect?to=${encodeURIComponent(target)}`),
      'policy-denied',
    );
    expect(error.message).toContain(target);
    expect(
      sites.requests.some(
        (r) => r.host.startsWith('localhost') || r.path.startsWith(`/testing/cookies?${marker}`),
      ),
    ).toBe(false);
    // The session still works afterwards.
    await d.goto('/tables/simple');
    expect(await d.page('title')).toBe('Simple table');
  });

  test('egress: a subresource or a page fetch to a denied host is blocked without reaching it', async ({
    open,
    sites,
  }) => {
    const d = await open();
    const marker = probe();
    const image = `http://localhost:${sites.port}/testing/pixel.png?${marker}`;
    await d.goto(`/testing/embed?img=${encodeURIComponent(image)}`);
    await d.loc([step.css('#status', { hasText: 'failed' })], 'waitFor', { timeout: 5000 });
    const fetched = await d.page(
      'evaluate',
      fn((url: string) =>
        fetch(url).then(
          () => 'reached',
          () => 'blocked',
        ),
      ),
      `http://localhost:${sites.port}/api/items?${marker}`,
    );
    expect(fetched).toBe('blocked');
    expect(
      sites.requests.some(
        (r) =>
          r.host.startsWith('localhost') || (!r.path.startsWith('/testing/embed') && r.path.includes(marker)),
      ),
    ).toBe(false);
    // The allowed host still loads subresources.
    await d.goto('/testing/embed');
    await d.loc([step.css('#status', { hasText: 'loaded' })], 'waitFor', { timeout: 5000 });
  });
}
