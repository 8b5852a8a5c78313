/** When failed webhook deliveries are tried again. */
export interface WebhookRetryPolicy {
  /** Wait after the first failed attempt; each further failure doubles it. Default 30 s. */
  initialDelayMs: number;
  /** Longest wait between two attempts. Default 1 h. */
  maxDelayMs: number;
  /**
   * How long after the first attempt deliveries go on. The last attempt is made at this time
   * at the latest; when it fails too the webhook is given up. Default 24 h.
   */
  retryForMs: number;
  /**
   * Fraction of each wait that is random, from 0 (the exact doubling schedule) to 1: a wait of
   * `d` becomes a uniform pick in `[d × (1 − jitter), d]`. It spreads the retries of many
   * webhooks that failed together (a receiver's outage) instead of sending them all at the same
   * instants. Only ever shortens a wait, so no gap exceeds `maxDelayMs`. Default 0.2.
   */
  jitter: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  initialDelayMs: 30_000,
  maxDelayMs: 60 * 60 * 1000,
  retryForMs: 24 * 60 * 60 * 1000,
  jitter: 0.2,
};

/**
 * The wait after `failures` failed attempts (1 = after the first): doubling, capped, then
 * shortened by up to `jitter` of itself. `random` returns a number in [0, 1) (default
 * `Math.random`; 0 gives the longest wait).
 */
export function webhookRetryDelayMs(
  failures: number,
  policy: WebhookRetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  // 2^exponent overflows to Infinity long after the cap; min() keeps it finite.
  const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(delay * (1 - jitter * random()));
}

/**
 * When to try again after `failures` failed attempts, the first of them made at
 * `firstAttemptAt` and the last one ending at `now` (epoch ms); undefined once the retry
 * period is over. The attempt that would land past the period is moved to its end, so
 * deliveries are tried for the whole period, never less.
 */
export function nextWebhookAttemptAt(options: {
  firstAttemptAt: number;
  failures: number;
  now: number;
  policy: WebhookRetryPolicy;
  random?: () => number;
}): number | undefined {
  const { firstAttemptAt, failures, now, policy } = options;
  const end = firstAttemptAt + policy.retryForMs;
  if (now >= end) return undefined;
  return Math.min(now + webhookRetryDelayMs(failures, policy, options.random), end);
}
