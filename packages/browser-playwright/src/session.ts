import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  BrowserSession,
  CallOptions,
  DownloadedFile,
  DownloadStream,
  DownloadTrigger,
  JsonValue,
  Logger,
  PageCommand,
  PageSnapshot,
  StorageState,
  WebTasksError,
} from '@webtasks/core';
import type { BrowserContext, Page } from 'playwright-core';
import { CookieCache } from './cookie-cache.js';
import { downloadByClick } from './download.js';
import { DENIED_HEADER } from './egress/egress-denial.js';
import { invalidRequest, unreachable } from './errors.js';
import { type CommandContext, executeCommand } from './execute-command.js';
import { fetchFile } from './fetch-file.js';
import { FetchSlots } from './fetch-slots.js';
import { buildLocator } from './locator-chain.js';
import { observePage } from './observe.js';
import { policyDenied, SessionGuard } from './session-guard.js';
import type { SessionNetwork } from './session-network.js';

/** What a session gets from its provider. */
export interface SessionSetup {
  context: BrowserContext;
  page: Page;
  /** The session's egress proxy, policy and what they refused. */
  network: SessionNetwork;
  trace: boolean;
  commandTimeoutMs: number;
  navigationTimeoutMs: number;
  maxTimeoutMs: number;
  downloadSpacingMs: number;
  /** URL downloads (`fetchFile`) of one session running at once; more wait their turn. */
  maxConcurrentDownloads: number;
  /** A URL download's body is cut when no byte arrived for this long. */
  downloadIdleTimeoutMs: number;
  /** Largest evaluate result, in characters, refused in the page. */
  maxResultBytes: number;
  /** The cap the session went over (pages, frames), if any: every later command fails with it. */
  capViolation(): WebTasksError | undefined;
  /** Call `listener` when the session goes over a cap (commands in flight fail with it at once); returns the unsubscribe. */
  onCapViolation(listener: (error: WebTasksError) => void): () => void;
  logger: Logger;
  isBrowserAlive(): boolean;
  onClose(session: PlaywrightBrowserSession): void;
}

const EVALUATE_OPS = new Set(['evaluate', 'evaluateAll', '$eval', '$$eval']);

