import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from './verify-webhook.js';

const SECRET = 'whsec-test-0123456789abcdef';
const body = JSON.stringify({
  webTaskId: 'wt_1',
  status: 'completed',
  outcome: 'success',
  result: { type: 'inline', data: [1] },
});
const NOW = Date.parse('2026-12-07T04:00:00Z');
const sign = (text: string, timestamp = NOW / 1000, secret = SECRET) =>
  `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${text}`).digest('hex')}`;

async function reason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(WebhookVerificationError.isInstance(error)).toBe(true);
  return (error as WebhookVerificationError).reason;
}

describe('verifyWebhook', () => {
  it('returns the result of a correctly signed body (plain object, Headers, bytes)', async () => {
    const header = sign(body);
    expect(await verifyWebhook(SECRET, { 'webtasks-signature': header }, body, { now: NOW })).toMatchObject({
      webTaskId: 'wt_1',
    });
    const headers = new Headers({ 'Webtasks-Signature': header });
    expect(
      await verifyWebhook(SECRET, headers, new TextEncoder().encode(body), { now: NOW + 299_000 }),
    ).toMatchObject({
      outcome: 'success',
    });
  });

  it('rejects a tampered body, a wrong secret and a signature of another timestamp', async () => {
    const header = sign(body);
    const tampered = body.replace('"data":[1]', '"data":[2]');
    expect(
      await reason(verifyWebhook(SECRET, { 'webtasks-signature': header }, tampered, { now: NOW })),
    ).toBe('bad-signature');
    expect(
      await reason(
        verifyWebhook('another-secret-0123456789', { 'webtasks-signature': header }, body, { now: NOW }),
      ),
    ).toBe('bad-signature');
    // The timestamp is signed: moving it forward breaks the signature.
    const moved = header.replace(`t=${NOW / 1000}`, `t=${NOW / 1000 + 60}`);
    expect(await reason(verifyWebhook(SECRET, { 'webtasks-signature': moved }, body, { now: NOW }))).toBe(
      'bad-signature',
    );
  });

  it('rejects timestamps more than 5 minutes old (or ahead)', async () => {
    const old = sign(body, NOW / 1000 - 301);
    expect(await reason(verifyWebhook(SECRET, { 'webtasks-signature': old }, body, { now: NOW }))).toBe(
      'expired',
    );
    const ahead = sign(body, NOW / 1000 + 301);
    expect(await reason(verifyWebhook(SECRET, { 'webtasks-signature': ahead }, body, { now: NOW }))).toBe(
      'expired',
    );
  });

  it('rejects missing and malformed headers; accepts any matching v1 (secret rotation)', async () => {
    expect(await reason(verifyWebhook(SECRET, {}, body, { now: NOW }))).toBe('missing-signature');
    expect(await reason(verifyWebhook(SECRET, { 'webtasks-signature': 'v1=abc' }, body, { now: NOW }))).toBe(
      'malformed-signature',
    );
    const rotated = `${sign(body, NOW / 1000, 'old-secret-0123456789abc')},${sign(body).split(',')[1]}`;
    expect(await verifyWebhook(SECRET, { 'webtasks-signature': rotated }, body, { now: NOW })).toMatchObject({
      webTaskId: 'wt_1',
    });
  });
});
