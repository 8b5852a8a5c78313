import { abortedError, throwIfAborted, WebTasksError } from '@webtasks/core';
import type { CookieCache } from './cookie-cache.js';
import type { EgressDenial } from './egress/egress-denial.js';
import { browserCrashed, invalidRequest, isClosedError, PREFIX, pageError } from './errors.js';
import type { SessionSetup } from './session.js';
import { proxyError } from './session-network.js';

/** The `policy-denied` error for `url`. */
export function policyDenied(url: string, reason: string): WebTasksError {
  return new WebTasksError({
    code: 'policy-denied',
    message: `${PREFIX} the egress policy refused ${url}: ${reason}`,
    details: { url },
  });
}

/**
 * What every command of a session goes through: the checks before it (closed, crashed, over a
 * cap, aborted), its time limit and abort, and the mapping of what Playwright threw to the
 * engine's errors (a refused URL, a failed upstream proxy, a crash, a page error).
 */
export class SessionGuard {
  /** The session was closed: later commands are refused. */
  closed = false;
  /** The page crashed: later commands fail with `browser-crashed`. */
  crashed = false;

  constructor(
    private readonly setup: SessionSetup,
    /** The cookie jar of downloads by URL, invalidated around commands that may change it. */
    private readonly cookies: CookieCache,
  ) {}

  /** The last request the egress policy refused since `since`. */
  deniedSince(since: number): EgressDenial | undefined {
    return this.setup.network.denials.findLast((d) => d.at >= since - 5);
  }

  /** The upstream proxy failed since `since`: the error that names it (password masked). */
  upstreamFailureSince(since: number): WebTasksError | undefined {
    const { upstream, upstreamFailures } = this.setup.network;
    const failure = upstreamFailures.findLast((f) => f.at >= since - 5);
    if (!upstream || !failure) return undefined;
    return proxyError(
      upstream,
      failure.message,
      'check the proxy setting (request field proxy, WEBTASKS_PROXY or --proxy)',
    );
  }

  /**
   * After a navigation was aborted, Chromium commits its error page a moment later; a
   * navigation started before that is interrupted by it. Wait for the error page first.
   */
  private async settleErrorPage(): Promise<void> {
    const page = this.setup.page;
    if (page.url().startsWith('chrome-error:')) return;
    await page
      .waitForEvent('framenavigated', {
        predicate: (frame) => frame === page.mainFrame() && frame.url().startsWith('chrome-error:'),
        timeout: 1500,
      })
      .catch(() => {});
  }

  private toError(error: unknown, what: string, started: number): WebTasksError {
    if (WebTasksError.isInstance(error)) return error;
    const violation = this.setup.capViolation();
    if (violation) return violation;
    if (this.crashed || !this.setup.isBrowserAlive()) return browserCrashed(error);
    if (this.closed && isClosedError(error)) return invalidRequest(`${what}: the session is closed`);
    const message = error instanceof Error ? error.message : String(error);
    if (
      /ERR_TUNNEL_CONNECTION_FAILED|ERR_PROXY_CONNECTION_FAILED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_CLOSED/.test(
        message,
      )
    ) {
      const upstreamFailure = this.upstreamFailureSince(started);
      if (upstreamFailure) return upstreamFailure;
      const denial = this.deniedSince(started);
      if (denial) return policyDenied(denial.url, denial.reason);
    }
    if (isClosedError(error)) return browserCrashed(error);
    return pageError(what, error);
  }

  /** Run `work` as the command `what`, within `limitMs` and `signal`. */
  async run<T>(
    what: string,
    signal: AbortSignal | undefined,
    limitMs: number,
    work: () => Promise<T>,
    /** Whether the work may change cookies (every command but a download by URL). */
    touchesCookies = true,
  ): Promise<T> {
    if (touchesCookies) this.cookies.invalidate();
    throwIfAborted(signal, what);
    const violation = this.setup.capViolation();
    if (violation) throw violation;
    if (this.closed) throw invalidRequest(`${what}: the session is closed; open a new one`);
    if (this.crashed || !this.setup.isBrowserAlive()) throw browserCrashed();
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let stopWatchingCaps: (() => void) | undefined;
    const guards = new Promise<never>((_, reject) => {
      // A page that opens popups or frames past a cap while this command runs (a loop inside
      // one evaluate) ends the command now, not when the page is done with its loop.
      stopWatchingCaps = this.setup.onCapViolation(reject);
      timer = setTimeout(
        () =>
          reject(
            new WebTasksError({
              code: 'page-error',
              message: `${PREFIX} ${what} did not finish within ${limitMs} ms; the page may be stuck: close this session`,
            }),
          ),
        limitMs,
      );
      onAbort = () => reject(abortedError(signal, what));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work(), guards]);
    } catch (error) {
      const mapped = this.toError(error, what, started);
      if (mapped.code === 'policy-denied' && mapped !== error) await this.settleErrorPage();
      throw mapped;
    } finally {
      clearTimeout(timer);
      stopWatchingCaps?.();
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      if (touchesCookies) this.cookies.invalidate();
    }
  }
}
