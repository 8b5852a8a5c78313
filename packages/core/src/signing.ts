import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed blob URLs for blob stores whose `capabilities.signedUrls` is `server`: the store
 * signs, the webtasks server verifies and serves. The format is
 * `${baseUrl}/files/<key>?expires=<epoch seconds>[&name=<download name>]&signature=<hmac>`,
 * where the HMAC-SHA256 (base64url) covers the key, the expiry and the download name. The
 * host and base path are not signed, so the server may sit behind a proxy; `baseUrl` must
 * not itself contain a `/files/` segment.
 */
export interface SignBlobUrlOptions {
  /** Where the server is reached, e.g. `https://webtasks.example.com` (no trailing `/files`). */
  baseUrl: string;
  /** The blob key (already validated by the store). */
  key: string;
  /** Epoch milliseconds after which the URL stops working (rounded up to a second). */
  expiresAt: number;
  /** Suggested file name for `Content-Disposition`. */
  downloadName?: string;
  /** The HMAC secret shared by the store and the server. */
  secret: string;
}

/** The path segment under which signed blob URLs are served. */
export const SIGNED_BLOB_PATH = '/files/';

function signature(
  secret: string,
  key: string,
  expiresSeconds: number,
  downloadName: string | undefined,
): string {
  return createHmac('sha256', secret)
    .update(`webtasks-blob-v1\n${key}\n${expiresSeconds}\n${downloadName ?? ''}`)
    .digest('base64url');
}

/** Build a signed URL for a blob key. Returns the URL and the ISO expiry it encodes. */
export function signBlobUrl(options: SignBlobUrlOptions): { url: string; expiresAt: string } {
  const expiresSeconds = Math.ceil(options.expiresAt / 1000);
  const base = options.baseUrl.replace(/\/+$/, '');
  const path = options.key.split('/').map(encodeURIComponent).join('/');
  const query = new URLSearchParams({ expires: String(expiresSeconds) });
  if (options.downloadName !== undefined) query.set('name', options.downloadName);
  query.set('signature', signature(options.secret, options.key, expiresSeconds, options.downloadName));
  return {
    url: `${base}${SIGNED_BLOB_PATH}${path}?${query.toString()}`,
    expiresAt: new Date(expiresSeconds * 1000).toISOString(),
  };
}

/** Outcome of checking a signed blob URL. */
export type SignedBlobUrlCheck =
  | { ok: true; key: string; expiresAt: string; downloadName?: string }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; message: string };

/** Options of `verifyBlobUrl`. */
export interface VerifyBlobUrlOptions {
  /** The full URL, or the request path with its query (`/files/ws/a.json?expires=…`). */
  url: string | URL;
  /** The secret the store signed with. */
  secret: string;
  /** Current epoch ms (tests). Defaults to `Date.now()`. */
  now?: number;
}

/**
 * Check a signed blob URL: the signature must match and the expiry must not have passed.
 * Never throws; the server answers 403 for `malformed`/`bad-signature` and 410 (or 403)
 * for `expired`.
 */
export function verifyBlobUrl(options: VerifyBlobUrlOptions): SignedBlobUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(String(options.url), 'http://webtasks.invalid');
  } catch {
    return { ok: false, reason: 'malformed', message: 'The file URL is not a valid URL.' };
  }
  const at = parsed.pathname.indexOf(SIGNED_BLOB_PATH);
  const expiresText = parsed.searchParams.get('expires');
  const given = parsed.searchParams.get('signature');
  if (at < 0 || expiresText === null || given === null || !/^\d+$/.test(expiresText)) {
    return {
      ok: false,
      reason: 'malformed',
      message: 'The file URL is incomplete: ask for a new signed URL.',
    };
  }
  let key: string;
  try {
    key = parsed.pathname
      .slice(at + SIGNED_BLOB_PATH.length)
      .split('/')
      .map(decodeURIComponent)
      .join('/');
  } catch {
    return {
      ok: false,
      reason: 'malformed',
      message: 'The file URL path is not valid: ask for a new signed URL.',
    };
  }
  const expiresSeconds = Number(expiresText);
  const downloadName = parsed.searchParams.get('name') ?? undefined;
  const expected = Buffer.from(signature(options.secret, key, expiresSeconds, downloadName));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return {
      ok: false,
      reason: 'bad-signature',
      message: 'The file URL signature is invalid: ask for a new signed URL.',
    };
  }
  if (expiresSeconds * 1000 <= (options.now ?? Date.now())) {
    return {
      ok: false,
      reason: 'expired',
      message: 'The file URL has expired: ask for the task result again to get a fresh URL.',
    };
  }
  const expiresAt = new Date(expiresSeconds * 1000).toISOString();
  return downloadName === undefined
    ? { ok: true, key, expiresAt }
    : { ok: true, key, expiresAt, downloadName };
}

/** A blob store that signs `server` URLs exposes this so the server can verify them. */
export interface SignedUrlVerifier {
  /** Check a URL this store signed (see `verifyBlobUrl`). */
  verifySignedUrl(options: { url: string | URL; now?: number }): SignedBlobUrlCheck;
}
