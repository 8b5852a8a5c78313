import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** One upload of a body in memory or arriving in chunks. */
export interface MultipartUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /**
   * The bytes. A body in chunks is read one part at a time (at most `partSizeBytes` ×
   * `concurrency` held at once); one shorter than a part goes up in a single PutObject.
   */
  body: Uint8Array | AsyncIterable<Uint8Array>;
  contentType: string;
  /** Bytes per part (S3 needs ≥ 5 MiB for every part but the last). */
  partSizeBytes: number;
  /** Parts in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * Upload `body` in parts of `partSizeBytes`, `concurrency` at a time, through the SDK's own
 * multipart uploader (`@aws-sdk/lib-storage`). Any failure (the body's own included) or an
 * abort of `signal` aborts the upload, so S3 drops the parts already stored and the key keeps
 * what it had: an object appears only when the upload completes.
 */
export async function uploadMultipart(options: MultipartUploadOptions): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  const upload = new Upload({
    client: options.client,
    params: {
      Bucket: options.bucket,
      Key: options.key,
      Body: options.body instanceof Uint8Array ? options.body : Readable.from(options.body),
      ContentType: options.contentType,
    },
    partSize: options.partSizeBytes,
    queueSize: options.concurrency,
    leavePartsOnError: false,
  });
  const onAbort = (): void => void upload.abort().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
