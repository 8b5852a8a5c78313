import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from './webhook-signature.js';

describe('signWebhook', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 into t=<seconds>,v1=<hex>', () => {
    const body = '{"webTaskId":"wt_1"}';
    const header = signWebhook({ secret: 'whsec-0123456789abcdef', body, timestampSeconds: 1_800_000_000.9 });
    const expected = createHmac('sha256', 'whsec-0123456789abcdef')
      .update(`1800000000.${body}`)
      .digest('hex');
    expect(header).toBe(`t=1800000000,v1=${expected}`);
  });

  it('changes with the body, the timestamp and the secret', () => {
    const base = { secret: 'whsec-0123456789abcdef', body: '{"a":1}', timestampSeconds: 1_800_000_000 };
    const header = signWebhook(base);
    expect(signWebhook({ ...base, body: '{"a":2}' })).not.toBe(header);
    expect(signWebhook({ ...base, timestampSeconds: 1_800_000_001 }).split(',v1=')[1]).not.toBe(
      header.split(',v1=')[1],
    );
    expect(signWebhook({ ...base, secret: 'another-secret-012345' })).not.toBe(header);
  });
});
