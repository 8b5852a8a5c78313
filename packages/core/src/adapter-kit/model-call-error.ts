import { abortedError, WebTasksError } from '../errors.js';
import { RetriesExhausted } from '../retry.js';
import { adapterPrefix } from './adapter-error.js';

/** A failed HTTP answer of a model API, in the words the adapter read from its SDK's error. */
export interface ModelHttpFailure {
  status: number;
  /** What the API said, ready to quote: `401 authentication_error: invalid x-api-key`. */
  said: string;
  /** Structured details kept on the error (status, type, request id…). */
  details?: Record<string, unknown>;
}

/** How a model adapter names its service and reads its SDK's errors. */
export interface ModelCallErrorOptions {
  /** Package name in messages: `llm-anthropic`. */
  adapter: string;
  /** Who answered, as the user knows it: `Anthropic` or the server's base URL. */
  service: string;
  /** The model as the caller named it (`sonnet` or an id). */
  requested: string;
  /** The concrete model id that was called. */
  modelId: string;
  signal?: AbortSignal;
  /** Whether the SDK threw because the caller aborted. */
  isUserAbort(error: unknown): boolean;
  /** The HTTP failure in `error`, or undefined when there was no HTTP answer. */
  readHttpFailure(error: unknown): ModelHttpFailure | undefined;
  /** The setting that fixes a rejected key: "Check ANTHROPIC_API_KEY / the `apiKey` option." */
  keyAdvice: string;
  /** Advice on a 403 when it means the key may not use the model; absent: a 403 is a bad key. */
  forbiddenModelAdvice?: string;
  /** What names the served model ids: "the `models` option maps haiku/sonnet/opus to…". */
  modelsAdvice: string;
  /** What to do when the service stays unavailable: "Try again later". */
  unavailableAdvice: string;
}

/**
 * Map anything a model call threw to a `WebTasksError` whose message says what to do:
 * 401 (and 403 without `forbiddenModelAdvice`) → `model-auth`, 404 → `model-not-found`,
 * spent retries → retryable `model-unavailable`, an abort → `aborted`, the rest → `model-error`.
 */
export function toModelCallError(error: unknown, options: ModelCallErrorOptions): WebTasksError {
  if (WebTasksError.isInstance(error)) return error;
  const prefix = adapterPrefix(options.adapter);
  const model = `"${options.modelId}"`;
  if (options.isUserAbort(error) || options.signal?.aborted) {
    return abortedError(options.signal, `${prefix} The model call`);
  }
  if (error instanceof RetriesExhausted) return unavailable(error, options);
  const failure = options.readHttpFailure(error);
  const make = (code: WebTasksError['code'], message: string) =>
    new WebTasksError({ code, message: `${prefix} ${message}`, cause: error, details: failure?.details });
  if (!failure) {
    return make('model-error', `The call to ${options.service} failed: ${describe(error)}`);
  }
  const said = `(${failure.said})`;
  if (failure.status === 401 || (failure.status === 403 && !options.forbiddenModelAdvice)) {
    return make('model-auth', `${options.service} rejected the API key ${said}. ${options.keyAdvice}`);
  }
  if (failure.status === 403) {
    return make(
      'model-auth',
      `The API key may not use model ${model} ${said}. ${options.forbiddenModelAdvice}`,
    );
  }
  if (failure.status === 404) {
    const setting =
      options.requested === options.modelId ? 'the model id you pass' : `\`models.${options.requested}\``;
    return make(
      'model-not-found',
      `${options.service} does not serve model ${model} ${said}. Fix ${setting}: ${options.modelsAdvice}`,
    );
  }
  return make('model-error', `${options.service} rejected the request for model ${model} ${said}.`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unavailable(exhausted: RetriesExhausted, options: ModelCallErrorOptions): WebTasksError {
  const last = exhausted.lastError;
  const failure = options.readHttpFailure(last);
  const waited =
    exhausted.reason === 'retry-after'
      ? `; it asked to retry after ${Math.ceil((exhausted.retryAfterMs ?? 0) / 1000)} s, longer than \`retry.maxDelayMs\``
      : '';
  return new WebTasksError({
    code: 'model-unavailable',
    message: `${adapterPrefix(options.adapter)} ${options.service} is unavailable for model "${options.modelId}" after ${exhausted.attempts} attempt(s) (${failure?.said ?? describe(last)})${waited}. ${options.unavailableAdvice}`,
    cause: last,
    retryable: true,
    details: { attempts: exhausted.attempts, retryAfterMs: exhausted.retryAfterMs, ...failure?.details },
  });
}
