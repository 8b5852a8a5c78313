import { WebtasksError } from '@webtasks/core';

/**
 * Reject blob keys that are empty, start with `/`, or have empty, `.` or `..` segments, as
 * the BlobStore port requires.
 */
export function assertValidBlobKey(key: string, adapter: string): void {
  const bad =
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > 1024 ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) {
    throw new WebtasksError({
      code: 'invalid-request',
      message: `[webtasks:${adapter}] Invalid blob key ${JSON.stringify(key)}: use '/'-separated segments starting with the workspace id, without '..', '.', empty segments or a leading '/'.`,
      details: { key },
    });
  }
}
