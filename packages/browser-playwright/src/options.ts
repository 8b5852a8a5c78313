import type { EgressPolicy, Logger } from '@webtasks/core';
import type { Browser } from 'playwright-core';

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
  // WebRTC can reach the network over UDP, which request routing cannot see.
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/** Options of `createPlaywrightBrowserProvider`. */
export interface PlaywrightBrowserProviderOptions {
  /** Chromium binary. Default `/usr/bin/chromium`. */
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
  /** Default timeout of each command (Playwright's action timeout). Default 10 000 ms. */
  commandTimeoutMs?: number;
  /** Default navigation timeout. Default 30 000 ms. */
  navigationTimeoutMs?: number;
  /** Upper bound of any timeout a command asks for (`0`, "no timeout", becomes this). Default 120 000 ms. */
  maxTimeoutMs?: number;
  /** Viewport of every page. Default 1280×800. */
  viewport?: { width: number; height: number };
  /** Minimum gap between two downloads of one session (Chromium drops rapid-fire downloads). Default 250 ms. */
  downloadSpacingMs?: number;
  /** Where to log. Default: silent. */
  logger?: Logger;
}

/** Options with defaults applied. */
export interface ResolvedProviderOptions {
  executablePath: string;
  launchArgs: readonly string[];
  egress: EgressPolicy;
  commandTimeoutMs: number;
  navigationTimeoutMs: number;
  maxTimeoutMs: number;
  viewport: { width: number; height: number };
  downloadSpacingMs: number;
  logger: Logger;
}

const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** Apply defaults. */
export function resolveProviderOptions(options: PlaywrightBrowserProviderOptions): ResolvedProviderOptions {
  return {
    executablePath: options.executablePath ?? '/usr/bin/chromium',
    launchArgs: options.launchArgs ?? DEFAULT_LAUNCH_ARGS,
    egress: options.egress ?? {},
    commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
    navigationTimeoutMs: options.navigationTimeoutMs ?? 30_000,
    maxTimeoutMs: options.maxTimeoutMs ?? 120_000,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    downloadSpacingMs: options.downloadSpacingMs ?? 250,
    logger: options.logger ?? silentLogger,
  };
}
