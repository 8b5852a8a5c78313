import { abortedError, throwIfAborted } from './errors.js';

// Retries of calls to remote providers (model APIs today). Adapters turn their SDKs' own
// retries off and use this one policy, so every provider behaves alike.

/** How a model call is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retries). */
  maxRetries: number;
  /** Backoff before the first retry; doubles on each retry, with jitter. */
  initialDelayMs: number;
  /** Upper bound of one wait. A `retry-after` longer than this ends the retries at once. */
  maxDelayMs: number;
}

/** Defaults: 3 retries, 500 ms doubling, at most 30 s per wait. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, initialDelayMs: 500, maxDelayMs: 30_000 };

/** How one failure should be treated. */
export interface FailureClass {
  retryable: boolean;
  /** What the provider asked for (`retry-after`), in milliseconds. */
  retryAfterMs?: number;
}

/** Thrown when a retryable failure persists: retries ran out or the provider asked for too long a wait. */
export class RetriesExhausted extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly retryAfterMs: number | undefined,
    /** `retry-after`: the provider asked for a wait longer than `maxDelayMs`. */
    readonly reason: 'attempts' | 'retry-after',
  ) {
    super('retries exhausted', { cause: lastError });
    this.name = 'RetriesExhausted';
  }
}

/** Options of `withRetries`. */
export interface WithRetriesOptions<T> {
  policy: RetryPolicy;
  /** Names the call in the `aborted` error, e.g. `[webtasks:llm-anthropic] The model call`. */
  what: string;
  signal?: AbortSignal;
  attempt: (attemptNumber: number) => Promise<T>;
  classify: (error: unknown) => FailureClass;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Source of jitter (tests pin it). */
  random?: () => number;
}

/** Run `attempt` until it succeeds, fails for good, or retries run out (exponential backoff + jitter). */
export async function withRetries<T>(options: WithRetriesOptions<T>): Promise<T> {
  const { policy, signal } = options;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, options.what);
    try {
      return await options.attempt(attempt);
    } catch (error) {
      const failure = options.classify(error);
      if (!failure.retryable) throw error;
      const retryAfterMs =
        failure.retryAfterMs !== undefined && failure.retryAfterMs > 0 ? failure.retryAfterMs : undefined;
      if (attempt > policy.maxRetries) throw new RetriesExhausted(error, attempt, retryAfterMs, 'attempts');
      if ((retryAfterMs ?? 0) > policy.maxDelayMs)
        throw new RetriesExhausted(error, attempt, retryAfterMs, 'retry-after');
      const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
      const jittered = backoff * (0.5 + random() * 0.5);
      const delayMs = Math.round(Math.max(retryAfterMs ?? 0, jittered));
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, signal, options.what);
    }
  }
}

/**
 * Whether an HTTP failure from a provider is worth another attempt: 408, 409, 429 and 5xx
 * (529 overloaded included), unless the provider says otherwise with `x-should-retry`;
 * with the wait it asked for.
 */
export function classifyHttpFailure(
  status: number,
  headers: { get(name: string): string | null } | undefined | null,
): FailureClass {
  const shouldRetry = headers?.get('x-should-retry');
  if (shouldRetry === 'false') return { retryable: false };
  const retryable =
    shouldRetry === 'true' || status === 408 || status === 409 || status === 429 || status >= 500;
  return { retryable, retryAfterMs: retryAfterMs(headers) };
}

/** Parse `retry-after-ms` / `retry-after` (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(
  headers: { get(name: string): string | null } | undefined | null,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds)) return milliseconds;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal, what));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
