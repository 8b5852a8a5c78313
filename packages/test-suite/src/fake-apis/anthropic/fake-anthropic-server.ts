import {
  bearerToken,
  type JsonReply,
  type RecordedRequest,
  randomId,
  startJsonHttpServer,
} from '../json-http-server.js';
import {
  type CacheOutcome,
  estimateTokens,
  type PromptCacheOptions,
  PromptCacheSimulator,
} from '../prompt-cache.js';
import { type FakeErrorKind, type FakeReply, type FakeScript, FakeScriptQueue } from '../script.js';
import {
  type MessagesRequest,
  promptBlocksOf,
  validateMessagesRequest,
  viewOfMessagesRequest,
} from './validate-messages-request.js';

/** Model ids the fake Messages API knows unless `models` says otherwise. */
export const FAKE_ANTHROPIC_MODELS: readonly string[] = [
  'claude-haiku-5-5',
  'claude-sonnet-5-5',
  'claude-opus-5-5',
  'claude-fable-5-1',
  'claude-opus-5',
  'claude-sonnet-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
];

/** Options of `startFakeAnthropicServer`. */
export interface FakeAnthropicServerOptions {
  /** The only key accepted (via `x-api-key` or `Authorization: Bearer`). Default `sk-ant-fake-key`. */
  apiKey?: string;
  /** Known model ids; others get a 404 `not_found_error`. Default `FAKE_ANTHROPIC_MODELS`. */
  models?: readonly string[];
  /** Replies to start with. */
  script?: FakeScript;
  /** Prompt cache simulation (on by default, no minimum prefix length). */
  cache?: PromptCacheOptions;
}

/** A running fake of the Anthropic Messages API. */
export interface FakeAnthropicServer {
  /** Pass this as the SDK's `baseURL` (`http://127.0.0.1:<port>`, no `/v1`). */
  baseUrl: string;
  /** The accepted API key. */
  apiKey: string;
  /** Every request received, in order (including rejected ones). */
  requests: RecordedRequest[];
  /** Number of requests received. */
  readonly requestCount: number;
  /** Append scripted replies (or install a function that answers once the queue is empty). */
  script(script: FakeScript): void;
  close(): Promise<void>;
}

const ERRORS: Record<FakeErrorKind, { status: number; type: string; message: string }> = {
  'invalid-request': { status: 400, type: 'invalid_request_error', message: 'Invalid request' },
  auth: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
  permission: {
    status: 403,
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  'not-found': { status: 404, type: 'not_found_error', message: 'Not found' },
  'rate-limit': {
    status: 429,
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
  },
  overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
  server: { status: 500, type: 'api_error', message: 'Internal server error' },
};

/**
 * Start a fake of the Anthropic Messages API (`POST /v1/messages`, `stream: false` only) on
 * 127.0.0.1. It validates requests like the real API in the essentials, answers with real
 * response and error bodies, and plays a script turn by turn.
 */
export async function startFakeAnthropicServer(
  options: FakeAnthropicServerOptions = {},
): Promise<FakeAnthropicServer> {
  const apiKey = options.apiKey ?? 'sk-ant-fake-key';
  const models = new Set(options.models ?? FAKE_ANTHROPIC_MODELS);
  const queue = new FakeScriptQueue();
  const cache = new PromptCacheSimulator(options.cache);
  const requests: RecordedRequest[] = [];
  if (options.script !== undefined) queue.push(options.script);

  const handle = (request: RecordedRequest): JsonReply => {
    const key = request.headers['x-api-key'] ?? bearerToken(request.headers);
    if (request.method !== 'POST' || request.path !== '/v1/messages') {
      return errorReply('not-found', `Not found: ${request.method} ${request.path}`);
    }
    if (key === undefined) return errorReply('auth', 'x-api-key header is required');
    if (key !== apiKey) return errorReply('auth', 'invalid x-api-key');
    if (!request.headers['anthropic-version']) {
      return errorReply('invalid-request', 'anthropic-version: header is required');
    }
    const invalid = validateMessagesRequest(request.body);
    if (invalid !== undefined) return errorReply('invalid-request', invalid);
    const body = request.body as MessagesRequest;
    if (!models.has(body.model)) return errorReply('not-found', `model: ${body.model}`);
    request.view = viewOfMessagesRequest(body);
    const reply = queue.next(request.view);
    if (reply === undefined) {
      return errorReply(
        'invalid-request',
        'fake Anthropic server: no scripted reply left; call script() before this request',
      );
    }
    if (reply.type === 'error') {
      return {
        ...errorReply(reply.error, reply.message, reply.retryAfterSeconds),
        delayMs: reply.delayMs ?? 0,
      };
    }
    const outcome = cache.explicit(body.model, promptBlocksOf(body));
    return {
      status: 200,
      body: messageBody(body, reply, outcome),
      headers: requestIdHeader(),
      delayMs: reply.delayMs ?? 0,
    };
  };

  const server = await startJsonHttpServer((request) => requests.push(request), handle);
  return {
    baseUrl: server.origin,
    apiKey,
    requests,
    get requestCount() {
      return requests.length;
    },
    script: (script) => queue.push(script),
    close: () => server.close(),
  };
}

function requestIdHeader(): Record<string, string> {
  return { 'request-id': randomId('req_') };
}

function errorReply(kind: FakeErrorKind, message?: string, retryAfterSeconds?: number): JsonReply {
  const error = ERRORS[kind];
  const headers = requestIdHeader();
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return {
    status: error.status,
    headers,
    body: {
      type: 'error',
      error: { type: error.type, message: message ?? error.message },
      request_id: headers['request-id'],
    },
  };
}

function messageBody(
  request: MessagesRequest,
  reply: Exclude<FakeReply, { type: 'error' }>,
  outcome: CacheOutcome,
) {
  const content: unknown[] = [];
  if (reply.thinking !== undefined) {
    content.push({ type: 'thinking', thinking: reply.thinking, signature: randomId('sig_', 24) });
  }
  if (reply.type === 'text') {
    content.push({ type: 'text', text: reply.text, citations: null });
  } else {
    if (reply.text !== undefined && reply.text !== '')
      content.push({ type: 'text', text: reply.text, citations: null });
    for (const call of reply.calls) {
      content.push({
        type: 'tool_use',
        id: call.id ?? randomId('toolu_01'),
        name: call.name,
        input: call.input,
      });
    }
  }
  const stopReason =
    reply.type === 'tool-calls'
      ? 'tool_use'
      : reply.stopReason === 'max-tokens'
        ? 'max_tokens'
        : reply.stopReason === 'refusal'
          ? 'refusal'
          : 'end_turn';
  const usage = {
    inputTokens: reply.usage?.inputTokens ?? outcome.inputTokens,
    outputTokens: reply.usage?.outputTokens ?? estimateTokens(JSON.stringify(content)),
    cacheReadTokens: reply.usage?.cacheReadTokens ?? outcome.cacheReadTokens,
    cacheWriteTokens: reply.usage?.cacheWriteTokens ?? outcome.cacheWriteTokens,
  };
  return {
    id: randomId('msg_01'),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cache_creation_input_tokens: usage.cacheWriteTokens,
      cache_read_input_tokens: usage.cacheReadTokens,
      cache_creation: { ephemeral_5m_input_tokens: usage.cacheWriteTokens, ephemeral_1h_input_tokens: 0 },
      service_tier: 'standard',
    },
  };
}
