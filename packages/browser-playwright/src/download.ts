import { stat } from 'node:fs/promises';
import { type DownloadedFile, WebTasksError } from '@webtasks/core';
import type { Download, Locator, Page, Response } from 'playwright-core';
import { PREFIX, pageError } from './errors.js';

/** What a click download needs from its session. */
export interface DownloadContext {
  page: Page;
  /** The `policy-denied` error for a refused URL. */
  denied(url: string, reason: string): WebTasksError;
  /** Denials recorded since `since` (ms since the epoch). */
  deniedSince(since: number): { url: string; reason: string } | undefined;
  /** Largest file a download may hold in memory. */
  maxDownloadBytes: number;
}
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

/** The content type a file name suggests. */
export function guessType(name: string): string {
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
  ctx: DownloadContext,
  contentTypes: ReadonlyMap<string, string>,
): Promise<DownloadedFile> {
  const failure = await download.failure();
  if (failure)
    throw new WebTasksError({
      code: 'page-error',
      message: `${PREFIX} the download of ${download.url()} failed: ${failure}`,
    });
  const tooLarge = async () => {
    await download.delete().catch(() => {});
    return new WebTasksError({
      code: 'page-error',
      message: `${PREFIX} the download of ${download.url()} is larger than ${Math.round(ctx.maxDownloadBytes / 1048576)} MiB, the most one file may be`,
    });
  };
  // Chromium saved the file to disk: a file past the limit is refused before it is read.
  const path = await download.path().catch(() => undefined);
  const onDisk = path ? await stat(path).catch(() => undefined) : undefined;
  if (onDisk && onDisk.size > ctx.maxDownloadBytes) throw await tooLarge();
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > ctx.maxDownloadBytes) {
      stream.destroy();
      throw await tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
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
  // The content type of the download's response, by URL: listened to only while a click
  // download runs (a response listener makes Playwright send every response of the page).
  const contentTypes = new Map<string, string>();
  const onResponse = (response: Response) => {
    const type = response.headers()['content-type'];
    if (type !== undefined) contentTypes.set(response.url(), type);
  };
  for (let attempt = 1; attempt <= 2; attempt++) {
    let requests = 0;
    const onRequest = () => {
      requests++;
    };
    const urlBefore = ctx.page.url();
    ctx.page.on('request', onRequest);
    ctx.page.on('response', onResponse);
    const window =
      attempt === 1 ? Math.min(deadline - Date.now(), Math.max(2000, timeoutMs / 2)) : deadline - Date.now();
    const event = ctx.page.waitForEvent('download', { timeout: Math.max(1, window) });
    event.catch(() => {});
    try {
      await locator.click({ timeout: Math.max(1, deadline - Date.now()) });
      return await readDownload(await event, ctx, contentTypes);
    } catch (error) {
      if (WebTasksError.isInstance(error)) throw error;
      const denial = ctx.deniedSince(started);
      if (denial) throw ctx.denied(denial.url, denial.reason);
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      if (timedOut && requests === 0 && attempt === 1 && Date.now() < deadline) continue;
      if (timedOut && ctx.page.url() !== urlBefore) {
        throw new WebTasksError({
          code: 'page-error',
          message: `${PREFIX} the click opened ${ctx.page.url()} instead of downloading it; download that URL instead (files.download(url))`,
          cause: error,
        });
      }
      throw pageError('download (click)', error);
    } finally {
      ctx.page.off('request', onRequest);
      ctx.page.off('response', onResponse);
    }
  }
  throw new WebTasksError({
    code: 'page-error',
    message: `${PREFIX} the click did not start a download within ${timeoutMs} ms`,
  });
}
