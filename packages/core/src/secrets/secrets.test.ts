import { describe, expect, it } from 'vitest';
import { auditHardCoding } from '../promotion/hard-coding-audit.js';
import { createSecretRedactor, secretsReadBy } from './redaction.js';
import { parseSealingKey, seal, unseal } from './sealing.js';
import { totpCode } from './totp.js';

const KEY = parseSealingKey(Buffer.alloc(32, 7).toString('base64'), 'WEBTASKS_SECRETS_KEY');

describe('secret redaction', () => {
  const redactor = createSecretRedactor({ password: 'hunter2-Ω&x', token: 'tok_123456' });

  it('replaces values and their URL/JSON-escaped forms with placeholders', () => {
    expect(redactor.redact('pw=hunter2-Ω&x;')).toBe('pw=«secret:password»;');
    expect(redactor.redact(`body=${encodeURIComponent('hunter2-Ω&x')}`)).toBe('body=«secret:password»');
    expect(redactor.redactJson({ a: ['tok_123456'], tok_123456: 1 })).toEqual({
      a: ['«secret:token»'],
      '«secret:token»': 1,
    });
  });

  it('substitutes placeholders and names a missing secret', () => {
    expect(redactor.substitute('«secret:token»/«secret:password»')).toBe('tok_123456/hunter2-Ω&x');
    expect(() => redactor.substitute('«secret:nope»')).toThrow(/secret "nope" is not set/);
  });

  it('finds the secrets a program reads', () => {
    const source = `await p.fill(ctx.secrets.password); const c = await ctx.secrets.totp('otp'); ctx.secrets['user'];`;
    expect(secretsReadBy(source)).toEqual(['otp', 'password', 'user']);
  });
});

describe('sealing', () => {
  it('round-trips and binds the context', () => {
    const sealed = seal(KEY, 'ws_a/secret/pw', 'value-1');
    expect(sealed).not.toContain('value-1');
    expect(unseal(KEY, 'ws_a/secret/pw', sealed)).toBe('value-1');
    expect(() => unseal(KEY, 'ws_b/secret/pw', sealed)).toThrow(/another key than WEBTASKS_SECRETS_KEY/);
  });

  it('refuses a key that is not 32 bytes, naming the setting', () => {
    expect(() => parseSealingKey('short', 'WEBTASKS_SECRETS_KEY')).toThrow(
      /WEBTASKS_SECRETS_KEY must be 32 random bytes/,
    );
  });
});

describe('TOTP (RFC 6238 appendix B, SHA-1)', () => {
  const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
  const uri = `otpauth://totp/test?secret=${seed}&digits=8&algorithm=SHA1&period=30`;
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('T=%i → %s', (seconds, code) => {
    expect(totpCode({ name: 'otp', seed: uri, timestampMs: seconds * 1000 })).toBe(code);
  });

  it('reads a bare base32 seed as 6 digits, 30 s', () => {
    expect(totpCode({ name: 'otp', seed: seed.toLowerCase(), timestampMs: 59_000 })).toBe('287082');
  });

  it('names the secret, not the seed, when the seed is unreadable', () => {
    expect(() => totpCode({ name: 'otp', seed: 'not base32 !!', timestampMs: 0 })).toThrow(/totp\("otp"\)/);
  });
});

describe('save-time audit of secrets', () => {
  it('refuses a program containing a secret value, naming the secret only', () => {
    const audit = auditHardCoding({
      source: `export default async function run(ctx) {\n  await ctx.page.fill('#pw', 'hunter2-Ω&x');\n}`,
      params: {},
      output: null,
      secrets: createSecretRedactor({ password: 'hunter2-Ω&x' }),
    });
    expect(audit.ok).toBe(false);
    if (audit.ok) return;
    expect(audit.message).toContain('line 2');
    expect(audit.message).toContain('"password"');
    expect(audit.message).not.toContain('hunter2');
  });
});
