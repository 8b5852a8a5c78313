import { existsSync } from 'node:fs';
import type { EgressPolicy, HostLookup, Logger, ProxySettings } from '@webtasks/core';
import { silentLogger, WebTasksError } from '@webtasks/core';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium package, the default browser when it is installed. */
export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';

/** Chromium flags for a headless, quiet browser that makes no background requests. */
export const DEFAULT_LAUNCH_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // WebRTC may use only proxied connections (TCP through the egress proxy), never UDP or its
  // own TCP sockets.
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/** Options of `createPlaywrightBrowserProvider`. */
export interface PlaywrightBrowserProviderOptions {
  /**
   * Chromium binary. Default `/usr/bin/chromium` when it exists, else the Chromium that
   * Playwright's installer put in its browser cache (`npx playwright-core install chromium`).
   */
  executablePath?: string;
  /** Chromium flags. Default `DEFAULT_LAUNCH_ARGS`. */
  launchArgs?: readonly string[];
  /**
   * A Playwright `Browser` you own (launched or connected yourself). The provider opens
   * contexts on it, never closes it, and cannot relaunch it after a crash.
   */
  browser?: Browser;
  /** Egress policy of sessions that do not pass their own. Default: block private networks, no allow-list. */
  egress?: EgressPolicy;
  /** Upstream proxy of sessions that do not pass their own. Default: none (direct). */
  proxy?: ProxySettings;
  /**
   * Bytes one session may move through its egress proxy (both directions), counted while they
   * stream; past it every connection of the session is cut. Default 4 GiB.
   */
  maxTransferBytes?: number;
  /**
   * Largest file one download may be, counted while it streams (a click download is held in
   * memory; a download by URL streams to the blob store). Default 512 MiB.
   */
  maxDownloadBytes?: number;
  /**
   * Largest result of `evaluate`, `$eval` and `$$eval`, in characters (of strings and keys),
   * measured in the page before it is sent: a larger one fails with `budget-exhausted`. Default 8 MiB.
   */
  maxResultBytes?: number;
  /** Pages one session may have open (the first one and popups); extra popups are closed. Default 20. */
  maxPagesPerSession?: number;
  /** Frames one page may have (iframes, nested too); past it the session is closed. Default 200. */
  maxFramesPerPage?: number;
  /** Time to connect to a destination (or the upstream proxy). Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** How the egress proxy resolves names (all addresses). Default `dns.lookup`; tests inject one. */
  lookup?: HostLookup;
  /** Default timeout of each command (Playwright's action timeout). Default 10 000 ms. */
  commandTimeoutMs?: number;
  /** Default navigation timeout. Default 30 000 ms. */
  navigationTimeoutMs?: number;
  /** Upper bound of any timeout a command asks for (`0`, "no timeout", becomes this). Default 120 000 ms. */
  maxTimeoutMs?: number;
  /** Viewport of every page. Default 1280×800. */
  viewport?: { width: number; height: number };
  /**
   * Minimum gap between two click downloads of one session (Chromium drops anchor downloads
   * started in quick succession). Downloads by URL do not go through the browser and are not
   * spaced. Default 250 ms.
   */
  downloadSpacingMs?: number;
  /** Downloads by URL (`files.download(url)`) one session runs at once; more wait their turn. Default 4. */
  maxConcurrentDownloads?: number;
  /**
   * A download by URL whose body sends no byte for this long is cut with a `page-error` that
   * says it stalled. Default 30 000 ms.
   */
  downloadIdleTimeoutMs?: number;
  /** Where to log. Default: silent. */
  logger?: Logger;
}

/** Options with defaults applied. */
export interface ResolvedProviderOptions {
  executablePath: string;
  launchArgs: readonly string[];
  egress: EgressPolicy;
  proxy?: ProxySettings;
  maxTransferBytes: number;
  maxDownloadBytes: number;
  maxResultBytes: number;
  maxPagesPerSession: number;
  maxFramesPerPage: number;
  connectTimeoutMs: number;
  lookup?: HostLookup;
  commandTimeoutMs: number;
  navigationTimeoutMs: number;
  maxTimeoutMs: number;
  viewport: { width: number; height: number };
  downloadSpacingMs: number;
  maxConcurrentDownloads: number;
  downloadIdleTimeoutMs: number;
  logger: Logger;
}

/** `/usr/bin/chromium` when installed, else the path of Playwright's own Chromium build. */
export function defaultExecutablePath(): string {
  if (existsSync(SYSTEM_CHROMIUM_PATH)) return SYSTEM_CHROMIUM_PATH;
  const playwrights = chromium.executablePath();
  return playwrights && existsSync(playwrights) ? playwrights : SYSTEM_CHROMIUM_PATH;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new WebTasksError({
      code: 'invalid-config',
      message: `[webtasks:browser-playwright] ${name} must be a positive integer (got ${String(value)})`,
    });
  return value;
}

/** Apply defaults. */
export function resolveProviderOptions(options: PlaywrightBrowserProviderOptions): ResolvedProviderOptions {
  return {
    executablePath: options.executablePath ?? defaultExecutablePath(),
    launchArgs: options.launchArgs ?? DEFAULT_LAUNCH_ARGS,
    egress: options.egress ?? {},
    ...(options.proxy ? { proxy: options.proxy } : {}),
    maxTransferBytes: options.maxTransferBytes ?? 4 * 1024 ** 3,
    maxDownloadBytes: options.maxDownloadBytes ?? 512 * 1024 ** 2,
    maxResultBytes: options.maxResultBytes ?? 8 * 1024 ** 2,
    maxPagesPerSession: options.maxPagesPerSession ?? 20,
    maxFramesPerPage: options.maxFramesPerPage ?? 200,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    ...(options.lookup ? { lookup: options.lookup } : {}),
    commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
    navigationTimeoutMs: options.navigationTimeoutMs ?? 30_000,
    maxTimeoutMs: options.maxTimeoutMs ?? 120_000,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    downloadSpacingMs: options.downloadSpacingMs ?? 250,
    maxConcurrentDownloads: positiveInteger(options.maxConcurrentDownloads, 4, 'maxConcurrentDownloads'),
    downloadIdleTimeoutMs: options.downloadIdleTimeoutMs ?? 30_000,
    logger: options.logger ?? silentLogger,
  };
}
