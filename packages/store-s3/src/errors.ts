import { adapterPrefix, type WebTasksError, wrapAdapterError } from '@webtasks/core';

const ADAPTER = 'store-s3';

/** Prefix of every message this package writes. */
export const PREFIX = adapterPrefix(ADAPTER);

interface S3ServiceErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  code?: string;
}

/** The HTTP status of an SDK error, if it got a response. */
export function httpStatus(error: unknown): number | undefined {
  return (error as S3ServiceErrorLike | null)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, `AccessDenied`…) of an SDK error. */
export function s3ErrorCode(error: unknown): string | undefined {
  const value = error as S3ServiceErrorLike | null;
  return value?.Code ?? value?.name;
}

/** Whether S3 said the object (or bucket) is not there. */
export function isNotFound(error: unknown): boolean {
  const code = s3ErrorCode(error);
  return (
    code === 'NoSuchKey' || code === 'NotFound' || (httpStatus(error) === 404 && code !== 'NoSuchBucket')
  );
}

const ADVICE: Record<string, string> = {
  NoSuchBucket: 'create the bucket, or pass createBucket: true',
  AccessDenied: 'check the credentials and the bucket policy',
  InvalidAccessKeyId: 'check the access key id',
  SignatureDoesNotMatch: 'check the secret access key and the region',
};

/** Wrap an S3 failure into a `storage-error` WebTasksError that says what to do. */
export function s3Error(error: unknown, doing: string): WebTasksError {
  const status = httpStatus(error);
  const code = s3ErrorCode(error);
  const retryable =
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    code === 'SlowDown' ||
    Boolean((error as S3ServiceErrorLike | null)?.$retryable);
  const advice =
    (code && ADVICE[code]) ??
    (retryable
      ? 'check that the S3 endpoint is reachable; the call can be retried'
      : 'check the bucket and its settings');
  const message = error instanceof Error ? error.message : String(error);
  return wrapAdapterError(ADAPTER, error, {
    doing,
    detail: code ? `${code}: ${message}` : message,
    advice,
    retryable,
    details: { s3Code: code, httpStatus: status },
  });
}
