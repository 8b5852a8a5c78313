import { classifyHttpFailure, type FailureClass, toModelCallError, WebTasksError } from '@webtasks/core';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';

/** Which failures are worth another attempt: connection errors, 408, 409, 429 and 5xx. */
export function classifyOpenAIFailure(error: unknown): FailureClass {
  if (error instanceof APIUserAbortError || WebTasksError.isInstance(error)) return { retryable: false };
  if (error instanceof APIConnectionError) return { retryable: true };
  if (!(error instanceof APIError) || error.status === undefined) return { retryable: false };
  return classifyHttpFailure(error.status, error.headers);
}

/** What the error mapping needs to know about the call. */
export interface FailedCall {
  requested: string;
  modelId: string;
  baseURL: string;
  signal?: AbortSignal;
}

function apiMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

/** Map anything a call threw to a WebTasksError whose message says what to do. */
export function toOpenAIWebTasksError(error: unknown, call: FailedCall): WebTasksError {
  const { baseURL, ...rest } = call;
  return toModelCallError(error, {
    adapter: 'llm-openai',
    service: baseURL,
    ...rest,
    isUserAbort: (thrown) => thrown instanceof APIUserAbortError,
    readHttpFailure: (thrown) =>
      thrown instanceof APIError && thrown.status !== undefined
        ? {
            status: thrown.status,
            said: `${thrown.status}${thrown.code ? ` ${thrown.code}` : ''}: ${apiMessage(thrown)}`,
            details: {
              status: thrown.status,
              type: thrown.type,
              code: thrown.code,
              requestId: thrown.requestID ?? undefined,
            },
          }
        : undefined,
    keyAdvice: "Check the `apiKey` option (the server's key, e.g. vLLM --api-key).",
    modelsAdvice: 'the `models` option names the served model ids (see GET /v1/models).',
    unavailableAdvice: 'Check that the server is running.',
  });
}
