import {
  type BrowserCapabilities,
  type BrowserProvider,
  type CallOptions,
  type OpenSessionOptions,
  throwIfAborted,
  type WebTasksError,
} from '@webtasks/core';
import { type Browser, chromium } from 'playwright-core';
import { browserCrashed, invalidRequest, PREFIX } from './errors.js';
import { type PlaywrightBrowserProviderOptions, resolveProviderOptions } from './options.js';
import { PlaywrightBrowserSession } from './session.js';
import { enforceSessionCaps } from './session-caps.js';
import { openSessionNetwork } from './session-network.js';

/** A `BrowserProvider` on Playwright and Chromium. */
export interface PlaywrightBrowserProvider extends BrowserProvider {
  openSession(options?: OpenSessionOptions): Promise<PlaywrightBrowserSession>;
  /** The Playwright browser (launched on first use): an escape hatch. */
  getInstance(): Promise<Browser>;
}

/**
 * Chromium through playwright-core: one browser per provider (launched lazily, reused,
 * relaunched after a crash), a fresh context per session (no shared cookies or storage)
 * with one page, and every request filtered by the session's egress policy.
 */
export function createPlaywrightBrowserProvider(
  options: PlaywrightBrowserProviderOptions = {},
): PlaywrightBrowserProvider {
  const config = resolveProviderOptions(options);
  const logger = config.logger.child({ component: 'browser-playwright' });
  const sessions = new Set<PlaywrightBrowserSession>();
  let launched: Browser | undefined;
  let launching: Promise<Browser> | undefined;
  let closed = false;

  const launch = async (): Promise<Browser> => {
    logger.debug('launching chromium', { executablePath: config.executablePath });
    try {
      const browser = await chromium.launch({
        executablePath: config.executablePath,
        args: [...config.launchArgs],
        headless: true,
      });
      browser.on('disconnected', () => {
        if (launched === browser) launched = undefined;
        if (!closed) logger.warn('chromium disconnected; the next session relaunches it');
      });
      launched = browser;
      return browser;
    } catch (error) {
      throw browserCrashed(
        new Error(
          `${PREFIX} could not launch Chromium at ${config.executablePath}: ${(error as Error).message.split('\n')[0]}`,
        ),
      );
    }
  };

  const ensureBrowser = async (): Promise<Browser> => {
    if (options.browser) {
      if (!options.browser.isConnected()) throw browserCrashed();
      return options.browser;
    }
    if (launched?.isConnected()) return launched;
    launching ??= launch().finally(() => {
      launching = undefined;
    });
    return launching;
  };

  const createSession = async (
    browser: Browser,
    sessionOptions: OpenSessionOptions,
  ): Promise<PlaywrightBrowserSession> => {
    const commandTimeoutMs = sessionOptions.commandTimeoutMs ?? config.commandTimeoutMs;
    const network = await openSessionNetwork({
      config,
      logger,
      ...(sessionOptions.egress ? { egress: sessionOptions.egress } : {}),
      ...(sessionOptions.proxy ? { proxy: sessionOptions.proxy } : {}),
    });
    let context: Awaited<ReturnType<Browser['newContext']>>;
    try {
      // Every connection of the context, loopback included (Playwright adds `<-loopback>` to
      // the bypass list), goes through the session's egress proxy.
      context = await browser.newContext({
        proxy: { server: network.proxy.server },
        acceptDownloads: true,
        viewport: config.viewport,
        ...(sessionOptions.storageState ? { storageState: sessionOptions.storageState } : {}),
      });
    } catch (error) {
      await network.close();
      throw error;
    }
    try {
      context.setDefaultTimeout(commandTimeoutMs);
      context.setDefaultNavigationTimeout(config.navigationTimeoutMs);
      if (sessionOptions.trace) await context.tracing.start({ screenshots: true, snapshots: true });
      network.watch(context);
      let capViolation: WebTasksError | undefined;
      const capListeners = new Set<(error: WebTasksError) => void>();
      enforceSessionCaps(context, config, (error) => {
        capViolation = error;
        logger.warn('a session went over a cap', { error: error.message });
        for (const listener of capListeners) listener(error);
      });
      const page = await context.newPage();
      const session = new PlaywrightBrowserSession({
        capViolation: () => capViolation,
        onCapViolation: (listener) => {
          capListeners.add(listener);
          return () => capListeners.delete(listener);
        },
        maxResultBytes: config.maxResultBytes,
        context,
        page,
        network,
        trace: sessionOptions.trace === true,
        commandTimeoutMs,
        navigationTimeoutMs: config.navigationTimeoutMs,
        maxTimeoutMs: config.maxTimeoutMs,
        downloadSpacingMs: config.downloadSpacingMs,
        maxConcurrentDownloads: config.maxConcurrentDownloads,
        downloadIdleTimeoutMs: config.downloadIdleTimeoutMs,
        logger,
        isBrowserAlive: () => browser.isConnected(),
        onClose: (s) => sessions.delete(s),
      });
      sessions.add(session);
      return session;
    } catch (error) {
      await context.close().catch(() => {});
      await network.close();
      throw error;
    }
  };

  return {
    specificationVersion: 'v1',
    capabilities: {
      traces: true,
      downloads: true,
      screenshots: true,
      storageState: true,
    } satisfies BrowserCapabilities,

    async openSession(sessionOptions: OpenSessionOptions = {}) {
      throwIfAborted(sessionOptions.signal, 'openSession');
      if (closed) throw invalidRequest('openSession: the provider is closed');
      const browser = await ensureBrowser();
      try {
        return await createSession(browser, sessionOptions);
      } catch (error) {
        // The browser may have died just before: its `disconnected` event can lag the failure.
        if (browser.isConnected() || options.browser) {
          if (!browser.isConnected()) throw browserCrashed(error);
          throw error;
        }
        if (launched === browser) launched = undefined;
        return createSession(await ensureBrowser(), sessionOptions);
      }
    },

    async getInstance() {
      return ensureBrowser();
    },

    async close(_options: CallOptions = {}) {
      closed = true;
      await Promise.all([...sessions].map((s) => s.close().catch(() => ({}))));
      const browser = launched ?? (launching ? await launching.catch(() => undefined) : undefined);
      launched = undefined;
      if (browser && !options.browser) await browser.close().catch(() => {});
    },
  };
}
