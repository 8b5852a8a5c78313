import { describe, expect, it } from 'vitest';
import { WebTasksError } from './errors.js';
import { RetriesExhausted, retryAfterMs, withRetries } from './retry.js';

const headers = (values: Record<string, string>) => new Headers(values);
const policy = { maxRetries: 3, initialDelayMs: 10, maxDelayMs: 1000 };

describe('retryAfterMs', () => {
  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 29 Nov 2026 10:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });
});

describe('withRetries', () => {
  it('doubles the backoff with jitter between half and all of it', async () => {
    const delays: number[] = [];
    let calls = 0;
    const run = (random: number) =>
      withRetries({
        policy,
        what: 'test',
        random: () => random,
        attempt: async () => {
          calls++;
          if (calls % 4 !== 0) throw new Error('flaky');
          return 'ok';
        },
        classify: () => ({ retryable: true }),
        onRetry: ({ delayMs }) => delays.push(delayMs),
      });
    await run(0);
    await run(1);
    expect(delays).toEqual([5, 10, 20, 10, 20, 40]);
  });

  it('stops after maxRetries and reports the attempts', async () => {
    let calls = 0;
    const error = await withRetries({
      policy: { ...policy, initialDelayMs: 1 },
      what: 'test',
      attempt: async () => {
        calls++;
        throw new Error('down');
      },
      classify: () => ({ retryable: true }),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).attempts).toBe(4);
    expect((error as RetriesExhausted).reason).toBe('attempts');
    expect(calls).toBe(4);
  });

  it('does not retry what classify calls permanent', async () => {
    const permanent = new Error('bad request');
    let calls = 0;
    const error = await withRetries({
      policy,
      what: 'test',
      attempt: async () => {
        calls++;
        throw permanent;
      },
      classify: () => ({ retryable: false }),
    }).catch((caught: unknown) => caught);
    expect(error).toBe(permanent);
    expect(calls).toBe(1);
  });

  it('rejects with aborted while waiting between attempts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await withRetries({
      policy: { ...policy, initialDelayMs: 10_000, maxDelayMs: 10_000 },
      what: 'The test call',
      signal: controller.signal,
      attempt: async () => {
        throw new Error('down');
      },
      classify: () => ({ retryable: true }),
    }).catch((caught: unknown) => caught);
    expect(WebTasksError.hasCode(error, 'aborted')).toBe(true);
    expect((error as Error).message).toBe('The test call was aborted');
  });
});
