import {
  DEFAULT_RETRY_POLICY,
  type GenerateOptions,
  type GenerateResult,
  type LanguageModel,
  type Logger,
  type RetryPolicy,
  throwIfAborted,
  WebTasksError,
  withRetries,
} from '@webtasks/core';
import OpenAI from 'openai';
import { fromChatCompletion } from './from-openai-response.js';
import { type OpenAICompatibleModelAliases, resolveModelId, toAliases } from './model-ids.js';
import { classifyOpenAIFailure, toOpenAIWebTasksError } from './openai-errors.js';
import { toChatRequest } from './to-openai-request.js';

/** Options of `createOpenAICompatibleLanguageModel`. */
export interface OpenAICompatibleLanguageModelOptions {
  /** The server's API root, ending in `/v1` (vLLM `http://localhost:8000/v1`, Ollama `http://localhost:11434/v1`). */
  baseURL: string;
  /** The server's API key, if it wants one. Without it no `Authorization` header is sent. */
  apiKey?: string;
  /** Served model ids for the aliases, or one id for all three. */
  models: OpenAICompatibleModelAliases | string;
  /** Retries after the first attempt on 408/409/429/5xx and connection errors. Default 3. */
  maxRetries?: number;
  /** Backoff tuning: first delay (default 500 ms, doubling, with jitter) and the longest wait (default 30 s). */
  retry?: Partial<Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>>;
  /** Time limit of one attempt. Default 10 minutes (local models can be slow). */
  timeoutMs?: number;
  /** `max_tokens` when a call sets no `maxOutputTokens`; default: the server's own limit. */
  defaultMaxOutputTokens?: number;
  /** Receives one `warn` per retry and one `debug` per call. Silent by default. */
  logger?: Logger;
}

/** The model, with an escape hatch to the SDK client. */
export interface OpenAICompatibleLanguageModel extends LanguageModel {
  /** The underlying `openai` client (its own retries are off: the adapter retries). */
  getInstance(): OpenAI;
}

/**
 * A `LanguageModel` for OpenAI-compatible Chat Completions servers (vLLM, Ollama, llama.cpp,
 * LM Studio) on the `openai` SDK. System blocks are joined into one system message (`cache`
 * marks are ignored: these servers cache prefixes automatically and report `cached_tokens`),
 * tools go through `tools` / `tool_calls`, and errors map like the Anthropic adapter's.
 */
export function createOpenAICompatibleLanguageModel(
  options: OpenAICompatibleLanguageModelOptions,
): OpenAICompatibleLanguageModel {
  const baseURL = options.baseURL.replace(/\/+$/, '');
  if (!/^https?:\/\/.+\/v1$/.test(baseURL)) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `[webtasks:llm-openai] baseURL "${options.baseURL}" must be an http(s) URL ending in /v1, e.g. http://localhost:8000/v1 (vLLM) or http://localhost:11434/v1 (Ollama).`,
    });
  }
  const aliases = toAliases(options.models);
  if (Object.values(aliases).some((id) => typeof id !== 'string' || id === '')) {
    throw new WebTasksError({
      code: 'invalid-config',
      message:
        '[webtasks:llm-openai] `models` needs a served model id for haiku, sonnet and opus (or one string for all).',
    });
  }
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    initialDelayMs: options.retry?.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  const timeoutMs = options.timeoutMs ?? 600_000;
  const hasKey = typeof options.apiKey === 'string' && options.apiKey !== '';
  const client = new OpenAI({
    // The SDK insists on a key; without one, a placeholder is set and the header removed.
    apiKey: hasKey ? options.apiKey : 'no-key',
    ...(hasKey ? {} : { defaultHeaders: { Authorization: null } }),
    organization: null,
    project: null,
    baseURL,
    maxRetries: 0,
    timeout: timeoutMs,
    logLevel: 'off',
  });
  const logger = options.logger;

  async function generate(call: GenerateOptions): Promise<GenerateResult> {
    const modelId = resolveModelId(call.model, aliases);
    const failed = {
      requested: call.model,
      modelId,
      baseURL,
      ...(call.signal ? { signal: call.signal } : {}),
    };
    try {
      throwIfAborted(call.signal, '[webtasks:llm-openai] The model call');
      const body = toChatRequest(call, modelId, options.defaultMaxOutputTokens);
      const { data, request_id } = await withRetries({
        policy,
        what: '[webtasks:llm-openai] The model call',
        ...(call.signal ? { signal: call.signal } : {}),
        attempt: () =>
          client.chat.completions
            .create(body, {
              timeout: timeoutMs,
              maxRetries: 0,
              ...(call.signal ? { signal: call.signal } : {}),
            })
            .withResponse(),
        classify: classifyOpenAIFailure,
        onRetry: ({ attempt, delayMs, error }) =>
          logger?.warn('OpenAI-compatible call failed, retrying', {
            modelId,
            attempt,
            delayMs,
            error: error instanceof Error ? error.message : String(error),
          }),
      });
      const result = fromChatCompletion(data, modelId);
      logger?.debug('OpenAI-compatible call done', {
        modelId: result.modelId,
        stopReason: result.stopReason,
        ...result.usage,
      });
      return request_id ? { ...result, requestId: request_id } : result;
    } catch (error) {
      throw toOpenAIWebTasksError(error, failed);
    }
  }

  return { specificationVersion: 'v1', provider: 'openai-compatible', generate, getInstance: () => client };
}
