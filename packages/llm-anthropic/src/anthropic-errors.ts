import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { classifyHttpFailure, type FailureClass, toModelCallError, WebTasksError } from '@webtasks/core';

/** Which failures are worth another attempt: connection errors, 408, 409, 429, 5xx and 529 overloaded. */
export function classifyAnthropicFailure(error: unknown): FailureClass {
  if (error instanceof APIUserAbortError || WebTasksError.isInstance(error)) return { retryable: false };
  if (error instanceof APIConnectionError) return { retryable: true };
  if (!(error instanceof APIError) || error.status === undefined) return { retryable: false };
  return classifyHttpFailure(error.status, error.headers);
}

/** What the error mapping needs to know about the call. */
export interface FailedCall {
  /** The model as the caller named it (`sonnet` or an id). */
  requested: string;
  modelId: string;
  signal?: AbortSignal;
}

/** Map anything a call threw to a WebTasksError whose message says what to do. */
export function toAnthropicWebTasksError(error: unknown, call: FailedCall): WebTasksError {
  return toModelCallError(error, {
    adapter: 'llm-anthropic',
    service: 'Anthropic',
    ...call,
    isUserAbort: (thrown) => thrown instanceof APIUserAbortError,
    readHttpFailure: (thrown) =>
      thrown instanceof APIError && thrown.status !== undefined
        ? {
            status: thrown.status,
            said: `${thrown.status} ${thrown.type ?? 'error'}: ${thrown.apiMessage ?? thrown.message}`,
            details: { status: thrown.status, type: thrown.type, requestId: thrown.requestID ?? undefined },
          }
        : undefined,
    keyAdvice: 'Check ANTHROPIC_API_KEY / the `apiKey` option.',
    forbiddenModelAdvice: 'Use a key with access to it, or change the `models` option.',
    modelsAdvice: 'the `models` option maps haiku/sonnet/opus to model ids your key can use.',
    unavailableAdvice: 'Try again later.',
  });
}
