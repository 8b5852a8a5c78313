import { describeLanguageModelContract, startFakeOpenAIServer } from '@webtasks/test-suite';
import { createOpenAICompatibleLanguageModel } from './openai-compatible-language-model.js';

describeLanguageModelContract({
  name: 'openai-compatible (real SDK against the fake Chat Completions API)',
  create: async () => {
    const server = await startFakeOpenAIServer();
    const model = createOpenAICompatibleLanguageModel({
      baseURL: server.baseUrl,
      apiKey: server.apiKey ?? undefined,
      models: { haiku: 'local-small', sonnet: 'local-medium', opus: 'local-large' },
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
  skip: [
    {
      reason: 'Chat Completions reports cached_tokens (reads) only, never cache writes',
      tests: ['reports cache writes'],
    },
  ],
});
