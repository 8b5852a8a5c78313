import { createAdapterError } from './adapter-error.js';

/** S3's limit, which every store keeps so that keys move between stores unchanged. */
const MAX_KEY_BYTES = 1024;

/**
 * The BlobStore port's key rule, for every adapter: a non-empty `/`-separated path of at most
 * 1,024 UTF-8 bytes (with `prefix`, when the store puts one in front) whose segments are
 * neither empty, `.` nor `..`, without backslashes or NUL. Throws `invalid-request` otherwise.
 */
export function assertBlobKey(
  key: unknown,
  options: { adapter: string; prefix?: string },
): asserts key is string {
  const bad =
    typeof key !== 'string' ||
    key === '' ||
    key.includes('\\') ||
    key.includes('\0') ||
    Buffer.byteLength((options.prefix ?? '') + key) > MAX_KEY_BYTES ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) {
    throw createAdapterError(options.adapter, {
      code: 'invalid-request',
      message: `Invalid blob key ${JSON.stringify(key)}: use '/'-separated segments starting with the workspace id, without '..', '.', empty segments, backslashes or a leading '/', at most ${MAX_KEY_BYTES} bytes.`,
      details: { key },
    });
  }
}
