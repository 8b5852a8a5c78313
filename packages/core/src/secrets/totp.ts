import { Secret, TOTP, URI } from 'otpauth';
import { WebTasksError } from '../errors.js';

/**
 * The current RFC 6238 code of a stored two-factor seed: a base32 seed (as sites show it
 * under "can't scan the QR code?", spaces allowed) gives 6 digits, SHA-1, 30 s; an
 * `otpauth://totp/…` URI carries its own digits, algorithm and period.
 */
export function totpCode(options: { name: string; seed: string; timestampMs: number }): string {
  const seed = options.seed.trim();
  try {
    if (seed.startsWith('otpauth://')) {
      const parsed = URI.parse(seed);
      if (!(parsed instanceof TOTP)) throw new Error('the URI is not a TOTP (otpauth://totp/…)');
      return parsed.generate({ timestamp: options.timestampMs });
    }
    const secret = Secret.fromBase32(seed.replace(/[\s-]/g, '').toUpperCase());
    return new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' }).generate({
      timestamp: options.timestampMs,
    });
  } catch (error) {
    // The library's message never contains the seed; ours names only the secret.
    throw new WebTasksError({
      code: 'rejected',
      message: `ctx.secrets.totp("${options.name}"): the secret is not a base32 TOTP seed or an otpauth://totp/ URI (${error instanceof Error ? error.message.replace(seed, '…') : 'unreadable'}). Store the seed the site shows when you set up two-factor codes.`,
    });
  }
}
