import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_RETRY, nextWebhookAttemptAt, webhookRetryDelayMs } from './webhook-schedule.js';

const HOUR = 60 * 60 * 1000;
const EXACT = { ...DEFAULT_WEBHOOK_RETRY, jitter: 0 };

/** Every attempt time of a webhook that always fails, from `first` until given up. */
function schedule(first: number, policy = DEFAULT_WEBHOOK_RETRY, random: () => number = Math.random) {
  const attempts = [first];
  for (let failures = 1; ; failures += 1) {
    const next = nextWebhookAttemptAt({
      firstAttemptAt: first,
      failures,
      now: attempts.at(-1) as number,
      policy,
      random,
    });
    if (next === undefined) return attempts;
    attempts.push(next);
  }
}

describe('webhook retry schedule', () => {
  it('doubles from 30 s and caps at 1 h (without jitter)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 40].map((n) => webhookRetryDelayMs(n, EXACT));
    expect(delays).toEqual([30e3, 60e3, 120e3, 240e3, 480e3, 960e3, 1920e3, HOUR, HOUR, HOUR]);
  });

  it('jitter only shortens a wait, by at most 20 % by default', () => {
    for (const failures of [1, 2, 5, 8, 9, 40]) {
      const exact = webhookRetryDelayMs(failures, EXACT);
      expect(webhookRetryDelayMs(failures, DEFAULT_WEBHOOK_RETRY, () => 0)).toBe(exact);
      expect(webhookRetryDelayMs(failures, DEFAULT_WEBHOOK_RETRY, () => 0.999_999_999)).toBe(
        Math.round(exact * 0.8),
      );
      for (let draw = 0; draw < 200; draw += 1) {
        const delay = webhookRetryDelayMs(failures, DEFAULT_WEBHOOK_RETRY);
        expect(delay).toBeGreaterThanOrEqual(Math.round(exact * 0.8));
        expect(delay).toBeLessThanOrEqual(exact);
      }
    }
  });

  it('spreads webhooks that failed together', () => {
    const waits = new Set(Array.from({ length: 50 }, () => webhookRetryDelayMs(3, DEFAULT_WEBHOOK_RETRY)));
    expect(waits.size).toBeGreaterThan(40);
  });

  it('keeps trying for the whole 24 hours, the last attempt at its end, then gives up (any draw)', () => {
    const first = Date.parse('2026-01-01T00:00:00Z');
    for (const random of [() => 0, () => 0.999_999, Math.random, Math.random, Math.random]) {
      const attempts = schedule(first, DEFAULT_WEBHOOK_RETRY, random);
      expect(attempts.at(-1)).toBe(first + 24 * HOUR);
      // 8 doubling waits reach the cap; then hourly (at least every 48 min) until the end.
      expect(attempts.length).toBeGreaterThan(24);
      expect(attempts.length).toBeLessThan(45);
      const gaps = attempts.slice(1).map((at, index) => at - (attempts[index] as number));
      expect(gaps.every((gap) => gap > 0 && gap <= HOUR)).toBe(true);
      // Every wait but the last (cut at the 24-hour mark) is within its jitter band.
      gaps.slice(0, -1).forEach((gap, index) => {
        const exact = webhookRetryDelayMs(index + 1, EXACT);
        expect(gap).toBeGreaterThanOrEqual(Math.round(exact * 0.8));
        expect(gap).toBeLessThanOrEqual(exact);
      });
    }
  });

  it('without jitter, reproduces the plain doubling schedule', () => {
    const attempts = schedule(0, EXACT);
    expect(attempts.slice(0, 4)).toEqual([0, 30e3, 90e3, 210e3]);
    expect(attempts.at(-1)).toBe(24 * HOUR);
  });

  it('follows short settings (as tests use them)', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 250, retryForMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, policy))).toEqual([100, 200, 250, 250]);
    expect(nextWebhookAttemptAt({ firstAttemptAt: 0, failures: 3, now: 900, policy })).toBe(1000);
    expect(nextWebhookAttemptAt({ firstAttemptAt: 0, failures: 4, now: 1000, policy })).toBeUndefined();
  });
});
