import type { IncomingMessage } from 'node:http';
import type { EgressGuard } from '@webtasks/core';
import { type DownloadStream, WebTasksError } from '@webtasks/core';
import { guessType, suggestedNameOf } from './download.js';
import { DENIED_HEADER } from './egress/egress-denial.js';
import type { EgressProxy } from './egress/egress-proxy.js';
import { type OpenedResponse, openChecked } from './egress/proxied-fetch.js';
import { PREFIX, pageError } from './errors.js';

/** What a fetch by URL needs from its session. */
export interface FetchFileContext {
  /** The `Cookie` header the browser would send to `url` (see CookieCache). */
  cookieHeader(url: URL): Promise<string | undefined>;
  guard: EgressGuard;
  /** The page's URL, which relative URLs resolve against. */
  pageUrl: string;
  /** The browser's user agent, sent as the page would. */
  userAgent: string | undefined;
  /** The `policy-denied` error for a refused URL. */
  denied(url: string, reason: string): WebTasksError;
  /** Denials recorded since `since` (ms since the epoch). */
  deniedSince(since: number): { url: string; reason: string } | undefined;
  /** The session's egress proxy: checked connections, and the transfer budget they count against. */
  egress: Pick<EgressProxy, 'connect' | 'count'>;
  /** Largest file one download may be (`maxDownloadBytes`). */
  maxDownloadBytes: number;
  /** Cut a body when no byte arrived for this long (`downloadIdleTimeoutMs`). */
  idleTimeoutMs: number;
}

const MAX_REDIRECTS = 10;
const MIB = 1048576;

function mib(bytes: number): string {
  if (bytes < MIB) return `${bytes} bytes`;
  const value = bytes / MIB;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
}

function tooLarge(url: string, maxBytes: number, perFile: boolean): WebTasksError {
  return new WebTasksError({
    code: 'page-error',
    message: perFile
      ? `${PREFIX} the download of ${url} is larger than ${mib(maxBytes)}, the most one file may be (maxDownloadBytes of the browser provider); it was cut there`
      : `${PREFIX} the download of ${url} is larger than the ${mib(maxBytes)} this run may still store; it was cut there`,
  });
}

/**
 * The body of `answer` in chunks, cut with a clear error past `maxBytes` or when no byte
 * arrived for `idleTimeoutMs` (time the consumer spends on a chunk does not count).
 * Stopping early destroys the connection; `onEnd` runs once either way.
 */
async function* bodyOf(
  answer: IncomingMessage,
  options: {
    url: string;
    maxBytes: number;
    perFile: boolean;
    idleTimeoutMs: number;
    /** Count bytes against the session's transfer budget; false once it is spent. */
    count(bytes: number): boolean;
    onEnd(): void;
  },
): AsyncGenerator<Uint8Array> {
  let size = 0;
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => {
      stalled = true;
      answer.destroy();
    }, options.idleTimeoutMs);
  };
  try {
    arm();
    for await (const chunk of answer as AsyncIterable<Buffer>) {
      clearTimeout(timer);
      size += chunk.length;
      if (size > options.maxBytes) throw tooLarge(options.url, options.maxBytes, options.perFile);
      if (!options.count(chunk.length))
        throw new WebTasksError({
          code: 'policy-denied',
          message: `${PREFIX} the download of ${options.url} was cut: the session's transfer budget (maxTransferBytes of the browser provider) is spent`,
          details: { url: options.url },
        });
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      arm();
    }
    if (stalled) throw stalledError(options.url, options.idleTimeoutMs, size);
    const expected = Number(answer.headers['content-length']);
    if (Number.isFinite(expected) && size < expected)
      throw new WebTasksError({
        code: 'page-error',
        message: `${PREFIX} the download of ${options.url} ended after ${mib(size)} of ${mib(expected)}: the connection was cut`,
      });
  } catch (error) {
    if (stalled) throw stalledError(options.url, options.idleTimeoutMs, size);
    if (WebTasksError.isInstance(error)) throw error;
    throw pageError(`download of ${options.url}`, error);
  } finally {
    clearTimeout(timer);
    answer.destroy();
    options.onEnd();
  }
}

/**
 * `body`, plus: stopping it before the first chunk was asked for (a generator that never
 * started skips its `finally`) still frees the connection.
 */
function releasing(body: AsyncGenerator<Uint8Array>, release: () => void): AsyncIterable<Uint8Array> {
  let started = false;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        started = true;
        return body.next();
      },
      return: (value?: unknown) => {
        if (!started) release();
        return body.return(value as undefined);
      },
    }),
  };
}

