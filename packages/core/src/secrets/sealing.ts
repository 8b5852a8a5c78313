import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WebTasksError } from '../errors.js';

const VERSION = 'v1';

/** A 256-bit key that seals secrets and auth sessions at rest (AES-256-GCM). */
export interface SealingKey {
  readonly bytes: Uint8Array;
  /** The setting it came from, for error messages (e.g. `WEBTASKS_SECRETS_KEY`). */
  readonly setting: string;
}

/**
 * Read a sealing key: 64 hex digits, or base64 of 32 bytes (`openssl rand -base64 32`).
 * Anything else is `invalid-config` naming the setting.
 */
export function parseSealingKey(text: string, setting: string): SealingKey {
  const trimmed = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
  if (bytes?.byteLength !== 32) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `${setting} must be 32 random bytes as base64 or 64 hex digits (make one with: openssl rand -base64 32).`,
    });
  }
  return { bytes: new Uint8Array(bytes), setting };
}

/**
 * Encrypt `plaintext` with AES-256-GCM. `context` (e.g. `workspace/kind/name`) is bound as
 * associated data: a sealed value copied to another workspace or name does not open.
 */
export function seal(key: SealingKey, context: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/** Decrypt what `seal` produced with the same key and context. */
export function unseal(key: SealingKey, context: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  try {
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unknown format');
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `Could not decrypt ${context}: it was sealed with another key than ${key.setting}, or the stored value is damaged. Set ${key.setting} back to the key it was stored with, or store it again.`,
    });
  }
}
