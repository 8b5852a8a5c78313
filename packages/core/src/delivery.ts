import type { TaskResultPayload } from '@webtasks/protocol';
import type { BlobStore } from './ports/blob-store.js';
import type { CallOptions, JsonObject, JsonValue } from './ports/common.js';
import { downloadedFileKey, safeFileName } from './run/sandbox-host.js';

/** Default largest inline result: 64 KiB of JSON. */
export const DEFAULT_INLINE_LIMIT_BYTES = 64 * 1024;
/** Signed result URLs (the result file and every downloaded file in the output) live 7 days. */
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
  const output = await withFileUrls(options);
  const json = JSON.stringify(output);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= (options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES)) {
    return { type: 'inline', data: output };
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
  const preview = previewOf(output, options.previewRows ?? PREVIEW_SAMPLE_ROWS);
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

/** Most downloaded files one output gets URLs for (a run stores at most 500 by default). */
const MAX_SIGNED_FILES = 2000;

function isDownloadedFileRef(value: JsonObject): value is JsonObject & { fileId: string; name: string } {
  return (
    typeof value.fileId === 'string' &&
    /^[A-Za-z0-9_-]{1,100}$/.test(value.fileId) &&
    typeof value.name === 'string' &&
    safeFileName(value.name) === value.name &&
    typeof value.contentType === 'string' &&
    typeof value.sizeBytes === 'number'
  );
}

/**
 * The output with a signed URL (`url`, `expiresAt`) on every FileRef of a file this task
 * downloaded. Only keys under this task's own files are signed, so an output cannot hand out
 * another task's or workspace's files whatever its code puts there.
 */
async function withFileUrls(options: DeliverOptions): Promise<JsonValue> {
  const keys = new Map<string, { key: string; name: string }>();
  const keyOf = (ref: { fileId: string; name: string }) =>
    downloadedFileKey({ ...options, fileId: ref.fileId, name: ref.name });
  const collect = (value: JsonValue, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > 64 || keys.size >= MAX_SIGNED_FILES) return;
    if (!Array.isArray(value) && isDownloadedFileRef(value)) {
      keys.set(keyOf(value), { key: keyOf(value), name: value.name });
      return;
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) collect(child, depth + 1);
  };
  collect(options.output, 0);
  if (keys.size === 0) return options.output;
  const urls = new Map<string, { url: string; expiresAt: string }>();
  for (const { key, name } of keys.values()) {
    urls.set(
      key,
      await options.blobs.signedUrl({
        key,
        expiresInSeconds: RESULT_URL_TTL_SECONDS,
        downloadName: name,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
  const rebuild = (value: JsonValue, depth: number): JsonValue => {
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) return value.map((item) => rebuild(item, depth + 1));
    if (isDownloadedFileRef(value)) {
      const signed = urls.get(keyOf(value));
      return signed ? { ...value, url: signed.url, expiresAt: signed.expiresAt } : value;
    }
    return Object.fromEntries(
      Object.entries(value).map(([name, child]) => [name, rebuild(child, depth + 1)]),
    );
  };
  return rebuild(options.output, 0);
}
