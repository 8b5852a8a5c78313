import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  assertBlobKey,
  attachmentDisposition,
  type BlobStore,
  type Logger,
  silentLogger,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import { isNotFound, PREFIX, s3Error, s3ErrorCode } from './errors.js';
import { uploadMultipart } from './multipart-upload.js';

/** How to reach S3 when you do not pass a client. */
export interface S3ConnectionOptions {
  /** e.g. `http://127.0.0.1:4568` for a local server; omit for AWS. */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style URLs (`endpoint/bucket/key`), needed by most local S3 servers. */
  forcePathStyle?: boolean;
}

/** Options of `createS3BlobStore`. */
export interface S3BlobStoreOptions extends S3ConnectionOptions {
  /** An S3Client you own (never destroyed by the store). Otherwise one is built from the connection options. */
  client?: S3Client;
  bucket: string;
  /** Prepended to every key, e.g. `webtasks/`. Default none. */
  prefix?: string;
  /** Create the bucket on first use when it does not exist. Default false. */
  createBucket?: boolean;
  /** Bodies larger than this go up in parts. Default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Size of each part. Default 8 MiB (S3's minimum is 5 MiB). */
  partSizeBytes?: number;
  /** Parts uploaded at once. Default 4. */
  partConcurrency?: number;
  logger?: Logger;
}

/** An S3 BlobStore; `close()` destroys the client only if the store built it. */
export interface S3BlobStore extends BlobStore {
  /** The underlying client (escape hatch). */
  getInstance(): S3Client;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
/** SigV4 presigned URLs live at most 7 days. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * Blobs in an S3 bucket (AWS or any S3-compatible server). Signed URLs are native S3
 * presigned GET URLs; large bodies are uploaded in parts.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  if (!options.bucket) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `${PREFIX} Pass the \`bucket\` to store blobs in.`,
    });
  }
  const partSizeBytes = options.partSizeBytes ?? 8 * MIB;
  if (partSizeBytes < 5 * MIB) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `${PREFIX} partSizeBytes must be at least 5 MiB (S3's minimum part size).`,
    });
  }
  const multipartThresholdBytes = Math.max(options.multipartThresholdBytes ?? 16 * MIB, partSizeBytes);
  const owned = !options.client;
  const client =
    options.client ??
    new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: options.credentials,
      forcePathStyle: options.forcePathStyle,
    });
  const bucket = options.bucket;
  const prefix = options.prefix ?? '';
  const logger = (options.logger ?? silentLogger).child({ adapter: 'store-s3', bucket });
  let bucketReady: Promise<void> | undefined;

  const ready = (): Promise<void> => {
    if (!options.createBucket) return Promise.resolve();
    bucketReady ??= ensureBucket().catch((error: unknown) => {
      bucketReady = undefined;
      throw error;
    });
    return bucketReady;
  };
  const ensureBucket = async (): Promise<void> => {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (error) {
      if (httpStatusIs404(error) === false) throw s3Error(error, `check bucket ${bucket}`);
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      logger.info('bucket created', { bucket });
    } catch (error) {
      const code = s3ErrorCode(error);
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') {
        throw s3Error(error, `create bucket ${bucket}`);
      }
    }
  };
  const objectKey = (key: string): string => {
    assertBlobKey(key, { adapter: 'store-s3', prefix });
    return prefix + key;
  };

  return {
    specificationVersion: 'v1',
    capabilities: { signedUrls: 'native' },

    async put({ key, body, contentType, signal }) {
      const Key = objectKey(key);
      throwIfAborted(signal, `${PREFIX} put`);
      await ready();
      try {
        if (body.length > multipartThresholdBytes) {
          await uploadMultipart({
            client,
            bucket,
            key: Key,
            body,
            contentType,
            partSizeBytes,
            concurrency: options.partConcurrency ?? 4,
            signal,
          });
        } else {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key,
              Body: body,
              ContentType: contentType,
              ContentLength: body.length,
            }),
            { abortSignal: signal },
          );
        }
      } catch (error) {
        throw s3Error(error, `store ${key}`);
      }
      return { sizeBytes: body.length };
    },

    async putStream({ key, body, contentType, signal }) {
      const Key = objectKey(key);
      throwIfAborted(signal, `${PREFIX} putStream`);
      await ready();
      // The body's own failure (a download cut, a budget refused) is the caller's error, not a
      // storage error: it is rethrown as it came, after the upload was aborted.
      let sizeBytes = 0;
      let bodyFailure: { error: unknown } | undefined;
      async function* counted(): AsyncGenerator<Uint8Array> {
        try {
          for await (const chunk of body) {
            sizeBytes += chunk.byteLength;
            yield chunk;
          }
        } catch (error) {
          bodyFailure = { error };
          throw error;
        }
      }
      try {
        await uploadMultipart({
          client,
          bucket,
          key: Key,
          body: counted(),
          contentType,
          partSizeBytes,
          concurrency: options.partConcurrency ?? 4,
          signal,
        });
      } catch (error) {
        if (bodyFailure) throw bodyFailure.error;
        throw s3Error(error, `store ${key}`);
      }
      return { sizeBytes };
    },

    async get({ key, signal }) {
      const Key = objectKey(key);
      throwIfAborted(signal, `${PREFIX} get`);
      await ready();
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key }), {
          abortSignal: signal,
        });
        const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
        return {
          body,
          contentType: response.ContentType ?? 'application/octet-stream',
          sizeBytes: body.length,
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw s3Error(error, `read ${key}`);
      }
    },

    async delete({ key, signal }) {
      const Key = objectKey(key);
      throwIfAborted(signal, `${PREFIX} delete`);
      await ready();
      // S3 deletes are idempotent and do not say whether the object existed: ask first.
      let existed = true;
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key }), { abortSignal: signal });
      } catch (error) {
        if (!isNotFound(error)) throw s3Error(error, `check ${key}`);
        existed = false;
      }
      if (!existed) return false;
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }), { abortSignal: signal });
      } catch (error) {
        throw s3Error(error, `delete ${key}`);
      }
      return true;
    },

    async signedUrl({ key, expiresInSeconds, downloadName, signal }) {
      const Key = objectKey(key);
      throwIfAborted(signal, `${PREFIX} signedUrl`);
      if (
        !Number.isInteger(expiresInSeconds) ||
        expiresInSeconds < 1 ||
        expiresInSeconds > MAX_EXPIRY_SECONDS
      ) {
        throw new WebTasksError({
          code: 'invalid-request',
          message: `${PREFIX} expiresInSeconds must be a whole number from 1 to ${MAX_EXPIRY_SECONDS} (7 days, the S3 maximum).`,
        });
      }
      // SigV4 dates have whole seconds: the URL expires `expiresInSeconds` after that second.
      const signedAt = Math.floor(Date.now() / 1000) * 1000;
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key,
        ...(downloadName === undefined
          ? {}
          : { ResponseContentDisposition: attachmentDisposition(downloadName) }),
      });
      try {
        const url = await getSignedUrl(client, command, {
          expiresIn: expiresInSeconds,
          signingDate: new Date(signedAt),
        });
        return { url, expiresAt: new Date(signedAt + expiresInSeconds * 1000).toISOString() };
      } catch (error) {
        throw s3Error(error, `sign a URL for ${key}`);
      }
    },

    getInstance: () => client,

    async close() {
      if (owned) client.destroy();
    },
  };
}

function httpStatusIs404(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}