/** One browser context with one page. */
export class PlaywrightBrowserSession implements BrowserSession {
  readonly id = `bs_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  private lastClickDownloadAt = 0;
  private userAgent: Promise<string | undefined> | undefined;
  private lastObserveAt = 0;
  private readonly commandContext: CommandContext;
  /** Checks, time limits and error mapping of every command. */
  private readonly guard: SessionGuard;
  private readonly fetchSlots: FetchSlots;
  /** The cookie jar as downloads by URL send it; invalidated by commands, navigations, and responses while held. */
  private readonly cookies: CookieCache;

  constructor(private readonly setup: SessionSetup) {
    this.cookies = new CookieCache(setup.context);
    this.guard = new SessionGuard(setup, this.cookies);
    this.fetchSlots = new FetchSlots(setup.maxConcurrentDownloads, () => this.guard.closed);
    setup.page.on('framenavigated', () => this.cookies.invalidate());
    setup.page.on('crash', () => {
      this.guard.crashed = true;
      setup.logger.warn('page crashed', { session: this.id });
    });
    this.commandContext = {
      page: setup.page,
      limits: { maxTimeoutMs: setup.maxTimeoutMs },
      maxResultChars: setup.maxResultBytes,
      assertNavigable: async (url) => {
        let absolute: string;
        try {
          absolute = new URL(url).href;
        } catch {
          return; // Playwright reports an invalid URL itself.
        }
        const verdict = await setup.network.guard.check(absolute);
        if (!verdict.allowed && verdict.kind !== 'unresolvable') throw policyDenied(absolute, verdict.reason);
      },
      assertResponse: (response) => {
        const marker = response?.headers()[DENIED_HEADER];
        if (!response || marker === undefined) return;
        const url = response.url();
        if (marker === 'denied') {
          const denial = setup.network.denials.findLast((d) => d.url === url);
          throw policyDenied(url, denial?.reason ?? 'refused by the egress proxy');
        }
        const failure = this.guard.upstreamFailureSince(Date.now() - setup.navigationTimeoutMs);
        if (failure) throw failure;
        throw unreachable(url, response.headers()[`${DENIED_HEADER}-reason`]);
      },
    };
  }

  /** The Playwright page (escape hatch for tests and advanced embedding). */
  getPage(): Page {
    return this.setup.page;
  }

  execute(options: { command: PageCommand } & CallOptions): Promise<JsonValue> {
    const command = options?.command;
    const op = typeof command?.op === 'string' ? command.op : 'command';
    const what = command?.target === 'locator' ? `locator.${op}` : `page.${op}`;
    const limit = EVALUATE_OPS.has(op) ? this.setup.navigationTimeoutMs : this.setup.maxTimeoutMs + 5000;
    return this.guard.run(what, options?.signal, limit, () => executeCommand(this.commandContext, command));
  }

  observe(options: { maxItemsPerList?: number } & CallOptions = {}): Promise<PageSnapshot> {
    const maxItemsPerList = options.maxItemsPerList ?? 4;
    if (!Number.isInteger(maxItemsPerList) || maxItemsPerList < 2) {
      return Promise.reject(invalidRequest('observe: maxItemsPerList must be an integer of at least 2'));
    }
    const since = this.lastObserveAt;
    this.lastObserveAt = Date.now();
    return this.guard.run('observe', options.signal, this.setup.navigationTimeoutMs, async () => {
      const snapshot = await observePage(this.setup.page, {
        maxItemsPerList,
        timeoutMs: this.setup.commandTimeoutMs,
      });
      // A click that navigated to a refused URL leaves Chromium's error page: say why.
      const blocked = this.setup.network.denials
        .filter((d) => d.at >= since && d.resourceType === 'document')
        .slice(-3);
      if (blocked.length === 0) return snapshot;
      const notes = blocked
        .map((d) => `- note: the egress policy blocked a navigation to ${d.url}: ${d.reason}`)
        .join('\n');
      const text = `${notes}\n${snapshot.text}`;
      return { ...snapshot, text, sizeBytes: Buffer.byteLength(text) };
    });
  }

  screenshot(options: { fullPage?: boolean } & CallOptions = {}): Promise<Uint8Array> {
    return this.guard.run('screenshot', options.signal, this.setup.navigationTimeoutMs, async () => {
      const png = await this.setup.page.screenshot({
        type: 'png',
        fullPage: options.fullPage === true,
        timeout: this.setup.commandTimeoutMs,
      });
      return new Uint8Array(png);
    });
  }

  download(options: { trigger: DownloadTrigger; timeoutMs?: number } & CallOptions): Promise<DownloadedFile> {
    const trigger = options?.trigger as DownloadTrigger | undefined;
    if (trigger?.kind === 'url') {
      if (typeof trigger.url !== 'string')
        return Promise.reject(invalidRequest('download: trigger.url must be a string'));
      return this.fetchFile({ ...options, url: trigger.url }).then(async (file) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of file.body) chunks.push(chunk);
        const { body: _body, ...meta } = file;
        return { ...meta, body: new Uint8Array(Buffer.concat(chunks)) };
      });
    }
    const timeoutMs = Math.min(options?.timeoutMs ?? this.setup.navigationTimeoutMs, this.setup.maxTimeoutMs);
    return this.guard.run('download', options?.signal, timeoutMs + 5000, async () => {
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        throw invalidRequest('download: timeoutMs must be a positive number');
      if (trigger?.kind !== 'click')
        throw invalidRequest('download: trigger must be { kind: "click", locator } or { kind: "url", url }');
      // Chromium drops anchor downloads started in quick succession from one tab: space
      // clicks (URL downloads never go through the browser's download manager).
      const wait = this.lastClickDownloadAt + this.setup.downloadSpacingMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastClickDownloadAt = Date.now();
      const ctx = {
        page: this.setup.page,
        maxDownloadBytes: this.setup.network.maxDownloadBytes,
        denied: policyDenied,
        deniedSince: (since: number) => this.guard.deniedSince(since),
      };
      return downloadByClick(ctx, buildLocator(this.setup.page, trigger.locator), timeoutMs);
    });
  }

  /** The context's cookies and localStorage now, as Playwright reports them. */
  async storageState(_options: CallOptions = {}): Promise<StorageState> {
    const state = await this.setup.context.storageState();
    return {
      cookies: state.cookies.map((cookie) => ({ ...cookie })),
      origins: state.origins.map((origin) => ({
        origin: origin.origin,
        localStorage: origin.localStorage.map((item) => ({ ...item })),
      })),
    };
  }

  /**
   * Fetch a file by URL without the browser's download manager, at most
   * `maxConcurrentDownloads` at once (a slot is held until the body is read or dropped).
   */
  async fetchFile(
    options: { url: string; timeoutMs?: number; maxBytes?: number } & CallOptions,
  ): Promise<DownloadStream> {
    const timeoutMs = Math.min(options?.timeoutMs ?? this.setup.navigationTimeoutMs, this.setup.maxTimeoutMs);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw invalidRequest('download: timeoutMs must be a positive number');
    if (typeof options?.url !== 'string') throw invalidRequest('download: url must be a string');
    // Waiting for a slot does not count against the timeout.
    await this.fetchSlots.take(options.signal);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.fetchSlots.release();
    };
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let work: Promise<DownloadStream> | undefined;
    try {
      return await this.guard.run(
        'download',
        options.signal,
        timeoutMs + 5000,
        async () => {
          this.userAgent ??= this.setup.page.evaluate(() => navigator.userAgent).catch(() => undefined);
          const userAgent = await this.userAgent;
          work = fetchFile(
            {
              cookieHeader: (url) => this.cookies.headerFor(url),
              guard: this.setup.network.guard,
              pageUrl: this.setup.page.url(),
              userAgent,
              egress: this.setup.network.proxy,
              maxDownloadBytes: this.setup.network.maxDownloadBytes,
              idleTimeoutMs: this.setup.downloadIdleTimeoutMs,
              denied: policyDenied,
              deniedSince: (since: number) => this.guard.deniedSince(since),
            },
            {
              url: options.url,
              timeoutMs,
              ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
              signal: controller.signal,
              onEnd: release,
            },
          );
          return work;
        },
        false,
      );
    } catch (error) {
      // Gave up (timeout, abort, closed session): a body that arrives later is dropped.
      controller.abort();
      work?.then((file) => file.body[Symbol.asyncIterator]().return?.(), release);
      if (!work) release();
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(_options: CallOptions = {}): Promise<{ trace?: Uint8Array }> {
    if (this.guard.closed) return {};
    this.guard.closed = true;
    this.setup.onClose(this);
    if (!this.setup.isBrowserAlive()) {
      await this.setup.network.close();
      return {};
    }
    let trace: Uint8Array | undefined;
    if (this.setup.trace) {
      const path = join(tmpdir(), `webtasks-trace-${this.id}.zip`);
      try {
        await this.setup.context.tracing.stop({ path });
        trace = new Uint8Array(await readFile(path));
      } catch (error) {
        this.setup.logger.warn('could not save the trace', { session: this.id, error: String(error) });
      } finally {
        await rm(path, { force: true });
      }
    }
    await this.setup.context.close().catch((error) => {
      this.setup.logger.debug('context close failed', { session: this.id, error: String(error) });
    });
    await this.setup.network.close();
    return trace ? { trace } : {};
  }
}
