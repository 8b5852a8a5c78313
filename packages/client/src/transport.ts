import { type BackoffOptions, linkSignals, retryDelayMs, sleep } from './backoff.js';
import { WebTasksApiError, WebTasksConnectionError, WebTasksTimeoutError } from './errors.js';

/**
 * When a failed request may be sent again.
 * - `idempotent` (GET): on 429, 5xx, network errors and request timeouts.
 * - `not-accepted`: only when the server certainly did not act on it: a 429 (refused before
 *   anything was created) or a connection that was never opened (refused, DNS failure).
 */
export type RetryPolicy = 'idempotent' | 'not-accepted';

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  fetch: typeof globalThis.fetch;
  headers: Record<string, string>;
  maxRetries: number;
  requestTimeoutMs: number;
  backoff: BackoffOptions;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** How to read a successful answer: JSON (default), text, or nothing (204). */
  responseType?: 'json' | 'text' | 'none';
  path: string;
  body?: unknown;
  retry: RetryPolicy;
  signal?: AbortSignal;
  /** Added to the request timeout (long-polls are meant to take this long). */
  extraTimeoutMs?: number;
}

export interface TransportResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

/** Error codes of a connection that never opened (Node's fetch puts them on `cause`). */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const TIMEOUT = Symbol('request-timeout');

/** One HTTP exchange with retries. fetch only: runs in Node 20+, browsers, Deno, Bun, workers. */
export async function sendRequest<T>(
  transport: TransportOptions,
  options: RequestOptions,
): Promise<TransportResponse<T>> {
  const url = `${transport.baseUrl.replace(/\/+$/, '')}${options.path}`;
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...transport.headers,
    'x-api-key': transport.apiKey,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const timeoutMs = transport.requestTimeoutMs + (options.extraTimeoutMs ?? 0);

  for (let attempt = 0; ; attempt += 1) {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(TIMEOUT), timeoutMs);
    const linked = linkSignals([options.signal, timer.signal]);
    let response: Response;
    try {
      response = await transport.fetch(url, { method: options.method, headers, body, signal: linked.signal });
    } catch (error) {
      clearTimeout(timeout);
      linked.dispose();
      if (options.signal?.aborted) throw options.signal.reason;
      const timedOut = timer.signal.aborted;
      const retryable =
        options.retry === 'idempotent' || (!timedOut && NOT_CONNECTED.has(causeCode(error) ?? ''));
      if (retryable && attempt < transport.maxRetries) {
        await sleep(retryDelayMs(attempt, transport.backoff), options.signal);
        continue;
      }
      if (timedOut) {
        throw new WebTasksTimeoutError({
          message: `${options.method} ${options.path} got no answer within ${timeoutMs} ms: the server may be overloaded; try again later.`,
          timeoutMs,
        });
      }
      throw new WebTasksConnectionError(
        `Could not reach the webtasks server at ${transport.baseUrl} (${causeCode(error) ?? (error as Error).message}): check baseUrl and the network.`,
        { cause: error },
      );
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (options.retry === 'idempotent' && attempt < transport.maxRetries) {
        await sleep(retryDelayMs(attempt, transport.backoff), options.signal);
        continue;
      }
      if (timer.signal.aborted) {
        throw new WebTasksTimeoutError({
          message: `${options.method} ${options.path} did not finish answering within ${timeoutMs} ms: try again later.`,
          timeoutMs,
        });
      }
      throw new WebTasksConnectionError(
        `The connection broke while reading the answer: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timeout);
      linked.dispose();
    }

    if (response.ok) {
      if (options.responseType === 'text' || options.responseType === 'none')
        return { data: text as T, status: response.status, headers: response.headers };
      try {
        return { data: JSON.parse(text) as T, status: response.status, headers: response.headers };
      } catch {
        throw unexpectedResponse(response, text);
      }
    }
    const retryable =
      response.status === 429 ||
      (options.retry === 'idempotent' && response.status >= 500 && response.status !== 501);
    if (retryable && attempt < transport.maxRetries) {
      await sleep(
        retryDelayMs(attempt, transport.backoff, response.headers.get('retry-after')),
        options.signal,
      );
      continue;
    }
    throw apiError(response, text);
  }
}

export function apiError(response: Response, text: string): WebTasksApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return unexpectedResponse(response, text);
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)
    ?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string')
    return unexpectedResponse(response, text);
  return new WebTasksApiError({
    status: response.status,
    code: error.code,
    message: error.message,
    details: error.details,
    requestId: response.headers.get('x-request-id') ?? undefined,
  });
}

function unexpectedResponse(response: Response, text: string): WebTasksApiError {
  const snippet = text.replace(/\s+/g, ' ').slice(0, 200);
  return new WebTasksApiError({
    status: response.status,
    code: 'unexpected-response',
    message: `The server answered ${response.status} with something that is not the webtasks API's JSON (${snippet || 'empty body'}): check baseUrl.`,
    requestId: response.headers.get('x-request-id') ?? undefined,
  });
}
