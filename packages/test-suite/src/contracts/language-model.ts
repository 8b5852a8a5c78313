import { describe } from 'vitest';
import { registerFailureTests } from './language-model/failures.js';
import { harnessTests, type LanguageModelContractOptions } from './language-model/harness.js';
import { registerReplyTests } from './language-model/replies.js';

export type { LanguageModelContractOptions, LanguageModelHarness } from './language-model/harness.js';

/**
 * The contract every `LanguageModel` passes: text and tool-call replies, tool results sent back,
 * images, usage reported exactly, retries of transient errors, error codes (`model-auth`,
 * `model-not-found`, `model-error`, `model-unavailable`) and aborts. Each test gets a fresh
 * harness from `create` and scripts the replies it needs with `fakeReply`.
 *
 * @example
 * describeLanguageModelContract({
 *   name: 'anthropic',
 *   create: async () => {
 *     const server = await startFakeAnthropicServer();
 *     const model = createAnthropicLanguageModel({ apiKey: server.apiKey, baseURL: server.baseUrl, retry: { initialDelayMs: 1 } });
 *     return { model, script: server.script, requestCount: () => server.requestCount,
 *              lastRequest: () => server.requests.at(-1)?.view, cleanup: server.close };
 *   },
 * });
 */
export function describeLanguageModelContract(options: LanguageModelContractOptions): void {
  describe(`LanguageModel contract: ${options.name}`, () => {
    const { test, checkSkips } = harnessTests(options);
    registerReplyTests(test);
    registerFailureTests(test);
    checkSkips();
  });
}
