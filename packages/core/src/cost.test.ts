import { describe, expect, it } from 'vitest';
import { addUsage, computeHours, priceOf, roundUsd, ZERO_USAGE } from './cost.js';

const table = {
  'model-a': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
};

describe('cost', () => {
  it('prices all four kinds of tokens', () => {
    const usd = priceOf(
      'model-a',
      {
        inputTokens: 1_000_000,
        outputTokens: 200_000,
        cacheReadTokens: 3_000_000,
        cacheWriteTokens: 400_000,
      },
      table,
    );
    expect(usd).toBeCloseTo(1 + 1 + 0.3 + 0.5, 12);
  });

  it('switches every token to the long-prompt rates above the threshold', () => {
    const tiered = {
      m: {
        inputPerMTok: 0.1,
        outputPerMTok: 0.5,
        cacheReadPerMTok: 0.01,
        cacheWritePerMTok: 0.125,
        longPrompt: {
          aboveTokens: 100_000,
          inputPerMTok: 0.5,
          outputPerMTok: 2.5,
          cacheReadPerMTok: 0.05,
          cacheWritePerMTok: 0.625,
        },
      },
    };
    const usage = { inputTokens: 50_000, outputTokens: 1_000, cacheReadTokens: 50_000, cacheWriteTokens: 0 };
    expect(priceOf('m', usage, tiered)).toBe(0.006);
    expect(priceOf('m', { ...usage, cacheReadTokens: 50_001 }, tiered)).toBe(0.03000005);
  });

  it('reports unknown models and prices them at zero', () => {
    const unknown: string[] = [];
    expect(priceOf('other', { ...ZERO_USAGE, inputTokens: 10 }, table, (id) => unknown.push(id))).toBe(0);
    expect(unknown).toEqual(['other']);
  });

  it('adds usage field by field and converts wall time to hours', () => {
    expect(
      addUsage(
        { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4 },
        { inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40 },
      ),
    ).toEqual({ inputTokens: 11, outputTokens: 22, cacheReadTokens: 33, cacheWriteTokens: 44 });
    expect(computeHours(90_000)).toBe(0.025);
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
  });
});
