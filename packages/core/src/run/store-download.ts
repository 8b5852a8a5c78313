import { createHash } from 'node:crypto';
import { WebTasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserSession, DownloadTrigger } from '../ports/browser.js';
import type { CallOptions } from '../ports/common.js';

/** Bytes the downloads of one run may store, shared by the downloads running at once. */
export interface DownloadBudget {
  readonly maxBytes: number;
  /** Bytes stored (or streaming) so far. */
  usedBytes: number;
}

/** A file stored in the blob store, with what was measured on the way. */
export interface StoredDownload {
  suggestedName: string;
  contentType: string;
  url: string;
  sizeBytes: number;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
}

function overBudget(budget: DownloadBudget): WebTasksError {
  return new WebTasksError({
    code: 'rejected',
    message: `Downloads of this run exceed ${Math.round(budget.maxBytes / 1048576)} MiB, the most one run may store; the file was refused while streaming: store fewer or smaller files (embedders: createRunHost's maxDownloadBytes).`,
  });
}

/**
 * Store `body` under `key`, streaming when the store can (`putStream`), else collecting the
 * chunks and calling `put`. Throwing from the body stores nothing.
 */
export async function putBlobStream(
  blobs: BlobStore,
  options: { key: string; body: AsyncIterable<Uint8Array>; contentType: string } & CallOptions,
): Promise<{ sizeBytes: number }> {
  if (blobs.putStream) return blobs.putStream(options);
  const chunks: Uint8Array[] = [];
  for await (const chunk of options.body) chunks.push(chunk);
  const { body: _body, ...rest } = options;
  return blobs.put({ ...rest, body: new Uint8Array(Buffer.concat(chunks)) });
}

/** Count each chunk against the run's budget and hash it; past the budget the stream is cut. */
async function* metered(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  budget: DownloadBudget,
  seen: { bytes: number; hash: ReturnType<typeof createHash> },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    seen.bytes += chunk.byteLength;
    budget.usedBytes += chunk.byteLength;
    if (budget.usedBytes > budget.maxBytes) throw overBudget(budget);
    seen.hash.update(chunk);
    yield chunk;
  }
}

/**
 * Download what `trigger` names into the blob store under `key(suggestedName)`. A URL is
 * fetched by the session (`fetchFile`) and streams to the store, counted against `budget` and
 * hashed on the way; a click goes through the browser's download. Bytes of a refused or failed
 * download are given back to the budget.
 */
export async function storeDownload(
  options: {
    session: BrowserSession;
    blobs: BlobStore;
    trigger: DownloadTrigger;
    budget: DownloadBudget;
    key(suggestedName: string): string;
  } & CallOptions,
): Promise<StoredDownload & { key: string }> {
  const { session, blobs, trigger, budget } = options;
  const signal = options.signal ? { signal: options.signal } : {};
  const seen = { bytes: 0, hash: createHash('sha256') };
  try {
    if (trigger.kind === 'url' && session.fetchFile) {
      // The adapter applies its per-file limit; the run's budget is counted here, across the
      // downloads running at once.
      const stream = await session.fetchFile({ url: trigger.url, ...signal });
      if (stream.sizeBytes !== undefined && budget.usedBytes + stream.sizeBytes > budget.maxBytes) {
        // Said so in its headers: refuse before a byte is read.
        await stream.body[Symbol.asyncIterator]().return?.();
        throw overBudget(budget);
      }
      const key = options.key(stream.suggestedName);
      await putBlobStream(blobs, {
        key,
        body: metered(stream.body, budget, seen),
        contentType: stream.contentType,
        ...signal,
      });
      return { ...file(stream, seen), key };
    }
    const downloaded = await session.download({ trigger, ...signal });
    const body = downloaded.body;
    const key = options.key(downloaded.suggestedName);
    await putBlobStream(blobs, {
      key,
      body: metered([body], budget, seen),
      contentType: downloaded.contentType,
      ...signal,
    });
    return { ...file(downloaded, seen), key };
  } catch (error) {
    budget.usedBytes -= seen.bytes;
    throw error;
  }
}

function file(
  meta: { suggestedName: string; contentType: string; url: string },
  seen: { bytes: number; hash: ReturnType<typeof createHash> },
): StoredDownload {
  return {
    suggestedName: meta.suggestedName,
    contentType: meta.contentType,
    url: meta.url,
    sizeBytes: seen.bytes,
    sha256: seen.hash.digest('hex'),
  };
}
