import path from 'node:path';
import { assertBlobKey, WebTasksError } from '@webtasks/core';

/**
 * File names for ids and keys: percent-encoding of everything but `[A-Za-z0-9_-]`. An
 * encoded name never contains `/` or `.`, so it can neither escape its directory nor clash
 * with the suffixes (`.json`, `.blob`, `.lock`) and temp files (`.tmp-…`) the stores use.
 */
export function encodeName(value: string): string {
  return encodeURIComponent(value).replace(
    /[.!~*'()]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Inverse of `encodeName`; undefined for names the stores did not write. */
export function decodeName(name: string): string | undefined {
  if (!/^[A-Za-z0-9_%-]+$/.test(name)) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

const MAX_ENCODED_LENGTH = 200;

/** Validate an id or key used as one path segment, and return its encoded form. */
export function segmentFor(value: unknown, what: string, adapter: string): string {
  const encoded = typeof value === 'string' && value.length > 0 ? encodeName(value) : '';
  if (encoded.length === 0 || encoded.length > MAX_ENCODED_LENGTH) {
    throw new WebTasksError({
      code: 'invalid-request',
      message: `[webtasks:${adapter}] Invalid ${what} ${JSON.stringify(value)}: it must be a non-empty string of at most ${MAX_ENCODED_LENGTH} characters once encoded.`,
      details: { [what]: value },
    });
  }
  return encoded;
}

/** Join `segments` under `root` and make sure the result stays inside it. */
export function inside(root: string, ...segments: string[]): string {
  const joined = path.resolve(root, ...segments);
  if (joined !== root && !joined.startsWith(root + path.sep)) {
    throw new WebTasksError({
      code: 'invalid-request',
      message: `[webtasks:store-fs] Refusing a path outside the store directory: ${segments.join('/')}`,
    });
  }
  return joined;
}

/** The path segments of a blob key, once the BlobStore key rule (`assertBlobKey`) holds. */
export function blobKeySegments(key: unknown, adapter: string): string[] {
  assertBlobKey(key, { adapter });
  return key.split('/').map((segment) => segmentFor(segment, 'blob key segment', adapter));
}
