import type Anthropic from '@anthropic-ai/sdk';
import type { GenerateResult, JsonObject, StopReason, TokenUsage } from '@webtasks/core';

/** Map a Messages API response to the port's result (without the request id). */
export function fromAnthropicMessage(message: Anthropic.Message): Omit<GenerateResult, 'requestId'> {
  const content: GenerateResult['content'] = [];
  for (const block of message.content) {
    if (block.type === 'text') content.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use') {
      content.push({ type: 'tool-call', id: block.id, name: block.name, input: asJsonObject(block.input) });
    }
    // thinking, redacted_thinking and server-tool blocks are not part of the port's content.
  }
  return {
    content,
    stopReason: toStopReason(message.stop_reason),
    usage: toUsage(message.usage),
    modelId: message.model,
  };
}

/** Map Anthropic's usage; `input_tokens` already excludes cache reads and writes. */
export function toUsage(usage: Anthropic.Usage): TokenUsage {
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}

/** Map Anthropic's stop reason. */
export function toStopReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'end';
    case 'tool_use':
      return 'tool-calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max-tokens';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

function asJsonObject(input: unknown): JsonObject {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as JsonObject)
    : { value: input as never };
}
