import type { GenerateOptions, ModelMessage, ToolDefinition } from '@webtasks/core';
import type OpenAI from 'openai';

/** Prefix of a tool result whose tool failed: Chat Completions has no `is_error` flag. */
export const TOOL_ERROR_PREFIX = '[tool error] ';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** Map a port call to a Chat Completions request body. */
export function toChatRequest(
  options: GenerateOptions,
  modelId: string,
  defaultMaxOutputTokens: number | undefined,
): ChatParams {
  const system = options.system
    .map((block) => block.text)
    .filter((text) => text !== '')
    .join('\n\n');
  const messages: ChatMessage[] = [
    ...(system === '' ? [] : [{ role: 'system' as const, content: system }]),
    ...mergeRoles(options.messages).flatMap(toChatMessages),
  ];
  const maxTokens = options.maxOutputTokens ?? defaultMaxOutputTokens;
  return {
    model: modelId,
    messages,
    ...(options.tools && options.tools.length > 0 ? { tools: options.tools.map(toTool) } : {}),
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
  };
}

function toTool(tool: ToolDefinition): OpenAI.Chat.Completions.ChatCompletionTool {
  const parameters = typeof tool.inputSchema === 'object' ? tool.inputSchema : { type: 'object' };
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters } };
}

/** Drop empty text parts and empty messages, and merge consecutive messages of one role. */
function mergeRoles(messages: readonly ModelMessage[]): ModelMessage[] {
  const merged: ModelMessage[] = [];
  for (const message of messages) {
    const content = message.content.filter((part) => part.type !== 'text' || part.text !== '');
    if (content.length === 0) continue;
    const previous = merged[merged.length - 1];
    if (previous?.role === message.role) previous.content = [...previous.content, ...content] as never;
    else merged.push({ role: message.role, content } as ModelMessage);
  }
  return merged;
}

/** One port message becomes one or more chat messages: tool results are `tool` messages, sent first. */
function toChatMessages(message: ModelMessage): ChatMessage[] {
  if (message.role === 'assistant') {
    const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
    const toolCalls = message.content.flatMap((part) =>
      part.type === 'tool-call'
        ? [
            {
              id: part.id,
              type: 'function' as const,
              function: { name: part.name, arguments: JSON.stringify(part.input) },
            },
          ]
        : [],
    );
    return [
      {
        role: 'assistant',
        content: text === '' ? null : text,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
    ];
  }
  const toolMessages: ChatMessage[] = [];
  const parts: OpenAI.Chat.Completions.ChatCompletionContentPart[] = [];
  for (const part of message.content) {
    if (part.type === 'tool-result') {
      toolMessages.push({
        role: 'tool',
        tool_call_id: part.toolCallId,
        content: part.isError ? `${TOOL_ERROR_PREFIX}${part.content}` : part.content,
      });
    } else if (part.type === 'text') {
      parts.push({ type: 'text', text: part.text });
    } else {
      parts.push({ type: 'image_url', image_url: { url: `data:${part.mediaType};base64,${part.data}` } });
    }
  }
  if (parts.length === 0) return toolMessages;
  const textOnly = parts.every((part) => part.type === 'text');
  const content = textOnly ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n') : parts;
  return [...toolMessages, { role: 'user', content }];
}
