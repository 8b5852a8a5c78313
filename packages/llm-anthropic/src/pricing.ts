import { type ModelPrice, type PriceTable, priceOf, type TokenRates, type TokenUsage } from '@webtasks/core';

/** Prices of Anthropic models, in the engine's price-table shape (`PriceTable` of `@webtasks/core`). */
export type AnthropicModelPrice = ModelPrice;

const rates = (
  inputPerMTok: number,
  outputPerMTok: number,
  cacheReadPerMTok: number,
  cacheWritePerMTok: number,
): TokenRates => ({
  inputPerMTok,
  outputPerMTok,
  cacheReadPerMTok,
  cacheWritePerMTok,
});
const opus45Tier = rates(5, 25, 0.5, 6.25);
const sonnet4Tier = rates(3, 15, 0.3, 3.75);
const haiku45Tier = rates(1, 5, 0.1, 1.25);

/**
 * Anthropic list prices in USD per million tokens, per concrete model id, for the Claude API
 * (global inference, standard tier, no batch discount; cache writes at the 5-minute TTL).
 *
 * Source: platform.claude.com/docs/en/about-claude/pricing and the model pages
 * (platform.claude.com/docs/en/models/<model>/overview), read 2026-11-29. Sonnet 5.5 cache
 * hits are $0.10 since Anthropic's 2026-10-07 price change (0.05× input). Haiku 5.5 is
 * priced by prompt length: prompts over 100,000 tokens pay 5× on every token.
 * Not modelled: `inference_geo: "us"` (1.1×), the Batch API (−50%), fast mode, 1-hour cache writes.
 */
export const anthropicPricing: Readonly<PriceTable> = Object.freeze({
  'claude-haiku-5-5': {
    ...rates(0.1, 0.5, 0.01, 0.125),
    longPrompt: { ...rates(0.5, 2.5, 0.05, 0.625), aboveTokens: 100_000 },
  },
  'claude-sonnet-5-5': rates(2, 10, 0.1, 2.5),
  'claude-opus-5-5': rates(4, 20, 0.2, 5),
  'claude-fable-5-1': rates(10, 50, 0.25, 12.5),
  'claude-mythos-5-1': rates(10, 50, 0.25, 12.5),
  'claude-fable-5': rates(10, 50, 1, 12.5),
  'claude-mythos-5': rates(10, 50, 1, 12.5),
  'claude-opus-5': opus45Tier,
  'claude-sonnet-5': rates(2, 10, 0.2, 2.5),
  'claude-opus-4-8': opus45Tier,
  'claude-opus-4-7': opus45Tier,
  'claude-opus-4-6': opus45Tier,
  'claude-opus-4-5': opus45Tier,
  'claude-opus-4-5-20251101': opus45Tier,
  'claude-sonnet-4-6': sonnet4Tier,
  'claude-sonnet-4-5': sonnet4Tier,
  'claude-sonnet-4-5-20250929': sonnet4Tier,
  'claude-haiku-4-5': haiku45Tier,
  'claude-haiku-4-5-20251001': haiku45Tier,
});

/**
 * The list-price cost in USD of one call's usage on `modelId`, or `undefined` when the model has
 * no entry in `prices`. Computed in integer thousandths of a micro-dollar, then divided once,
 * so results are exact to floating-point rounding of the final division.
 */
export function anthropicCostUsd(
  usage: TokenUsage,
  modelId: string,
  prices: Readonly<PriceTable> = anthropicPricing,
): number | undefined {
  if (prices[modelId] === undefined) return undefined;
  return priceOf(modelId, usage, prices as PriceTable);
}
