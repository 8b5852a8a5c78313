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
  type ChatRequest,
  promptBlocksOfChat,
  validateChatRequest,
  viewOfChatRequest,
} from './validate-chat-request.js';

/** Options of `startFakeOpenAIServer`. */
export interface FakeOpenAIServerOptions {
  /** The only key accepted (`Authorization: Bearer`). Default `sk-fake-openai-key`; `null` accepts any request (like a local server without `--api-key`). */
  apiKey?: string | null;
  /** Known model ids; others get a 404 `model_not_found`. Default `['local-small', 'local-medium', 'local-large']`. */
  models?: readonly string[];
  /** Replies to start with. */
  script?: FakeScript;
  /** Automatic prefix cache simulation, reported as `prompt_tokens_details.cached_tokens`. */
  cache?: PromptCacheOptions;
}

/** A running fake of an OpenAI-compatible Chat Completions API. */
export interface FakeOpenAIServer {
  /** Pass this as the SDK's `baseURL` (`http://127.0.0.1:<port>/v1`). */
  baseUrl: string;
  /** The accepted API key (`null` when any request is accepted). */
  apiKey: string | null;
  /** Every request received, in order (including rejected ones). */
  requests: RecordedRequest[];
  /** Number of requests received. */
  readonly requestCount: number;
  /** Append scripted replies (or install a function that answers once the queue is empty). */
  script(script: FakeScript): void;
  close(): Promise<void>;
}

const ERRORS: Record<FakeErrorKind, { status: number; type: string; code: string | null; message: string }> =
  {
    'invalid-request': { status: 400, type: 'invalid_request_error', code: null, message: 'Invalid request' },
    auth: {
      status: 401,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      message: 'Incorrect API key provided.',
    },
    permission: {
      status: 403,
      type: 'invalid_request_error',
      code: 'permission_denied',
      message: 'You are not allowed to use this model.',
    },
    'not-found': {
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      message: 'Not found',
    },
    'rate-limit': {
      status: 429,
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: 'Rate limit reached for requests',
    },
    overloaded: {
      status: 503,
      type: 'server_error',
      code: null,
      message: 'The server is overloaded or not ready yet.',
    },
    server: {
      status: 500,
      type: 'server_error',
      code: null,
      message: 'The server had an error while processing your request.',
    },
  };

/**
 * Start a fake OpenAI-compatible Chat Completions API (`POST /v1/chat/completions`,
 * `stream: false` only) on 127.0.0.1: what vLLM, Ollama and llama.cpp servers answer.
 */
export async function startFakeOpenAIServer(
  options: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  const apiKey = options.apiKey === undefined ? 'sk-fake-openai-key' : options.apiKey;
  const models = new Set(options.models ?? ['local-small', 'local-medium', 'local-large']);
  const queue = new FakeScriptQueue();
  const cache = new PromptCacheSimulator(options.cache);
  const requests: RecordedRequest[] = [];
  if (options.script !== undefined) queue.push(options.script);

  const handle = (request: RecordedRequest): JsonReply => {
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      return errorReply('not-found', `Invalid URL (${request.method} ${request.path})`);
    }
    const key = bearerToken(request.headers);
    if (apiKey !== null && key === undefined) {
      return errorReply(
        'auth',
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
      );
    }
    if (apiKey !== null && key !== apiKey)
      return errorReply('auth', `Incorrect API key provided: ${mask(key ?? '')}.`);
    const invalid = validateChatRequest(request.body);
    if (invalid !== undefined) return errorReply('invalid-request', invalid);
    const body = request.body as ChatRequest;
    if (!models.has(body.model)) {
      return errorReply(
        'not-found',
        `The model \`${body.model}\` does not exist or you do not have access to it.`,
      );
    }
    request.view = viewOfChatRequest(body);
    const reply = queue.next(request.view);
    if (reply === undefined) {
      return errorReply(
        'invalid-request',
        'fake OpenAI server: no scripted reply left; call script() before this request',
      );
    }
    if (reply.type === 'error') {
      return {
        ...errorReply(reply.error, reply.message, reply.retryAfterSeconds),
        delayMs: reply.delayMs ?? 0,
      };
    }
    const outcome = cache.automatic(body.model, promptBlocksOfChat(body));
    return {
      status: 200,
      body: completionBody(body, reply, outcome),
      headers: requestIdHeader(),
      delayMs: reply.delayMs ?? 0,
    };
  };

  const server = await startJsonHttpServer((request) => requests.push(request), handle);
  return {
    baseUrl: `${server.origin}/v1`,
    apiKey,
    requests,
    get requestCount() {
      return requests.length;
    },
    script: (script) => queue.push(script),
    close: () => server.close(),
  };
}

function mask(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

function requestIdHeader(): Record<string, string> {
  return { 'x-request-id': randomId('req_') };
}

function errorReply(kind: FakeErrorKind, message?: string, retryAfterSeconds?: number): JsonReply {
  const error = ERRORS[kind];
  const headers = requestIdHeader();
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return {
    status: error.status,
    headers,
    body: { error: { message: message ?? error.message, type: error.type, param: null, code: error.code } },
  };
}

function completionBody(
  request: ChatRequest,
  reply: Exclude<FakeReply, { type: 'error' }>,
  outcome: CacheOutcome,
) {
  const toolCalls =
    reply.type === 'tool-calls'
      ? reply.calls.map((call) => ({
          id: call.id ?? randomId('call_'),
          type: 'function',
          function: { name: call.name, arguments: call.rawArguments ?? JSON.stringify(call.input) },
        }))
      : undefined;
  const content =
    reply.type === 'text' ? reply.text : reply.text === undefined || reply.text === '' ? null : reply.text;
  const finishReason =
    reply.type === 'tool-calls'
      ? 'tool_calls'
      : reply.stopReason === 'max-tokens'
        ? 'length'
        : reply.stopReason === 'refusal'
          ? 'content_filter'
          : 'stop';
  const cached = reply.usage?.cacheReadTokens ?? outcome.cacheReadTokens;
  const uncached = reply.usage?.inputTokens ?? outcome.inputTokens;
  const completionTokens =
    reply.usage?.outputTokens ?? estimateTokens(JSON.stringify({ content, toolCalls }));
  return {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: {
      prompt_tokens: uncached + cached,
      completion_tokens: completionTokens,
      total_tokens: uncached + cached + completionTokens,
      prompt_tokens_details: { cached_tokens: cached },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  };
}
