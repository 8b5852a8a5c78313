import type { TokenUsage } from './ports/language-model.js';

/** USD per million tokens for one model. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number;
  cacheWritePerMTok: number;
}

/** Prices by concrete model id (as `GenerateResult.modelId` reports it). */
export type PriceTable = Record<string, ModelPrice>;

/**
 * The price of one call, exact to the table: tokens × USD/MTok for each of the four token
 * kinds. Unknown models cost 0 and are reported through `onUnknownModel`.
 */
export function priceOf(
  modelId: string,
  usage: TokenUsage,
  table: PriceTable,
  onUnknownModel?: (modelId: string) => void,
): number {
  const price = table[modelId];
  if (!price) {
    onUnknownModel?.(modelId);
    return 0;
  }
  return (
    (usage.inputTokens * price.inputPerMTok +
      usage.outputTokens * price.outputPerMTok +
      usage.cacheReadTokens * price.cacheReadPerMTok +
      usage.cacheWriteTokens * price.cacheWritePerMTok) /
    1_000_000
  );
}

/** Add two usages. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export const ZERO_USAGE: Readonly<TokenUsage> = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
};

/** Round USD to 1e-9 so sums of many small prices don't show float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/** Compute hours from wall time in milliseconds. */
export function computeHours(wallMs: number): number {
  return Math.round((wallMs / 3_600_000) * 1e9) / 1e9;
}