function stalledError(url: string, idleTimeoutMs: number, size: number): WebTasksError {
  return new WebTasksError({
    code: 'page-error',
    message: `${PREFIX} the download of ${url} stalled: no byte arrived for ${idleTimeoutMs} ms after ${mib(size)}; the site stopped sending (raise downloadIdleTimeoutMs of the browser provider if it is only slow)`,
    details: { url, reason: 'download-stalled', setting: 'downloadIdleTimeoutMs' },
  });
}

/**
 * Fetch `rawUrl` (absolute, or relative to the page) on connections the session's egress proxy
 * checks and opens (`openChecked`), with the context's cookies (read once per batch, see
 * CookieCache), checking the egress policy at every redirect hop (and each connection again),
 * every byte counted against the session's transfer budget. Resolves once the headers of the
 * file arrived; the body streams, cut past `maxBytes` or when it stalls. `onEnd` runs once the
 * body is done with (or at once when no body is handed over).
 */
export async function fetchFile(
  ctx: FetchFileContext,
  options: { url: string; timeoutMs: number; maxBytes?: number; signal?: AbortSignal; onEnd(): void },
): Promise<DownloadStream> {
  let handedOver = false;
  let ended = false;
  const onEnd = () => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  try {
    const stream = await open(ctx, { ...options, onEnd });
    handedOver = true;
    return stream;
  } finally {
    if (!handedOver) onEnd();
  }
}

async function open(
  ctx: FetchFileContext,
  options: { url: string; timeoutMs: number; maxBytes?: number; signal?: AbortSignal; onEnd(): void },
): Promise<DownloadStream> {
  let url: string;
  try {
    url = new URL(options.url, ctx.pageUrl === 'about:blank' ? undefined : ctx.pageUrl).href;
  } catch {
    throw new WebTasksError({
      code: 'invalid-request',
      message: `${PREFIX} download: "${options.url}" is not a valid URL`,
    });
  }
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const perFile = options.maxBytes === undefined || options.maxBytes >= ctx.maxDownloadBytes;
  const maxBytes = Math.min(options.maxBytes ?? ctx.maxDownloadBytes, ctx.maxDownloadBytes);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const verdict = await ctx.guard.check(url);
    if (!verdict.allowed) throw ctx.denied(url, verdict.reason);
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw new WebTasksError({
        code: 'invalid-request',
        message: `${PREFIX} download: only http(s) URLs can be downloaded by URL; click the link for ${target.protocol} URLs (files.downloadFromClick)`,
      });
    const cookie = await ctx.cookieHeader(target);
    const headers: Record<string, string> = { accept: '*/*' };
    if (ctx.userAgent) headers['user-agent'] = ctx.userAgent;
    if (cookie) headers.cookie = cookie;
    let response: OpenedResponse;
    try {
      response = await openChecked(target, {
        egress: ctx.egress,
        headers,
        timeoutMs: Math.max(1, deadline - Date.now()),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      const denial = ctx.deniedSince(started);
      if (denial) throw ctx.denied(denial.url, denial.reason);
      throw pageError(`download of ${url}`, error);
    }
    const { status, stream } = response;
    const marker = response.headers[DENIED_HEADER];
    if (marker === 'denied') {
      const denial = ctx.deniedSince(started);
      throw ctx.denied(url, denial?.reason ?? response.body.toString('utf8').trim());
    }
    if (marker === 'unreachable') {
      throw new WebTasksError({
        code: 'page-error',
        message: `${PREFIX} download of ${url} failed: ${response.body.toString('utf8').trim()}`,
      });
    }
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      url = new URL(location, url).href;
      continue;
    }
    if (!stream) {
      throw new WebTasksError({
        code: 'page-error',
        message: `${PREFIX} download of ${url} failed with HTTP ${status}`,
      });
    }
    const suggestedName = suggestedNameOf(response.headers['content-disposition'], url);
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      stream.destroy();
      throw tooLarge(url, maxBytes, perFile);
    }
    return {
      suggestedName,
      url,
      contentType: response.headers['content-type'] ?? guessType(suggestedName),
      ...(Number.isFinite(length) ? { sizeBytes: length } : {}),
      body: releasing(
        bodyOf(stream, {
          url,
          maxBytes,
          perFile,
          idleTimeoutMs: ctx.idleTimeoutMs,
          count: (bytes) => ctx.egress.count(bytes),
          onEnd: options.onEnd,
        }),
        () => {
          stream.destroy();
          options.onEnd();
        },
      ),
    };
  }
  throw new WebTasksError({
    code: 'page-error',
    message: `${PREFIX} download of ${options.url} redirected more than ${MAX_REDIRECTS} times`,
  });
}
