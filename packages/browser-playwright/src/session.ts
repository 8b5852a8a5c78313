import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  abortedError,
  type BrowserSession,
  type CallOptions,
  type DownloadedFile,
  type DownloadTrigger,
  type JsonValue,
  type Logger,
  type PageCommand,
  type PageSnapshot,
  throwIfAborted,
  WebtasksError,
} from '@webtasks/core';
import type { BrowserContext, Page } from 'playwright-core';
import { downloadByClick, downloadByUrl } from './download.js';
import type { EgressGuard } from './egress/egress-guard.js';
import type { EgressDenial } from './egress/egress-routing.js';
import { browserCrashed, invalidRequest, isClosedError, PREFIX, pageError } from './errors.js';
import { type CommandContext, executeCommand } from './execute-command.js';
import { buildLocator } from './locator-chain.js';
import { observePage } from './observe.js';

/** What a session gets from its provider. */
export interface SessionSetup {
  context: BrowserContext;
  page: Page;
  guard: EgressGuard;
  /** Filled by the egress router. */
  denials: EgressDenial[];
  contentTypes: Map<string, string>;
  trace: boolean;
  commandTimeoutMs: number;
  navigationTimeoutMs: number;
  maxTimeoutMs: number;
  downloadSpacingMs: number;
  logger: Logger;
  isBrowserAlive(): boolean;
  onClose(session: PlaywrightBrowserSession): void;
}

const EVALUATE_OPS = new Set(['evaluate', 'evaluateAll', '$eval', '$$eval']);

/** The `policy-denied` error for `url`. */
export function policyDenied(url: string, reason: string): WebtasksError {
  return new WebtasksError({
    code: 'policy-denied',
    message: `${PREFIX} the egress policy refused ${url}: ${reason}`,
    details: { url },
  });
}

/** One browser context with one page. */
export class PlaywrightBrowserSession implements BrowserSession {
  readonly id = `bs_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  private closed = false;
  private crashed = false;
  private lastDownloadAt = 0;
  private lastObserveAt = 0;
  private readonly commandContext: CommandContext;

  constructor(private readonly setup: SessionSetup) {
    setup.page.on('crash', () => {
      this.crashed = true;
      setup.logger.warn('page crashed', { session: this.id });
    });
    this.commandContext = {
      page: setup.page,
      limits: { maxTimeoutMs: setup.maxTimeoutMs },
      assertNavigable: async (url) => {
        let absolute: string;
        try {
          absolute = new URL(url).href;
        } catch {
          return; // Playwright reports an invalid URL itself.
        }
        const verdict = await setup.guard.check(absolute);
        if (!verdict.allowed && verdict.kind !== 'unresolvable') throw policyDenied(absolute, verdict.reason);
      },
    };
  }

  /** The Playwright page (escape hatch for tests and advanced embedding). */
  getPage(): Page {
    return this.setup.page;
  }

  private deniedSince(since: number): EgressDenial | undefined {
    return this.setup.denials.findLast((d) => d.at >= since - 5);
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

  private toError(error: unknown, what: string, started: number): WebtasksError {
    if (WebtasksError.isInstance(error)) return error;
    if (this.crashed || !this.setup.isBrowserAlive()) return browserCrashed(error);
    if (this.closed && isClosedError(error)) return invalidRequest(`${what}: the session is closed`);
    const message = error instanceof Error ? error.message : String(error);
    if (/ERR_BLOCKED_BY_CLIENT/.test(message)) {
      const denial = this.deniedSince(started);
      if (denial) return policyDenied(denial.url, denial.reason);
    }
    if (isClosedError(error)) return browserCrashed(error);
    return pageError(what, error);
  }

  private async run<T>(
    what: string,
    signal: AbortSignal | undefined,
    limitMs: number,
    work: () => Promise<T>,
  ): Promise<T> {
    throwIfAborted(signal, what);
    if (this.closed) throw invalidRequest(`${what}: the session is closed; open a new one`);
    if (this.crashed || !this.setup.isBrowserAlive()) throw browserCrashed();
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const guards = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new WebtasksError({
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
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  execute(options: { command: PageCommand } & CallOptions): Promise<JsonValue> {
    const command = options?.command;
    const op = typeof command?.op === 'string' ? command.op : 'command';
    const what = command?.target === 'locator' ? `locator.${op}` : `page.${op}`;
    const limit = EVALUATE_OPS.has(op) ? this.setup.navigationTimeoutMs : this.setup.maxTimeoutMs + 5000;
    return this.run(what, options?.signal, limit, () => executeCommand(this.commandContext, command));
  }

  observe(options: { maxItemsPerList?: number } & CallOptions = {}): Promise<PageSnapshot> {
    const maxItemsPerList = options.maxItemsPerList ?? 4;
    if (!Number.isInteger(maxItemsPerList) || maxItemsPerList < 2) {
      return Promise.reject(invalidRequest('observe: maxItemsPerList must be an integer of at least 2'));
    }
    const since = this.lastObserveAt;
    this.lastObserveAt = Date.now();
    return this.run('observe', options.signal, this.setup.navigationTimeoutMs, async () => {
      const snapshot = await observePage(this.setup.page, {
        maxItemsPerList,
        timeoutMs: this.setup.commandTimeoutMs,
      });
      // A click that navigated to a refused URL leaves Chromium's error page: say why.
      const blocked = this.setup.denials
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
    return this.run('screenshot', options.signal, this.setup.navigationTimeoutMs, async () => {
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
    const timeoutMs = Math.min(options?.timeoutMs ?? this.setup.navigationTimeoutMs, this.setup.maxTimeoutMs);
    return this.run('download', options?.signal, timeoutMs + 5000, async () => {
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        throw invalidRequest('download: timeoutMs must be a positive number');
      const wait = this.lastDownloadAt + this.setup.downloadSpacingMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastDownloadAt = Date.now();
      const ctx = {
        page: this.setup.page,
        context: this.setup.context,
        guard: this.setup.guard,
        contentTypes: this.setup.contentTypes,
        denied: policyDenied,
        deniedSince: (since: number) => this.deniedSince(since),
      };
      if (trigger?.kind === 'click')
        return downloadByClick(ctx, buildLocator(this.setup.page, trigger.locator), timeoutMs);
      if (trigger?.kind === 'url') {
        if (typeof trigger.url !== 'string') throw invalidRequest('download: trigger.url must be a string');
        return downloadByUrl(ctx, trigger.url, timeoutMs);
      }
      throw invalidRequest('download: trigger must be { kind: "click", locator } or { kind: "url", url }');
    });
  }

  async close(_options: CallOptions = {}): Promise<{ trace?: Uint8Array }> {
    if (this.closed) return {};
    this.closed = true;
    this.setup.onClose(this);
    if (!this.setup.isBrowserAlive()) return {};
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
    return trace ? { trace } : {};
  }
}
