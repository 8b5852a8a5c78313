import {
  abortedError,
  classifyHttpFailure,
  type FailureClass,
  RetriesExhausted,
  WebtasksError,
} from '@webtasks/core';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';

const PREFIX = '[webtasks:llm-openai]';

/** Which failures are worth another attempt: connection errors, 408, 409, 429 and 5xx. */
export function classifyOpenAIFailure(error: unknown): FailureClass {
  if (error instanceof APIUserAbortError || WebtasksError.isInstance(error)) return { retryable: false };
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

/** Map anything a call threw to a WebtasksError whose message says what to do. */
export function toOpenAIWebtasksError(error: unknown, call: FailedCall): WebtasksError {
  if (WebtasksError.isInstance(error)) return error;
  if (error instanceof APIUserAbortError || call.signal?.aborted)
    return abortedError(call.signal, `${PREFIX} The model call`);
  if (error instanceof RetriesExhausted) return unavailable(error, call);
  if (!(error instanceof APIError) || error.status === undefined) {
    return new WebtasksError({
      code: 'model-error',
      message: `${PREFIX} The call to ${call.baseURL} failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  const details = {
    status: error.status,
    type: error.type,
    code: error.code,
    requestId: error.requestID ?? undefined,
  };
  const said = `(${error.status}${error.code ? ` ${error.code}` : ''}: ${apiMessage(error)})`;
  if (error.status === 401 || error.status === 403) {
    return new WebtasksError({
      code: 'model-auth',
      message: `${PREFIX} ${call.baseURL} rejected the API key ${said}. Check the \`apiKey\` option (the server's key, e.g. vLLM --api-key).`,
      cause: error,
      details,
    });
  }
  if (error.status === 404) {
    const setting =
      call.requested === call.modelId ? 'the model id you pass' : `\`models.${call.requested}\``;
    return new WebtasksError({
      code: 'model-not-found',
      message: `${PREFIX} ${call.baseURL} does not serve model "${call.modelId}" ${said}. Fix ${setting}: the \`models\` option names the served model ids (see GET /v1/models).`,
      cause: error,
      details,
    });
  }
  return new WebtasksError({
    code: 'model-error',
    message: `${PREFIX} ${call.baseURL} rejected the request for model "${call.modelId}" ${said}.`,
    cause: error,
    details,
  });
}

function unavailable(exhausted: RetriesExhausted, call: FailedCall): WebtasksError {
  const last = exhausted.lastError;
  const reason =
    last instanceof APIError && last.status !== undefined
      ? `${last.status}: ${apiMessage(last)}`
      : last instanceof Error
        ? last.message
        : String(last);
  const waited =
    exhausted.reason === 'retry-after'
      ? `; it asked to retry after ${Math.ceil((exhausted.retryAfterMs ?? 0) / 1000)} s, longer than \`retry.maxDelayMs\``
      : '';
  return new WebtasksError({
    code: 'model-unavailable',
    message: `${PREFIX} ${call.baseURL} is unavailable for model "${call.modelId}" after ${exhausted.attempts} attempt(s) (${reason})${waited}. Check that the server is running, or raise \`maxRetries\`.`,
    cause: last,
    retryable: true,
    details: {
      attempts: exhausted.attempts,
      retryAfterMs: exhausted.retryAfterMs,
      status: last instanceof APIError ? last.status : undefined,
      requestId: last instanceof APIError ? (last.requestID ?? undefined) : undefined,
    },
  });
}
