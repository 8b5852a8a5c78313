export type { RetryPolicy } from '@webtasks/core';
export type { OpenAICompatibleModelAliases } from './model-ids.js';
export {
  createOpenAICompatibleLanguageModel,
  type OpenAICompatibleLanguageModel,
  type OpenAICompatibleLanguageModelOptions,
} from './openai-compatible-language-model.js';
export { TOOL_ERROR_PREFIX } from './to-openai-request.js';
