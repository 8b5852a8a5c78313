import type { FakeMessageView, FakeRequestView } from '../script.js';

/** A Messages API request body that passed validation (only the fields the fake reads). */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string | TextBlock[];
  messages: Array<{ role: 'user' | 'assistant'; content: string | Block[] }>;
  tools?: Array<{ name: string; description?: string; input_schema: unknown; cache_control?: unknown }>;
  stream?: boolean;
}

interface TextBlock {
  type: 'text';
  text: string;
  cache_control?: unknown;
}
type Block = TextBlock | { type: string; cache_control?: unknown; [key: string]: unknown };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/**
 * Validate a Messages API request body the way the real API does in the essentials.
 * Returns the error message of a 400 `invalid_request_error`, or undefined when valid.
 */
export function validateMessagesRequest(body: unknown): string | undefined {
  if (!isObject(body)) return 'The request body is not valid JSON.';
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return 'max_tokens: Field required (a positive integer)';
  }
  if (body.stream === true) return 'stream: the fake Messages API only supports `stream: false`';
  if (
    body.temperature !== undefined &&
    !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)
  ) {
    return 'temperature: Input should be less than or equal to 1';
  }
  const systemError = validateSystem(body.system);
  if (systemError) return systemError;
  const toolsError = validateTools(body.tools);
  if (toolsError) return toolsError;
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'messages: at least one message is required';
  const messagesError = validateMessages(body.messages);
  if (messagesError) return messagesError;
  const breakpoints = countCacheControl(body);
  if (breakpoints > 4) {
    return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  }
  return undefined;
}

function validateSystem(system: unknown): string | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return 'system: Input should be a valid string or list';
  for (const [index, block] of system.entries()) {
    if (!isObject(block) || block.type !== 'text') return `system.${index}.type: Input should be 'text'`;
    if (typeof block.text !== 'string' || block.text === '')
      return `system.${index}: text content blocks must be non-empty`;
  }
  return undefined;
}

function validateTools(tools: unknown): string | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const names = new Set<string>();
  for (const [index, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      return `tools.${index}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
    }
    if (names.has(tool.name)) return 'tools: Tool names must be unique.';
    names.add(tool.name);
    if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
      return `tools.${index}.input_schema.type: Input should be 'object'`;
    }
  }
  return undefined;
}

function validateMessages(messages: unknown[]): string | undefined {
  let previousToolUseIds: string[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    if (index === 0 && message.role !== 'user') return 'messages: first message must use the "user" role';
    const previous = messages[index - 1] as Json | undefined;
    if (previous && previous.role === message.role) {
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`;
    }
    const blocks = normaliseContent(message.content);
    if (blocks === undefined) return `messages.${index}.content: Input should be a valid string or list`;
    if (blocks.length === 0) return `messages.${index}: all messages must have non-empty content`;
    const blockError = validateBlocks(blocks, message.role, index);
    if (blockError) return blockError;
    if (message.role === 'user') {
      const results = blocks
        .filter((block) => block.type === 'tool_result')
        .map((block) => String(block.tool_use_id));
      const missing = previousToolUseIds.filter((id) => !results.includes(id));
      if (missing.length > 0) {
        return `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
      const unexpected = results.filter((id) => !previousToolUseIds.includes(id));
      if (unexpected.length > 0) {
        return `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
      const firstOther = blocks.findIndex((block) => block.type !== 'tool_result');
      const lastResult = blocks.map((block) => block.type).lastIndexOf('tool_result');
      if (firstOther >= 0 && lastResult > firstOther) {
        return `messages.${index}: tool_result blocks must come before any other content in a user message`;
      }
      previousToolUseIds = [];
    } else {
      previousToolUseIds = blocks
        .filter((block) => block.type === 'tool_use')
        .map((block) => String(block.id));
    }
  }
  if (previousToolUseIds.length > 0 && messages.length > 0) {
    return `messages: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${previousToolUseIds.join(', ')}`;
  }
  return undefined;
}

