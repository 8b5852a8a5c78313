// Fakes of the model providers' HTTP APIs, speaking their real wire formats, for adapter tests.
export {
  FAKE_ANTHROPIC_MODELS,
  type FakeAnthropicServer,
  type FakeAnthropicServerOptions,
  startFakeAnthropicServer,
} from './anthropic/fake-anthropic-server.js';
export type { RecordedRequest } from './json-http-server.js';
export {
  type FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  startFakeOpenAIServer,
} from './openai/fake-openai-server.js';
export { type CacheOutcome, estimateTokens, type PromptCacheOptions } from './prompt-cache.js';
export {
  type FakeErrorKind,
  type FakeErrorReply,
  type FakeMessageView,
  type FakeReply,
  type FakeRequestView,
  type FakeScript,
  FakeScriptQueue,
  type FakeTextReply,
  type FakeToolCall,
  type FakeToolCallsReply,
  type FakeUsage,
  fakeReply,
} from './script.js';
