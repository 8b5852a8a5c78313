import { type DownloadedFile, WebtasksError } from '@webtasks/core';
import type { BrowserContext, Download, Locator, Page } from 'playwright-core';
import type { EgressGuard } from './egress/egress-guard.js';
import { PREFIX, pageError } from './errors.js';

/** What a download needs from its session. */
export interface DownloadContext {
  page: Page;
  context: BrowserContext;
  guard: EgressGuard;
  /** Content types of responses seen by the egress router, by URL. */
  contentTypes: ReadonlyMap<string, string>;
  /** The `policy-denied` error for a refused URL. */
  denied(url: string, reason: string): WebtasksError;
  /** Denials recorded since `since` (ms since the epoch). */
  deniedSince(since: number): { url: string; reason: string } | undefined;
}

const MAX_REDIRECTS = 10;
const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  png: 'image/png',
  jpg: 'image/jpeg',
};

function guessType(name: string): string {
  return TYPES[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

/** The file name of a `Content-Disposition` header, or the last path segment of the URL. */
export function suggestedNameOf(disposition: string | undefined, url: string): string {
  const star = /filename\*\s*=\s*(?:[\w-]+'[^']*')?([^;]+)/i.exec(disposition ?? '');
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(disposition ?? '');
  if (plain) return (plain[2] ?? plain[1]!).trim();
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : 'download';
  } catch {
    return 'download';
  }
}

async function readDownload(
  download: Download,
  contentTypes: ReadonlyMap<string, string>,
): Promise<DownloadedFile> {
  const failure = await download.failure();
  if (failure)
    throw new WebtasksError({
      code: 'page-error',
      message: `${PREFIX} the download of ${download.url()} failed: ${failure}`,
    });
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const suggestedName = download.suggestedFilename();
  await download.delete().catch(() => {});
  return {
    suggestedName,
    url: download.url(),
    contentType: contentTypes.get(download.url()) ?? guessType(suggestedName),
    body: new Uint8Array(Buffer.concat(chunks)),
  };
}

/**
 * Click `locator` and wait for the download it starts. Chromium silently drops downloads
 * started in quick succession (no request, no event): when the click caused no request at
 * all, it is retried once.
 */
export async function downloadByClick(
  ctx: DownloadContext,
  locator: Locator,
  timeoutMs: number,
): Promise<DownloadedFile> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (let attempt = 1; attempt <= 2; attempt++) {
    let requests = 0;
    const onRequest = () => {
      requests++;
    };
    const urlBefore = ctx.page.url();
    ctx.page.on('request', onRequest);
    const window =
      attempt === 1 ? Math.min(deadline - Date.now(), Math.max(2000, timeoutMs / 2)) : deadline - Date.now();
    const event = ctx.page.waitForEvent('download', { timeout: Math.max(1, window) });
    event.catch(() => {});
    try {
      await locator.click({ timeout: Math.max(1, deadline - Date.now()) });
      return await readDownload(await event, ctx.contentTypes);
    } catch (error) {
      if (WebtasksError.isInstance(error)) throw error;
      const denial = ctx.deniedSince(started);
      if (denial) throw ctx.denied(denial.url, denial.reason);
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      if (timedOut && requests === 0 && attempt === 1 && Date.now() < deadline) continue;
      if (timedOut && ctx.page.url() !== urlBefore) {
        throw new WebtasksError({
          code: 'page-error',
          message: `${PREFIX} the click opened ${ctx.page.url()} instead of downloading it; download that URL instead (files.download(url))`,
          cause: error,
        });
      }
      throw pageError('download (click)', error);
    } finally {
      ctx.page.off('request', onRequest);
    }
  }
  throw new WebtasksError({
    code: 'page-error',
    message: `${PREFIX} the click did not start a download within ${timeoutMs} ms`,
  });
}

/**
 * Fetch `url` (absolute, or relative to the page) through the context, so its cookies apply,
 * checking the egress policy at every redirect hop.
 */
export async function downloadByUrl(
  ctx: DownloadContext,
  rawUrl: string,
  timeoutMs: number,
): Promise<DownloadedFile> {
  let url: string;
  try {
    url = new URL(rawUrl, ctx.page.url() === 'about:blank' ? undefined : ctx.page.url()).href;
  } catch {
    throw new WebtasksError({
      code: 'invalid-request',
      message: `${PREFIX} download: "${rawUrl}" is not a valid URL`,
    });
  }
  const deadline = Date.now() + timeoutMs;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const verdict = await ctx.guard.check(url);
    if (!verdict.allowed) throw ctx.denied(url, verdict.reason);
    let response: Awaited<ReturnType<BrowserContext['request']['fetch']>>;
    try {
      response = await ctx.context.request.fetch(url, {
        maxRedirects: 0,
        failOnStatusCode: false,
        timeout: Math.max(1, deadline - Date.now()),
      });
    } catch (error) {
      throw pageError(`download of ${url}`, error);
    }
    const headers = response.headers();
    if (response.status() >= 300 && response.status() < 400 && headers['location']) {
      url = new URL(headers['location'], url).href;
      await response.dispose();
      continue;
    }
    if (response.status() >= 400) {
      await response.dispose();
      throw new WebtasksError({
        code: 'page-error',
        message: `${PREFIX} download of ${url} failed with HTTP ${response.status()}`,
      });
    }
    const body = new Uint8Array(await response.body());
    await response.dispose();
    const suggestedName = suggestedNameOf(headers['content-disposition'], url);
    return { suggestedName, url, contentType: headers['content-type'] ?? guessType(suggestedName), body };
  }
  throw new WebtasksError({
    code: 'page-error',
    message: `${PREFIX} download of ${rawUrl} redirected more than ${MAX_REDIRECTS} times`,
  });
}
