import type Anthropic from '@anthropic-ai/sdk';
import type { GenerateOptions, ModelMessage, ToolDefinition } from '@webtasks/core';
import type { ThinkingMemory } from './thinking-memory.js';

/** Settings of the request mapping. */
export interface RequestSettings {
  modelId: string;
  /** `max_tokens` when the call sets no `maxOutputTokens`. */
  defaultMaxOutputTokens: number;
  /** With caching requested, also mark the end of the conversation so the next turn reads it from the cache. */
  cacheConversation: boolean;
  thinking: ThinkingMemory;
}

const EPHEMERAL = { type: 'ephemeral' } as const;
/** The API allows 4 cache breakpoints: one for tools, one for the conversation, two for system blocks. */
const MAX_SYSTEM_BREAKPOINTS = 2;

/** Map a port call to a Messages API request body. */
export function toAnthropicRequest(
  options: GenerateOptions,
  settings: RequestSettings,
): Anthropic.MessageCreateParamsNonStreaming {
  const cacheRequested = options.system.some((block) => block.cache === true);
  const system = toSystem(options.system);
  const tools = options.tools?.map(toTool) ?? [];
  const messages = toMessages(options.messages, settings.thinking);
  if (cacheRequested && tools.length > 0) tools[tools.length - 1]!.cache_control = EPHEMERAL;
  if (cacheRequested && settings.cacheConversation) markConversationEnd(messages);
  return {
    model: settings.modelId,
    max_tokens: options.maxOutputTokens ?? settings.defaultMaxOutputTokens,
    messages,
    ...(system.length > 0 ? { system } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
  };
}

function toSystem(blocks: GenerateOptions['system']): Anthropic.TextBlockParam[] {
  const nonEmpty = blocks.filter((block) => block.text !== '');
  const cachedIndexes = nonEmpty
    .flatMap((block, index) => (block.cache ? [index] : []))
    .slice(-MAX_SYSTEM_BREAKPOINTS);
  return nonEmpty.map((block, index) => ({
    type: 'text',
    text: block.text,
    ...(cachedIndexes.includes(index) ? { cache_control: EPHEMERAL } : {}),
  }));
}

function toTool(tool: ToolDefinition): Anthropic.Tool {
  const schema = typeof tool.inputSchema === 'object' ? tool.inputSchema : {};
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { ...schema, type: 'object' } as Anthropic.Tool.InputSchema,
  };
}

/** Drop empty parts and messages, merge consecutive same-role messages, tool results first. */
function toMessages(messages: readonly ModelMessage[], thinking: ThinkingMemory): Anthropic.MessageParam[] {
  const merged: ModelMessage[] = [];
  for (const message of messages) {
    const content = message.content.filter((part) => part.type !== 'text' || part.text !== '');
    if (content.length === 0) continue;
    const previous = merged[merged.length - 1];
    if (previous?.role === message.role) previous.content = [...previous.content, ...content] as never;
    else merged.push({ role: message.role, content } as ModelMessage);
  }
  return merged.map((message) =>
    message.role === 'user' ? toUserMessage(message) : toAssistantMessage(message, thinking),
  );
}

function toUserMessage(message: Extract<ModelMessage, { role: 'user' }>): Anthropic.MessageParam {
  const results: Anthropic.ToolResultBlockParam[] = [];
  const rest: Array<Anthropic.TextBlockParam | Anthropic.ImageBlockParam> = [];
  for (const part of message.content) {
    if (part.type === 'tool-result') {
      results.push({
        type: 'tool_result',
        tool_use_id: part.toolCallId,
        // The API rejects empty text blocks, but a tool result may have no content at all.
        ...(part.content === '' ? {} : { content: part.content }),
        ...(part.isError ? { is_error: true } : {}),
      });
    } else if (part.type === 'text') {
      rest.push({ type: 'text', text: part.text });
    } else {
      rest.push({ type: 'image', source: { type: 'base64', media_type: part.mediaType, data: part.data } });
    }
  }
  return { role: 'user', content: [...results, ...rest] };
}

function toAssistantMessage(
  message: Extract<ModelMessage, { role: 'assistant' }>,
  thinking: ThinkingMemory,
): Anthropic.MessageParam {
  const toolCallIds = message.content.flatMap((part) => (part.type === 'tool-call' ? [part.id] : []));
  const content: Anthropic.ContentBlockParam[] = [...thinking.recall(toolCallIds)];
  for (const part of message.content) {
    if (part.type === 'text') content.push({ type: 'text', text: part.text });
    else content.push({ type: 'tool_use', id: part.id, name: part.name, input: part.input });
  }
  return { role: 'assistant', content };
}

function markConversationEnd(messages: Anthropic.MessageParam[]): void {
  const last = messages[messages.length - 1];
  if (last === undefined || typeof last.content === 'string') return;
  const block = last.content[last.content.length - 1];
  if (block && block.type !== 'thinking' && block.type !== 'redacted_thinking') {
    (block as { cache_control?: unknown }).cache_control = EPHEMERAL;
  }
}