function validateBlocks(blocks: Json[], role: string, index: number): string | undefined {
  for (const [position, block] of blocks.entries()) {
    const where = `messages.${index}.content.${position}`;
    switch (block.type) {
      case 'text':
        if (typeof block.text !== 'string' || block.text === '')
          return `${where}: text content blocks must be non-empty`;
        break;
      case 'image': {
        const source = block.source;
        if (role !== 'user') return `${where}: image blocks are only allowed in user messages`;
        if (!isObject(source) || source.type !== 'base64' || typeof source.data !== 'string') {
          return `${where}.source: Input should be a valid base64 image source`;
        }
        if (!['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(String(source.media_type))) {
          return `${where}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
        }
        if (source.data === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(source.data))
          return `${where}.source.data: invalid base64 data`;
        break;
      }
      case 'tool_use':
        if (role !== 'assistant') return `${where}: tool_use blocks are only allowed in assistant messages`;
        if (typeof block.id !== 'string' || typeof block.name !== 'string' || !isObject(block.input)) {
          return `${where}: tool_use blocks need a string id, a name and an object input`;
        }
        break;
      case 'tool_result':
        if (role !== 'user') return `${where}: tool_result blocks are only allowed in user messages`;
        if (typeof block.tool_use_id !== 'string') return `${where}.tool_use_id: Field required`;
        if (block.is_error !== undefined && typeof block.is_error !== 'boolean')
          return `${where}.is_error: Input should be a valid boolean`;
        break;
      case 'thinking':
      case 'redacted_thinking':
        if (role !== 'assistant') return `${where}: thinking blocks are only allowed in assistant messages`;
        break;
      default:
        return `${where}.type: Input tag '${String(block.type)}' does not match any of the expected tags`;
    }
  }
  return undefined;
}

function normaliseContent(content: unknown): Json[] | undefined {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return undefined;
  return content.every(isObject) ? content : undefined;
}

function countCacheControl(body: Json): number {
  const all: unknown[] = [
    ...(Array.isArray(body.system) ? body.system : []),
    ...(Array.isArray(body.tools) ? body.tools : []),
    ...(body.messages as Json[]).flatMap((message) =>
      Array.isArray(message.content) ? message.content : [],
    ),
  ];
  return all.filter(
    (block) => isObject(block) && block.cache_control !== undefined && block.cache_control !== null,
  ).length;
}

/** The provider-neutral view of a validated request. */
export function viewOfMessagesRequest(body: MessagesRequest): FakeRequestView {
  const system =
    body.system === undefined
      ? []
      : typeof body.system === 'string'
        ? [body.system]
        : body.system.map((b) => b.text);
  return {
    model: body.model,
    system,
    toolNames: (body.tools ?? []).map((tool) => tool.name),
    messages: body.messages.map((message): FakeMessageView => {
      const blocks = normaliseContent(message.content) ?? [];
      return {
        role: message.role,
        text: blocks
          .filter((b) => b.type === 'text')
          .map((b) => String(b.text))
          .join('\n'),
        toolCalls: blocks
          .filter((b) => b.type === 'tool_use')
          .map((b) => ({ id: String(b.id), name: String(b.name), input: b.input })),
        toolResults: blocks
          .filter((b) => b.type === 'tool_result')
          .map((b) => ({
            toolCallId: String(b.tool_use_id),
            content: resultText(b.content),
            isError: b.is_error === true,
          })),
        imageCount: blocks.filter((b) => b.type === 'image').length,
      };
    }),
  };
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b) => isObject(b) && b.type === 'text')
    .map((b) => String((b as Json).text))
    .join('\n');
}

/** The blocks of the request in prompt order (tools, system, messages), for the cache simulation. */
export function promptBlocksOf(body: MessagesRequest): Array<{ content: string; breakpoint: boolean }> {
  const strip = (block: unknown): { content: string; breakpoint: boolean } => {
    const { cache_control, ...rest } = block as Json;
    return {
      content: JSON.stringify(rest),
      breakpoint: cache_control !== undefined && cache_control !== null,
    };
  };
  const system =
    typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  return [
    ...(body.tools ?? []).map(strip),
    ...system.map(strip),
    ...body.messages.flatMap((message) =>
      (normaliseContent(message.content) ?? []).map((block) => strip({ role: message.role, ...block })),
    ),
  ];
}
