import { z } from 'zod';

/**
 * A file a task downloaded, as it appears in a result's output (inline, or inside the result
 * file): what the code's `ctx.files` returned, plus a signed URL that serves the bytes until
 * `expiresAt` (7 days after the task completed). Check the bytes against `sha256`.
 */
export const DownloadedFileSchema = z.object({
  /** Stable id of the stored file. */
  fileId: z.string(),
  /** File name (letters, digits, `._-`). */
  name: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the file came from. */
  sourceUrl: z.string(),
  /** Signed URL of the bytes: the webtasks server's `/files/…` route, or the object store's own. */
  url: z.string(),
  /** When `url` stops working (ISO 8601). */
  expiresAt: z.string(),
});
export type DownloadedFile = z.infer<typeof DownloadedFileSchema>;

/** How deep `downloadedFilesIn` looks into an output. */
const MAX_DEPTH = 32;

/**
 * Every downloaded file an output references (objects that parse as `DownloadedFile`), in
 * document order; the same `fileId` once.
 */
export function downloadedFilesIn(output: unknown): DownloadedFile[] {
  const found = new Map<string, DownloadedFile>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (!Array.isArray(value)) {
      const parsed = DownloadedFileSchema.safeParse(value);
      if (parsed.success) {
        if (!found.has(parsed.data.fileId)) found.set(parsed.data.fileId, parsed.data);
        return;
      }
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) visit(child, depth + 1);
  };
  visit(output, 0);
  return [...found.values()];
}
