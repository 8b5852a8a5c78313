import {
  createEgressGuard,
  type EgressGuard,
  type EgressPolicy,
  type Logger,
  type ProxySettings,
  WebTasksError,
} from '@webtasks/core';
import type { BrowserContext, Frame } from 'playwright-core';
import type { EgressDenial } from './egress/egress-denial.js';
import { type EgressProxy, startEgressProxy } from './egress/egress-proxy.js';
import { createTransferBudget, mebibytes, type TransferBudget } from './egress/transfer-budget.js';
import {
  connectToProxy,
  parseUpstreamProxy,
  type UpstreamProxy,
  type UpstreamProxyError,
} from './egress/upstream-proxy.js';
import { PREFIX } from './errors.js';
import type { ResolvedProviderOptions } from './options.js';

const MAX_DENIALS = 50;
/** A refused navigation commits its 403 page within this long of the refusal. */
const RECENT_DENIAL_MS = 60_000;

/** A failure of the upstream proxy, kept for the session's error messages. */
export interface UpstreamFailure {
  message: string;
  at: number;
}

/** Everything network of one session: its policy, its egress proxy, what was refused. */
export interface SessionNetwork {
  guard: EgressGuard;
  proxy: EgressProxy;
  budget: TransferBudget;
  upstream?: UpstreamProxy;
  /** Refusals, newest last (at most 50). */
  denials: EgressDenial[];
  upstreamFailures: UpstreamFailure[];
  maxDownloadBytes: number;
  /** Watch the context's pages: navigations the proxy refused become `document` denials. */
  watch(context: BrowserContext): void;
  close(): Promise<void>;
}

/** The `proxy-error` for the upstream proxy, its password masked. */
export function proxyError(upstream: { display: string }, problem: string, fix: string): WebTasksError {
  return new WebTasksError({
    code: 'proxy-error',
    message: `${PREFIX} the upstream proxy ${upstream.display} ${problem}; ${fix}`,
    details: { proxy: upstream.display },
  });
}

const FIX = 'check the proxy setting (request field proxy, WEBTASKS_PROXY or --proxy)';

/**
 * Before any page loads: the upstream proxy's own address passes the egress policy and it
 * accepts a connection. Its credentials are checked at the first tunnel (a 407 is reported
 * by the command that met it).
 */
async function preflightUpstream(
  upstream: UpstreamProxy,
  guard: EgressGuard,
  timeoutMs: number,
): Promise<void> {
  const verdict = await guard.resolve(upstream.host, upstream.port);
  if (!verdict.allowed) {
    if (verdict.kind === 'unresolvable') throw proxyError(upstream, 'does not resolve', FIX);
    throw proxyError(
      upstream,
      `is refused by the egress policy (${verdict.reason})`,
      'use a public proxy, or allow its host:port in egress.allowHosts',
    );
  }
  try {
    (await connectToProxy(upstream, verdict.addresses[0]!, timeoutMs)).destroy();
  } catch (error) {
    throw proxyError(upstream, (error as Error).message, FIX);
  }
}

/** Open the network of one session: parse and check the upstream proxy, start the egress proxy. */
export async function openSessionNetwork(options: {
  config: ResolvedProviderOptions;
  egress?: EgressPolicy;
  proxy?: ProxySettings;
  logger: Logger;
}): Promise<SessionNetwork> {
  const { config, logger } = options;
  const guard = createEgressGuard(
    options.egress ?? config.egress,
    config.lookup ? { lookup: config.lookup } : {},
  );
  const settings = options.proxy ?? config.proxy;
  const upstream = settings ? parseUpstreamProxy(settings) : undefined;
  if (upstream) await preflightUpstream(upstream, guard, config.connectTimeoutMs);
  const denials: EgressDenial[] = [];
  const upstreamFailures: UpstreamFailure[] = [];
  const push = (denial: EgressDenial) => {
    denials.push(denial);
    if (denials.length > MAX_DENIALS) denials.shift();
  };
  const budget = createTransferBudget(config.maxTransferBytes, () => {
    const reason = `the session moved more than ${mebibytes(config.maxTransferBytes)}, its transfer budget (maxTransferBytes); every connection was cut`;
    push({ url: '(all connections)', reason, kind: 'budget', resourceType: 'budget', at: Date.now() });
    logger.warn('egress transfer budget spent', { limitBytes: config.maxTransferBytes });
  });
  const proxy = await startEgressProxy({
    guard,
    budget,
    ...(upstream ? { upstream } : {}),
    connectTimeoutMs: config.connectTimeoutMs,
    logger,
    onDenied: push,
    onUpstreamFailure(failure: UpstreamProxyError) {
      upstreamFailures.push({ message: failure.message, at: Date.now() });
      if (upstreamFailures.length > 10) upstreamFailures.shift();
      logger.warn('upstream proxy failed', { proxy: upstream?.display, error: failure.message });
    },
  });
  return {
    guard,
    proxy,
    budget,
    ...(upstream ? { upstream } : {}),
    denials,
    upstreamFailures,
    maxDownloadBytes: config.maxDownloadBytes,
    watch(context) {
      // A navigation the proxy refused over plain HTTP commits its 403 page: the frame's new URL
      // is one the proxy just refused. (No response listener: with one, Playwright sends every
      // response of the context over its connection, CPU a plain script does not spend.)
      const onNavigated = (frame: Frame) => {
        const url = frame.url();
        const denial = denials.findLast((d) => d.url === url);
        if (!denial || denial.resourceType === 'document' || denial.at < Date.now() - RECENT_DENIAL_MS)
          return;
        push({ ...denial, resourceType: 'document', at: Date.now() });
      };
      for (const page of context.pages()) page.on('framenavigated', onNavigated);
      context.on('page', (page) => page.on('framenavigated', onNavigated));
      context.on('requestfailed', (request) => {
        if (
          !request.isNavigationRequest() ||
          !/ERR_TUNNEL_CONNECTION_FAILED/.test(request.failure()?.errorText ?? '')
        )
          return;
        let origin: string;
        try {
          const url = new URL(request.url());
          origin = `https://${url.host}${url.port ? '' : `:${url.protocol === 'https:' ? 443 : 80}`}/`;
        } catch {
          return;
        }
        const tunnel = denials.findLast((d) => d.resourceType === 'tunnel' && d.url === origin);
        if (tunnel) push({ ...tunnel, url: request.url(), resourceType: 'document', at: Date.now() });
      });
    },
    close: () => proxy.close(),
  };
}
