import type {
  GenerateOptions,
  GenerateResult,
  JsonObject,
  LanguageModel,
  TextPart,
  TokenUsage,
  ToolCallPart,
} from '@webtasks/core';
import { WebTasksError } from '@webtasks/core';

/** A reply of the scripted model: a full result, or just its content. */
export type ScriptedReply =
  | GenerateResult
  | { content: Array<TextPart | ToolCallPart>; usage?: Partial<TokenUsage> };

/** What the model answers: one reply for every call, a list in order, or a function of the call. */
export type ModelScript =
  | ScriptedReply
  | ScriptedReply[]
  | ((options: GenerateOptions, callIndex: number) => ScriptedReply | Promise<ScriptedReply>);

/** A LanguageModel that replays a script and records every call. */
export interface ScriptedLanguageModel extends LanguageModel {
  /** Every call in order (the options as received). */
  readonly calls: GenerateOptions[];
  /** Replace the script; a list script starts again from its first reply. */
  setScript(script: ModelScript): void;
}

const DEFAULT_USAGE: TokenUsage = {
  inputTokens: 1000,
  outputTokens: 200,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
};

/** A tool call part with a generated id. */
export function toolCall(name: string, input: JsonObject, id?: string): ToolCallPart {
  toolCall.counter += 1;
  return { type: 'tool-call', id: id ?? `call_${toolCall.counter}`, name, input };
}
toolCall.counter = 0;

/** A text part. */
export function text(value: string): TextPart {
  return { type: 'text', text: value };
}

/**
 * Create a scripted model. Without more replies in a list script, calls fail with a
 * `model-error` saying the script ran out, so a test sees an unexpected extra call.
 */
export function createScriptedLanguageModel(
  script: ModelScript,
  options: { modelId?: string; usage?: Partial<TokenUsage> } = {},
): ScriptedLanguageModel {
  const calls: GenerateOptions[] = [];
  let current = script;
  let offset = 0;
  return {
    specificationVersion: 'v1',
    provider: 'scripted',
    calls,
    setScript(next) {
      current = next;
      offset = calls.length;
    },
    async generate(request) {
      if (request.signal?.aborted)
        throw new WebTasksError({ code: 'aborted', message: 'The model call was aborted' });
      const index = calls.length;
      calls.push(structuredClone({ ...request, signal: undefined }));
      let reply: ScriptedReply | undefined;
      if (typeof current === 'function') reply = await current(request, index);
      else if (Array.isArray(current)) reply = current[index - offset];
      else reply = current;
      if (!reply) {
        throw new WebTasksError({
          code: 'model-error',
          message: `[webtasks:scripted-model] the script has no reply for call ${index + 1}`,
        });
      }
      const hasToolCalls = reply.content.some((part) => part.type === 'tool-call');
      return {
        content: reply.content,
        stopReason: 'stopReason' in reply ? reply.stopReason : hasToolCalls ? 'tool-calls' : 'end',
        usage: { ...DEFAULT_USAGE, ...options.usage, ...reply.usage },
        modelId: 'modelId' in reply ? reply.modelId : (options.modelId ?? 'scripted-model'),
      };
    },
  };
}
