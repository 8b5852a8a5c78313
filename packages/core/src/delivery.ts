import type { TaskResultPayload } from '@webtasks/protocol';
import type { BlobStore } from './ports/blob-store.js';
import type { CallOptions, JsonValue } from './ports/common.js';

/** Default largest inline result: 64 KiB of JSON. */
export const DEFAULT_INLINE_LIMIT_BYTES = 64 * 1024;
/** Signed result URLs live 7 days. */
export const RESULT_URL_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Rows shown in a file result's preview. */
export const PREVIEW_SAMPLE_ROWS = 5;

/** Options of `deliverResult`. */
export interface DeliverOptions extends CallOptions {
  output: JsonValue;
  workspaceId: string;
  webTaskId: string;
  blobs: BlobStore;
  inlineLimitBytes?: number;
  /** Sample rows in the preview. */
  previewRows?: number;
}

/**
 * Decide how a result travels: inline when its JSON fits the limit, otherwise as a file in
 * the blob store behind a signed URL valid 7 days, with a preview (row count + sample).
 */
export async function deliverResult(options: DeliverOptions): Promise<TaskResultPayload> {
  const json = JSON.stringify(options.output);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= (options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES)) {
    return { type: 'inline', data: options.output };
  }
  const key = `${options.workspaceId}/results/${options.webTaskId}.json`;
  const body = new TextEncoder().encode(json);
  const { sizeBytes } = await options.blobs.put({
    key,
    body,
    contentType: 'application/json',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const signed = await options.blobs.signedUrl({
    key,
    expiresInSeconds: RESULT_URL_TTL_SECONDS,
    downloadName: `${options.webTaskId}.json`,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const preview = previewOf(options.output, options.previewRows ?? PREVIEW_SAMPLE_ROWS);
  return {
    type: 'file',
    file: { url: signed.url, contentType: 'application/json', sizeBytes, expiresAt: signed.expiresAt },
    ...(preview ? { preview } : {}),
  };
}

/**
 * The rows of an output: the output itself when it is an array, else its largest top-level
 * array (`{ companies: [...] }`). Undefined when there is none.
 */
export function rowsOf(output: JsonValue): JsonValue[] | undefined {
  if (Array.isArray(output)) return output;
  if (output === null || typeof output !== 'object') return undefined;
  let best: JsonValue[] | undefined;
  for (const value of Object.values(output)) {
    if (Array.isArray(value) && (!best || value.length > best.length)) best = value;
  }
  return best;
}

function previewOf(output: JsonValue, rows: number): { rowCount: number; sample: JsonValue[] } | undefined {
  const all = rowsOf(output);
  if (!all) return undefined;
  return { rowCount: all.length, sample: all.slice(0, rows) };
}
