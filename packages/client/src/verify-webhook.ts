import type { WebTaskResult } from '@webtasks/protocol';

/** The header webtasks signs webhooks with: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'webtasks-signature';

/** Why a webhook was rejected. */
export type WebhookVerificationReason =
  | 'missing-signature'
  | 'malformed-signature'
  | 'expired'
  | 'bad-signature';

const MARKER = Symbol.for('webtasks.client.webhook-error');

/** A webhook that is not provably from webtasks, or too old: answer it with 400 and drop it. */
export class WebhookVerificationError extends Error {
  readonly [MARKER] = true;
  readonly reason: WebhookVerificationReason;

  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }

  /** True for a WebhookVerificationError from any installed copy of this package. */
  static isInstance(value: unknown): value is WebhookVerificationError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Options of `verifyWebhook`. */
export interface VerifyWebhookOptions {
  /** How old (or how far in the future) the signature's timestamp may be, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The current time in epoch milliseconds (for tests). */
  now?: number;
}

/** Headers as `fetch` (`Headers`), Node's `IncomingHttpHeaders` or a plain object give them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(',') : value;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index += 1)
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

/**
 * Check a webhook from webtasks and return the result it carries. `body` must be the raw
 * request body, byte for byte (not re-serialised JSON). Rejects with a
 * `WebhookVerificationError` when the signature header is missing or malformed, when no `v1`
 * signature matches HMAC-SHA256(secret, `${t}.${body}`), or when `t` is more than 5 minutes
 * away from now (a replayed delivery). The comparison is constant-time (Web Crypto's
 * `verify`), and it runs wherever Web Crypto does: Node 20+, browsers, Deno, Bun, edge.
 */
export async function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): Promise<WebTaskResult> {
  const header = headerValue(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!header) {
    throw new WebhookVerificationError(
      'missing-signature',
      `The request has no ${WEBHOOK_SIGNATURE_HEADER} header: it was not sent by webtasks.`,
    );
  }
  let timestamp: number | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2) as [string, string | undefined];
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1') {
      const bytes = hexToBytes(value);
      if (bytes) signatures.push(bytes);
    }
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new WebhookVerificationError(
      'malformed-signature',
      `The ${WEBHOOK_SIGNATURE_HEADER} header must be t=<unix seconds>,v1=<64 hex digits>.`,
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'expired',
      `The webhook was signed ${Math.round(nowSeconds - timestamp)} s ago, more than the ${tolerance} s allowed: a replay, or a clock out of step.`,
    );
  }
  const encoder = new TextEncoder();
  const bodyBytes = typeof body === 'string' ? encoder.encode(body) : body;
  const prefix = encoder.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + bodyBytes.length);
  signed.set(prefix);
  signed.set(bodyBytes, prefix.length);
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  for (const signature of signatures) {
    if (await globalThis.crypto.subtle.verify('HMAC', key, signature, signed)) {
      const text = new TextDecoder().decode(bodyBytes);
      return JSON.parse(text) as WebTaskResult;
    }
  }
  throw new WebhookVerificationError(
    'bad-signature',
    `No signature in the ${WEBHOOK_SIGNATURE_HEADER} header matches the body: it was changed, or the secret is not the one the server signs with.`,
  );
}
