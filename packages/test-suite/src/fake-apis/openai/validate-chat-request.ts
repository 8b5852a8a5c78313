import type { PromptBlock } from '../prompt-cache.js';
import type { FakeMessageView, FakeRequestView } from '../script.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Chat Completions request body that passed validation (only the fields the fake reads). */
export interface ChatRequest {
  model: string;
  messages: Json[];
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: unknown } }>;
}

/**
 * Validate a Chat Completions request body like OpenAI-compatible servers do in the essentials.
 * Returns the message of a 400 `invalid_request_error`, or undefined when valid.
 */
export function validateChatRequest(body: unknown): string | undefined {
  if (!isObject(body)) return 'We could not parse the JSON body of your request.';
  if (typeof body.model !== 'string' || body.model === '') return 'you must provide a model parameter';
  if (body.stream === true) return 'stream: the fake Chat Completions API only supports `stream: false`';
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    const value = body[field];
    if (value !== undefined && value !== null && !(Number.isInteger(value) && (value as number) >= 1)) {
      return `Invalid '${field}': integer below minimum value.`;
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "Invalid type for 'tools': expected an array.";
    for (const [index, tool] of body.tools.entries()) {
      if (
        !isObject(tool) ||
        tool.type !== 'function' ||
        !isObject(tool.function) ||
        typeof tool.function.name !== 'string'
      ) {
        return `Invalid 'tools[${index}]': expected an object with type 'function' and function.name.`;
      }
    }
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  }
  return validateMessages(body.messages);
}

function validateMessages(messages: unknown[]): string | undefined {
  let pending: string[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isObject(message)) return `Invalid 'messages[${index}]': expected an object.`;
    const role = message.role;
    if (pending.length > 0 && role !== 'tool') {
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`;
    }
    switch (role) {
      case 'system':
      case 'developer':
        if (typeof message.content !== 'string')
          return `Invalid 'messages[${index}].content': expected a string.`;
        break;
      case 'user': {
        const error = validateUserContent(message.content, index);
        if (error) return error;
        break;
      }
      case 'assistant': {
        const calls = message.tool_calls;
        if (calls !== undefined && calls !== null) {
          if (!Array.isArray(calls)) return `Invalid 'messages[${index}].tool_calls': expected an array.`;
          for (const call of calls) {
            if (
              !isObject(call) ||
              typeof call.id !== 'string' ||
              !isObject(call.function) ||
              typeof call.function.arguments !== 'string'
            ) {
              return `Invalid 'messages[${index}].tool_calls': each call needs an id and function.arguments as a string.`;
            }
          }
          pending = calls.map((call) => String((call as Json).id));
        } else if (typeof message.content !== 'string' || message.content === '') {
          return `Invalid 'messages[${index}]': an assistant message needs content or tool_calls.`;
        }
        break;
      }
      case 'tool': {
        const id = message.tool_call_id;
        if (typeof id !== 'string' || !pending.includes(id)) {
          return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
        }
        if (typeof message.content !== 'string')
          return `Invalid 'messages[${index}].content': expected a string.`;
        pending = pending.filter((other) => other !== id);
        break;
      }
      default:
        return `Invalid value: '${String(role)}'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.`;
    }
  }
  if (pending.length > 0) {
    return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`;
  }
  return undefined;
}

function validateUserContent(content: unknown, index: number): string | undefined {
  if (typeof content === 'string')
    return content === '' ? `Invalid 'messages[${index}].content': empty string.` : undefined;
  if (!Array.isArray(content) || content.length === 0)
    return `Invalid 'messages[${index}].content': expected a string or a non-empty array.`;
  for (const [position, part] of content.entries()) {
    const where = `messages[${index}].content[${position}]`;
    if (!isObject(part)) return `Invalid '${where}': expected an object.`;
    if (part.type === 'text') {
      if (typeof part.text !== 'string') return `Invalid '${where}.text': expected a string.`;
    } else if (part.type === 'image_url') {
      const url = isObject(part.image_url) ? part.image_url.url : undefined;
      if (typeof url !== 'string' || !/^(https?:|data:image\/(png|jpeg|gif|webp);base64,)/.test(url)) {
        return `Invalid '${where}.image_url.url': expected a URL or a base64 data URL.`;
      }
    } else {
      return `Invalid '${where}.type': '${String(part.type)}' is not supported.`;
    }
  }
  return undefined;
}

/** The provider-neutral view: tool messages and the user message after them form one user turn. */
export function viewOfChatRequest(body: ChatRequest): FakeRequestView {
  const system: string[] = [];
  const messages: FakeMessageView[] = [];
  const userTurn = (): FakeMessageView => {
    const last = messages[messages.length - 1];
    if (last?.role === 'user') return last;
    const created: FakeMessageView = {
      role: 'user',
      text: '',
      toolCalls: [],
      toolResults: [],
      imageCount: 0,
    };
    messages.push(created);
    return created;
  };
  for (const message of body.messages) {
    if (message.role === 'system' || message.role === 'developer') system.push(String(message.content));
    else if (message.role === 'tool') {
      userTurn().toolResults.push({
        toolCallId: String(message.tool_call_id),
        content: String(message.content),
        isError: false,
      });
    } else if (message.role === 'user') {
      const turn = userTurn();
      const parts =
        typeof message.content === 'string'
          ? [{ type: 'text', text: message.content }]
          : (message.content as Json[]);
      const text = parts.filter((p) => p.type === 'text').map((p) => String(p.text));
      turn.text = [turn.text, ...text].filter((t) => t !== '').join('\n');
      turn.imageCount += parts.filter((p) => p.type === 'image_url').length;
    } else {
      const calls = (message.tool_calls as Json[] | undefined) ?? [];
      messages.push({
        role: 'assistant',
        text: typeof message.content === 'string' ? message.content : '',
        toolCalls: calls.map((call) => {
          const fn = call.function as Json;
          return { id: String(call.id), name: String(fn.name), input: safeParse(String(fn.arguments)) };
        }),
        toolResults: [],
        imageCount: 0,
      });
    }
  }
  return {
    model: body.model,
    system,
    toolNames: (body.tools ?? []).map((tool) => tool.function.name),
    messages,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Prompt blocks for automatic prefix caching: tools first, then every message. */
export function promptBlocksOfChat(body: ChatRequest): PromptBlock[] {
  return [...(body.tools ?? []), ...body.messages].map((item) => ({ content: JSON.stringify(item) }));
}
