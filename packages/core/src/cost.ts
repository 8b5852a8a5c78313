import type { TokenUsage } from './ports/language-model.js';

/** USD per million tokens of each kind. */
export interface TokenRates {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number;
  cacheWritePerMTok: number;
}

/** The price of one model. */
export interface ModelPrice extends TokenRates {
  /**
   * Long-prompt pricing: when a call's prompt (input + cache read + cache write tokens) is
   * longer than `aboveTokens`, every token of that call, output included, costs these rates.
   */
  longPrompt?: TokenRates & { aboveTokens: number };
}

/** Prices by concrete model id (as `GenerateResult.modelId` reports it). */
export type PriceTable = Record<string, ModelPrice>;

/**
 * The price of one call, exact to the table: tokens × USD/MTok for each of the four token
 * kinds (in integer thousandths of a micro-dollar, divided once, so sums stay exact).
 * Unknown models cost 0 and are reported through `onUnknownModel`.
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
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const rates: TokenRates =
    price.longPrompt && prompt > price.longPrompt.aboveTokens ? price.longPrompt : price;
  const milli = (usdPerMTok: number) => Math.round(usdPerMTok * 1000);
  const total =
    usage.inputTokens * milli(rates.inputPerMTok) +
    usage.outputTokens * milli(rates.outputPerMTok) +
    usage.cacheReadTokens * milli(rates.cacheReadPerMTok) +
    usage.cacheWriteTokens * milli(rates.cacheWritePerMTok);
  return total / 1e9;
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
