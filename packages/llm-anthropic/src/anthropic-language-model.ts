import Anthropic from '@anthropic-ai/sdk';
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
import { classifyAnthropicFailure, toAnthropicWebTasksError } from './anthropic-errors.js';
import { fromAnthropicMessage } from './from-anthropic-response.js';
import { type AnthropicModelAliases, DEFAULT_ANTHROPIC_MODELS, resolveModelId } from './model-ids.js';
import { ThinkingMemory } from './thinking-memory.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

/** Options of `createAnthropicLanguageModel`. */
export interface AnthropicLanguageModelOptions {
  /** The Anthropic API key (apps read it from `ANTHROPIC_API_KEY`). */
  apiKey: string;
  /** API origin without `/v1`; default `https://api.anthropic.com`. Point it at a fake or a gateway. */
  baseURL?: string;
  /** Concrete model ids for the aliases; defaults in `DEFAULT_ANTHROPIC_MODELS`. */
  models?: Partial<AnthropicModelAliases>;
  /** Retries after the first attempt on 408/409/429/5xx/529 and connection errors. Default 3. */
  maxRetries?: number;
  /** Backoff tuning: first delay (default 500 ms, doubling, with jitter) and the longest wait (default 30 s). */
  retry?: Partial<Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>>;
  /** Time limit of one attempt. Default 10 minutes. */
  timeoutMs?: number;
  /** `max_tokens` when a call sets no `maxOutputTokens`. Default 16,384. */
  defaultMaxOutputTokens?: number;
  /**
   * When a call marks a system block `cache`, also put a cache breakpoint at the end of the
   * conversation, so the next turn of an agent loop reads the whole history from the cache. Default true.
   */
  cacheConversation?: boolean;
  /** Receives one `warn` per retry and one `debug` per call. Silent by default. */
  logger?: Logger;
}

/** The Anthropic model, with an escape hatch to the SDK client. */
export interface AnthropicLanguageModel extends LanguageModel {
  /** The underlying `@anthropic-ai/sdk` client (its own retries are off: the adapter retries). */
  getInstance(): Anthropic;
}

/**
 * A `LanguageModel` on the Anthropic Messages API (`@anthropic-ai/sdk`): aliases `haiku` /
 * `sonnet` / `opus` map to `models`, system blocks marked `cache` get `cache_control`, transient
 * failures are retried with exponential backoff and jitter (honouring `retry-after`), and errors
 * become `model-auth`, `model-not-found`, `model-error`, `model-unavailable` or `aborted`.
 */
export function createAnthropicLanguageModel(options: AnthropicLanguageModelOptions): AnthropicLanguageModel {
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new WebTasksError({
      code: 'invalid-config',
      message: '[webtasks:llm-anthropic] No API key: set ANTHROPIC_API_KEY / the `apiKey` option.',
    });
  }
  const aliases: AnthropicModelAliases = {
    ...DEFAULT_ANTHROPIC_MODELS,
    ...definedOnly(options.models ?? {}),
  };
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    initialDelayMs: options.retry?.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  const timeoutMs = options.timeoutMs ?? 600_000;
  const client = new Anthropic({
    apiKey: options.apiKey,
    authToken: null,
    baseURL: options.baseURL ?? 'https://api.anthropic.com',
    maxRetries: 0,
    timeout: timeoutMs,
    logLevel: 'off',
  });
  const thinking = new ThinkingMemory();
  const logger = options.logger;

  async function generate(call: GenerateOptions): Promise<GenerateResult> {
    const modelId = resolveModelId(call.model, aliases);
    const failed = { requested: call.model, modelId, ...(call.signal ? { signal: call.signal } : {}) };
    try {
      throwIfAborted(call.signal, '[webtasks:llm-anthropic] The Anthropic model call');
      const body = toAnthropicRequest(call, {
        modelId,
        defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? 16_384,
        cacheConversation: options.cacheConversation ?? true,
        thinking,
      });
      const { data, request_id } = await withRetries({
        policy,
        what: '[webtasks:llm-anthropic] The Anthropic model call',
        ...(call.signal ? { signal: call.signal } : {}),
        attempt: () =>
          client.messages
            .create(body, {
              timeout: timeoutMs,
              maxRetries: 0,
              ...(call.signal ? { signal: call.signal } : {}),
            })
            .withResponse(),
        classify: classifyAnthropicFailure,
        onRetry: ({ attempt, delayMs, error }) =>
          logger?.warn('Anthropic call failed, retrying', {
            modelId,
            attempt,
            delayMs,
            error: describe(error),
          }),
      });
      thinking.remember(data.content);
      const result = fromAnthropicMessage(data);
      logger?.debug('Anthropic call done', {
        modelId: result.modelId,
        stopReason: result.stopReason,
        ...result.usage,
      });
      return request_id ? { ...result, requestId: request_id } : result;
    } catch (error) {
      throw toAnthropicWebTasksError(error, failed);
    }
  }

  return { specificationVersion: 'v1', provider: 'anthropic', generate, getInstance: () => client };
}

function definedOnly(models: Partial<AnthropicModelAliases>): Partial<AnthropicModelAliases> {
  return Object.fromEntries(Object.entries(models).filter(([, id]) => typeof id === 'string' && id !== ''));
}

function describe(error: unknown): string {
  if (error instanceof Anthropic.APIError)
    return `${error.status ?? 'connection'} ${error.type ?? ''} ${error.apiMessage ?? error.message}`.trim();
  return error instanceof Error ? error.message : String(error);
}
