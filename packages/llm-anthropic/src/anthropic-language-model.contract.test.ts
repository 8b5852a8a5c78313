import { describeLanguageModelContract, startFakeAnthropicServer } from '@webtasks/test-suite';
import { createAnthropicLanguageModel } from './anthropic-language-model.js';

describeLanguageModelContract({
  name: 'anthropic (real SDK against the fake Messages API)',
  create: async () => {
    const server = await startFakeAnthropicServer();
    const model = createAnthropicLanguageModel({
      apiKey: server.apiKey,
      baseURL: server.baseUrl,
      maxRetries: 3,
      retry: { initialDelayMs: 1, maxDelayMs: 200 },
    });
    return {
      model,
      script: (script) => server.script(script),
      requestCount: () => server.requestCount,
      lastRequest: () => server.requests.at(-1)?.view,
      cleanup: () => server.close(),
    };
  },
});
