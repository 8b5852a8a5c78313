import type { BrowserContext, Cookie } from 'playwright-core';

/** Hostnames Chromium treats as secure contexts over plain HTTP (secure cookies are sent). */
function isLocalHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

/**
 * The cookies of `all` that a request to `url` carries: the rule `context.cookies(url)`
 * applies (domain suffix, path prefix, secure only over https or to localhost), plus expiry,
 * since a cached list outlives the moment it was read.
 */
export function cookiesFor(all: readonly Cookie[], url: URL, now: number): Cookie[] {
  return all.filter((cookie) => {
    const domain = cookie.domain.startsWith('.') ? cookie.domain : `.${cookie.domain}`;
    if (!`.${url.hostname}`.endsWith(domain)) return false;
    if (!url.pathname.startsWith(cookie.path)) return false;
    if (cookie.secure && url.protocol !== 'https:' && !isLocalHostname(url.hostname)) return false;
    return cookie.expires === -1 || cookie.expires * 1000 > now;
  });
}

/**
 * The context's cookie jar, read from the browser once and reused by the downloads by URL
 * that follow, until something may have changed it: the session calls `invalidate()` around
 * every page command and on every navigation, and while a jar is held every response the
 * browser receives (a `Set-Cookie`) drops it. The response listener is attached only while a
 * jar is held (before it is read, so no response in between is missed): a context with a
 * listener makes Playwright send every response over its connection, a few milliseconds of
 * CPU per page of real weight that a plain script does not pay. A read that was in flight when
 * the jar was invalidated is not reused.
 *
 * What it cannot see: a cookie written by a page's own script (`document.cookie`) from a
 * timer, while no command runs and no response arrives. The next command or response
 * invalidates the jar again.
 */
export class CookieCache {
  private generation = 0;
  private cached: { generation: number; cookies: Promise<Cookie[]> } | undefined;

  private readonly onResponse = () => this.invalidate();
  private listening = false;

  constructor(private readonly context: BrowserContext) {}

  /** Drop what was read: the next download reads the jar again. */
  invalidate(): void {
    this.generation++;
    this.cached = undefined;
    if (this.listening) {
      this.listening = false;
      this.context.off('response', this.onResponse);
    }
  }

  /** The `Cookie` header for a request to `url`, or undefined when no cookie applies. */
  async headerFor(url: URL): Promise<string | undefined> {
    let entry = this.cached;
    if (entry?.generation !== this.generation) {
      const generation = this.generation;
      if (!this.listening) {
        this.listening = true;
        this.context.on('response', this.onResponse);
      }
      const cookies = this.context.cookies();
      entry = { generation, cookies };
      this.cached = entry;
      // A failed read is not kept (the next download asks again).
      cookies.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    const matching = cookiesFor(await entry.cookies, url, Date.now());
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}
