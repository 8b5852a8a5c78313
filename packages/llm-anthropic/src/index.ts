export type { RetryPolicy } from '@webtasks/core';
export {
  type AnthropicLanguageModel,
  type AnthropicLanguageModelOptions,
  createAnthropicLanguageModel,
} from './anthropic-language-model.js';
export { type AnthropicModelAliases, DEFAULT_ANTHROPIC_MODELS } from './model-ids.js';
export {
  type AnthropicModelPrice,
  anthropicCostUsd,
  anthropicPricing,
} from './pricing.js';
