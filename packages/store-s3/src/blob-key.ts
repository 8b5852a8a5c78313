import { WebtasksError } from '@webtasks/core';
import { PREFIX } from './errors.js';

/**
 * Reject keys the BlobStore port forbids: empty, a leading `/`, empty, `.` or `..`
 * segments, backslashes, NUL, or longer than S3's 1,024 bytes once prefixed.
 */
export function assertBlobKey(key: string, prefix: string): void {
  const bad =
    typeof key !== 'string' ||
    key === '' ||
    key.includes('\\') ||
    key.includes('\0') ||
    Buffer.byteLength(prefix + key) > 1024 ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) {
    throw new WebtasksError({
      code: 'invalid-request',
      message: `${PREFIX} Invalid blob key ${JSON.stringify(key)}: use '/'-separated segments starting with the workspace id, without '..', '.', empty segments or a leading '/'.`,
      details: { key },
    });
  }
}

/** A `Content-Disposition` value that makes browsers save the object as `name`. */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
