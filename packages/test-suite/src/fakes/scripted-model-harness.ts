import type { GenerateOptions, TextPart, ToolCallPart } from '@webtasks/core';
import { WebTasksError } from '@webtasks/core';
import type { LanguageModelHarness } from '../contracts/language-model/harness.js';
import { type FakeReply, type FakeRequestView, FakeScriptQueue } from '../fake-apis/script.js';
import { createScriptedLanguageModel } from './scripted-model.js';

/** Aliases the scripted model resolves, and the only models it knows. */
const SCRIPTED_MODELS: Record<string, string> = {
  haiku: 'scripted-haiku',
  sonnet: 'scripted-sonnet',
  opus: 'scripted-opus',
  'scripted-model': 'scripted-model',
};
const KNOWN = new Set(Object.values(SCRIPTED_MODELS));

function viewOf(options: GenerateOptions, modelId: string): FakeRequestView {
  return {
    model: modelId,
    system: options.system.map((block) => block.text),
    toolNames: (options.tools ?? []).map((tool) => tool.name),
    messages: options.messages.map((message) => ({
      role: message.role,
      text: message.content
        .filter((part): part is TextPart => part.type === 'text')
        .map((part) => part.text)
        .join('\n'),
      toolCalls: message.content
        .filter((part): part is ToolCallPart => part.type === 'tool-call')
        .map((part) => ({ id: part.id, name: part.name, input: part.input })),
      toolResults: message.content.flatMap((part) =>
        part.type === 'tool-result'
          ? [{ toolCallId: part.toolCallId, content: part.content, isError: part.isError ?? false }]
          : [],
      ),
      imageCount: message.content.filter((part) => part.type === 'image').length,
    })),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        new WebTasksError({ code: 'aborted', message: '[webtasks:scripted-model] the call was aborted' }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const ERROR_CODES = {
  'invalid-request': 'model-error',
  auth: 'model-auth',
  permission: 'model-auth',
  'not-found': 'model-not-found',
  'rate-limit': 'model-unavailable',
  overloaded: 'model-unavailable',
  server: 'model-unavailable',
} as const;

/**
 * The scripted in-process model driven by the same script format as the fake model APIs,
 * so the LanguageModel contract suite runs on it too. It has no transport, hence no retries:
 * a scripted transient error surfaces at once as a retryable `model-unavailable`.
 */
export function createScriptedModelHarness(): LanguageModelHarness {
  const queue = new FakeScriptQueue();
  let last: FakeRequestView | undefined;
  let count = 0;
  const model = createScriptedLanguageModel(async (options) => {
    const modelId = SCRIPTED_MODELS[options.model] ?? options.model;
    if (!KNOWN.has(modelId)) {
      throw new WebTasksError({
        code: 'model-not-found',
        message: `[webtasks:scripted-model] unknown model "${options.model}"`,
      });
    }
    count += 1;
    last = viewOf(options, modelId);
    const reply: FakeReply | undefined = queue.next(last);
    if (!reply)
      throw new WebTasksError({
        code: 'model-error',
        message: '[webtasks:scripted-model] no scripted reply left',
      });
    if (reply.delayMs) await sleep(reply.delayMs, options.signal);
    if (reply.type === 'error') {
      const code = ERROR_CODES[reply.error];
      throw new WebTasksError({
        code,
        message: `[webtasks:scripted-model] ${reply.message ?? reply.error}`,
        retryable: code === 'model-unavailable',
      });
    }
    const usage = {
      inputTokens: reply.usage?.inputTokens ?? 100,
      outputTokens: reply.usage?.outputTokens ?? 10,
      cacheReadTokens: reply.usage?.cacheReadTokens ?? 0,
      cacheWriteTokens: reply.usage?.cacheWriteTokens ?? 0,
    };
    if (reply.type === 'text') {
      const stopReason =
        reply.stopReason === 'max-tokens' ? 'max-tokens' : reply.stopReason === 'refusal' ? 'refusal' : 'end';
      return { content: [{ type: 'text', text: reply.text }], stopReason, usage, modelId };
    }
    const content: Array<TextPart | ToolCallPart> = reply.text ? [{ type: 'text', text: reply.text }] : [];
    for (const [i, call] of reply.calls.entries()) {
      content.push({
        type: 'tool-call',
        id: call.id ?? `call_scripted_${count}_${i}`,
        name: call.name,
        input: call.input,
      });
    }
    return { content, stopReason: 'tool-calls', usage, modelId };
  });
  return {
    model,
    script: (script) => queue.push(script),
    requestCount: () => count,
    lastRequest: () => last,
  };
}
