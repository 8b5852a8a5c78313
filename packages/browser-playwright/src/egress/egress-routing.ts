import type { Logger } from '@webtasks/core';
import type { BrowserContext, Route } from 'playwright-core';
import type { EgressGuard, EgressVerdict } from './egress-guard.js';

/** A request the egress policy refused. */
export interface EgressDenial {
  url: string;
  reason: string;
  /** The URL that redirected to `url`, when the refusal was a redirect hop. */
  redirectedFrom?: string;
  /** Playwright's resource type (`document`, `image`, `fetch`, `websocket`, …). */
  resourceType: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** Options of `installEgressRouting`. */
export interface EgressRoutingOptions {
  guard: EgressGuard;
  logger: Logger;
  onDenied(denial: EgressDenial): void;
  /** Called with the headers of every response that reached the page. */
  onResponse?(url: string, headers: Record<string, string>): void;
  /** Timeout of the proxied fetch of one request. */
  fetchTimeoutMs: number;
}

type AbortCode = 'blockedbyclient' | 'namenotresolved' | 'connectionrefused' | 'timedout' | 'failed';

function abortCodeFor(error: unknown): AbortCode {
  const message = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED/.test(message)) return 'connectionrefused';
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'namenotresolved';
  if (/timeout|ETIMEDOUT/i.test(message)) return 'timedout';
  return 'failed';
}

function denialOf(
  verdict: EgressVerdict,
  url: string,
  resourceType: string,
  redirectedFrom?: string,
): EgressDenial | undefined {
  if (verdict.allowed || verdict.kind === 'unresolvable') return undefined;
  return {
    url,
    reason: verdict.reason,
    resourceType,
    at: Date.now(),
    ...(redirectedFrom ? { redirectedFrom } : {}),
  };
}

/** Methods a browser may send twice without changing anything on the server. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Fetches of one request after the first fails on a dropped connection. */
const STALE_CONNECTION_RETRIES = 2;

/**
 * The server dropped the connection without answering: typically a keep-alive socket it had
 * just closed as idle. Chromium retries such requests on a fresh connection by itself; a
 * request fetched on its behalf must be retried here, or the page fails where a plain
 * browser would not (`net::ERR_FAILED` on a busy machine or behind a proxy).
 */
function isDroppedConnection(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /ECONNRESET|EPIPE|socket hang up/i.test(message);
}

/** `route.fetch`, retried on a dropped connection when sending the request again is safe. */
async function fetchWithRetry(
  route: Route,
  options: { maxRedirects: number; timeout: number },
): Promise<Awaited<ReturnType<Route['fetch']>>> {
  const retries = IDEMPOTENT_METHODS.has(route.request().method()) ? STALE_CONNECTION_RETRIES : 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await route.fetch(options);
    } catch (error) {
      if (attempt >= retries || !isDroppedConnection(error)) throw error;
    }
  }
}

/**
 * Route every request of `context` through the egress guard. Playwright calls a route
 * handler only for the first URL of a redirect chain, so allowed requests are fetched by
 * Playwright itself (`route.fetch`, sharing the context's cookies) with redirects off: each
 * redirect's target is checked before the redirect is handed to the browser, whose next hop
 * is routed again. A GET dropped by the server without an answer is fetched again, as
 * Chromium would. Refused requests are aborted at once (`blockedbyclient`). WebSockets are
 * checked the same way; service workers are blocked by the context options.
 */
export async function installEgressRouting(
  context: BrowserContext,
  options: EgressRoutingOptions,
): Promise<void> {
  const { guard, logger } = options;
  const deny = async (route: Route, denial: EgressDenial): Promise<void> => {
    options.onDenied(denial);
    logger.debug('egress denied', {
      url: denial.url,
      reason: denial.reason,
      redirectedFrom: denial.redirectedFrom,
    });
    await route.abort('blockedbyclient').catch(() => {});
  };

  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = request.url();
    const resourceType = request.resourceType();
    try {
      const verdict = await guard.check(url);
      if (!verdict.allowed) {
        const denial = denialOf(verdict, url, resourceType);
        if (denial) await deny(route, denial);
        else await route.abort('namenotresolved');
        return;
      }
      let response: Awaited<ReturnType<Route['fetch']>>;
      try {
        response = await fetchWithRetry(route, { maxRedirects: 0, timeout: options.fetchTimeoutMs });
      } catch (error) {
        await route.abort(abortCodeFor(error)).catch(() => {});
        return;
      }
      const status = response.status();
      const location = response.headers()['location'];
      if (status >= 300 && status < 400 && location !== undefined) {
        let target: string;
        try {
          target = new URL(location, url).href;
        } catch {
          await route.abort('failed');
          return;
        }
        const hop = await guard.check(target);
        const denial = denialOf(hop, target, resourceType, url);
        if (denial) {
          await deny(route, denial);
          return;
        }
      }
      options.onResponse?.(url, response.headers());
      await route.fulfill({ response });
    } catch (error) {
      // The context closed while the request was in flight, or the route was already handled.
      logger.debug('egress route failed', {
        url,
        error: error instanceof Error ? error.message : String(error),
      });
      await route.abort('failed').catch(() => {});
    }
  });

  await context.routeWebSocket(/.*/, async (ws) => {
    const url = ws.url();
    const verdict = await guard.check(url);
    if (verdict.allowed) {
      ws.connectToServer();
      return;
    }
    const reason = verdict.reason;
    options.onDenied({ url, reason, resourceType: 'websocket', at: Date.now() });
    logger.debug('egress denied', { url, reason });
    await ws.close({ code: 1008, reason: 'blocked by the egress policy' }).catch(() => {});
  });
}
