import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Logger } from '@webtasks/core';

/** One multipart upload of a body already in memory. */
export interface MultipartUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  body: Uint8Array;
  contentType: string;
  /** Bytes per part (S3 needs ≥ 5 MiB for every part but the last). */
  partSizeBytes: number;
  /** Parts in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * Upload `body` in parts of `partSizeBytes`, `concurrency` at a time, then complete the
 * upload. Any failure aborts the upload so that S3 drops the parts already stored.
 */
export async function uploadMultipart(options: MultipartUploadOptions): Promise<void> {
  const { client, bucket, key, body, signal } = options;
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType }),
    { abortSignal: signal },
  );
  const uploadId = created.UploadId as string;
  const partCount = Math.ceil(body.length / options.partSizeBytes);
  const etags: string[] = new Array(partCount);
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < partCount) {
        const index = next;
        next += 1;
        const start = index * options.partSizeBytes;
        const part = body.subarray(start, Math.min(body.length, start + options.partSizeBytes));
        const uploaded = await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: part,
          }),
          { abortSignal: signal },
        );
        etags[index] = uploaded.ETag as string;
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, partCount) }, worker));
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch((abortError: unknown) =>
        options.logger.warn(
          'could not abort a failed multipart upload; a bucket lifecycle rule should clean it up',
          {
            key,
            uploadId,
            error: String(abortError),
          },
        ),
      );
    throw error;
  }
}
