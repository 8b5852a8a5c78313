import { createHmac } from 'node:crypto';

/** The header that carries a webhook's timestamp and signature: `t=<unix seconds>,v1=<hex>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'webtasks-signature';

/**
 * The signature header of a webhook body: HMAC-SHA256 with `secret` over `${timestamp}.${body}`
 * (timestamp in Unix seconds), hex encoded. Receivers check it with the client's
 * `verifyWebhook`; see docs/webhooks.md for doing it by hand.
 */
export function signWebhook(options: { secret: string; body: string; timestampSeconds: number }): string {
  const timestamp = Math.floor(options.timestampSeconds);
  const digest = createHmac('sha256', options.secret).update(`${timestamp}.${options.body}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}
