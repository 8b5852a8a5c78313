import { describe, expect, it } from 'vitest';
import { DEFAULT_ANTHROPIC_MODELS } from './model-ids.js';
import { anthropicCostUsd, anthropicPricing } from './pricing.js';

const usage = (inputTokens: number, outputTokens = 0, cacheReadTokens = 0, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

describe('anthropicPricing / anthropicCostUsd', () => {
  it('has a price for every default alias target', () => {
    for (const id of Object.values(DEFAULT_ANTHROPIC_MODELS)) expect(anthropicPricing[id]).toBeDefined();
  });

  it('prices each token kind at its own rate (Sonnet 5.5: $2 in, $10 out, $0.10 read, $2.50 write)', () => {
    expect(anthropicCostUsd(usage(1_000_000), 'claude-sonnet-5-5')).toBe(2);
    expect(anthropicCostUsd(usage(0, 1_000_000), 'claude-sonnet-5-5')).toBe(10);
    expect(anthropicCostUsd(usage(0, 0, 1_000_000), 'claude-sonnet-5-5')).toBe(0.1);
    expect(anthropicCostUsd(usage(0, 0, 0, 1_000_000), 'claude-sonnet-5-5')).toBe(2.5);
  });

  it('is exact for a typical agent turn', () => {
    // Opus 5.5: 1234 × $4 + 567 × $20 + 20000 × $0.20 + 3000 × $5, per million.
    expect(anthropicCostUsd(usage(1234, 567, 20_000, 3000), 'claude-opus-5-5')).toBe(0.035276);
    // Haiku 5.5 short prompt: 1234 × $0.10 + 567 × $0.50 + 20000 × $0.01 + 3000 × $0.125.
    expect(anthropicCostUsd(usage(1234, 567, 20_000, 3000), 'claude-haiku-5-5')).toBe(0.0009819);
  });

  it('bills every token of a Haiku 5.5 request at the long-prompt rates above 100,000 prompt tokens', () => {
    expect(anthropicCostUsd(usage(50_000, 1000, 50_000, 0), 'claude-haiku-5-5')).toBe(0.006);
    expect(anthropicCostUsd(usage(50_001, 1000, 50_000, 0), 'claude-haiku-5-5')).toBe(0.0300005);
  });

  it('returns undefined for a model it has no price for', () => {
    expect(anthropicCostUsd(usage(10), 'claude-unknown-1')).toBeUndefined();
  });

  it('accepts a custom price table', () => {
    const prices = {
      'my-model': { inputPerMTok: 1, outputPerMTok: 1, cacheReadPerMTok: 1, cacheWritePerMTok: 1 },
    };
    expect(anthropicCostUsd(usage(1, 1, 1, 1), 'my-model', prices)).toBe(0.000004);
  });
});
