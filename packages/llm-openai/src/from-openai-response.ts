import {
  type GenerateResult,
  type JsonObject,
  type StopReason,
  type TokenUsage,
  WebTasksError,
} from '@webtasks/core';
import type OpenAI from 'openai';

/** Map a chat completion to the port's result (without the request id). */
export function fromChatCompletion(
  completion: OpenAI.Chat.Completions.ChatCompletion,
  modelId: string,
): Omit<GenerateResult, 'requestId'> {
  const choice = completion.choices?.[0];
  if (choice === undefined) {
    throw new WebTasksError({
      code: 'model-error',
      message: `[webtasks:llm-openai] The server answered without choices for model "${modelId}". Check that it serves chat completions.`,
      retryable: true,
    });
  }
  const content: GenerateResult['content'] = [];
  if (typeof choice.message.content === 'string' && choice.message.content !== '') {
    content.push({ type: 'text', text: choice.message.content });
  }
  for (const call of choice.message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    content.push({
      type: 'tool-call',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.name, call.id, call.function.arguments),
    });
  }
  const hasToolCalls = content.some((part) => part.type === 'tool-call');
  return {
    content,
    stopReason: hasToolCalls ? 'tool-calls' : toStopReason(choice.finish_reason),
    usage: toUsage(completion.usage),
    modelId: completion.model || modelId,
  };
}

/**
 * Parse a tool call's `arguments`. Local models sometimes emit broken JSON: that is a
 * `model-error` (retryable: asking again usually yields valid JSON), never a guess. An empty
 * string means no arguments.
 */
export function parseArguments(toolName: string, toolCallId: string, raw: string): JsonObject {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw malformed(toolName, toolCallId, raw, 'is not valid JSON', error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed(toolName, toolCallId, raw, 'is not a JSON object');
  }
  return parsed as JsonObject;
}

function malformed(
  toolName: string,
  toolCallId: string,
  raw: string,
  what: string,
  cause?: unknown,
): WebTasksError {
  const preview = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  return new WebTasksError({
    code: 'model-error',
    message: `[webtasks:llm-openai] The model called tool "${toolName}" with arguments that ${what}: ${preview}. Retry the call, or use a model with reliable tool calling.`,
    cause,
    retryable: true,
    details: { toolName, toolCallId, arguments: raw },
  });
}

/** `prompt_tokens` includes cached tokens; the port counts them apart. Cache writes are not reported. */
export function toUsage(usage: OpenAI.Completions.CompletionUsage | undefined): TokenUsage {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = Math.min(prompt, usage?.prompt_tokens_details?.cached_tokens ?? 0);
  return {
    inputTokens: prompt - cached,
    outputTokens: usage?.completion_tokens ?? 0,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
}

/** Map `finish_reason`. */
export function toStopReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'stop':
      return 'end';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'length':
      return 'max-tokens';
    case 'content_filter':
      return 'refusal';
    default:
      return 'other';
  }
}
