import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import {
  abortedError,
  classifyHttpFailure,
  type FailureClass,
  RetriesExhausted,
  WebtasksError,
} from '@webtasks/core';

const PREFIX = '[webtasks:llm-anthropic]';

/** Which failures are worth another attempt: connection errors, 408, 409, 429, 5xx and 529 overloaded. */
export function classifyAnthropicFailure(error: unknown): FailureClass {
  if (error instanceof APIUserAbortError || WebtasksError.isInstance(error)) return { retryable: false };
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

/** Map anything a call threw to a WebtasksError whose message says what to do. */
export function toAnthropicWebtasksError(error: unknown, call: FailedCall): WebtasksError {
  if (WebtasksError.isInstance(error)) return error;
  if (error instanceof APIUserAbortError || call.signal?.aborted)
    return abortedError(call.signal, '[webtasks:llm-anthropic] The Anthropic model call');
  if (error instanceof RetriesExhausted) return unavailable(error, call);
  if (!(error instanceof APIError) || error.status === undefined) {
    return new WebtasksError({
      code: 'model-error',
      message: `${PREFIX} The Anthropic call failed: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  const details = { status: error.status, type: error.type, requestId: error.requestID ?? undefined };
  const apiMessage = error.apiMessage ?? error.message;
  const said = `(${error.status} ${error.type ?? 'error'}: ${apiMessage})`;
  if (error.status === 401) {
    return new WebtasksError({
      code: 'model-auth',
      message: `${PREFIX} Anthropic rejected the API key ${said}. Check ANTHROPIC_API_KEY / the \`apiKey\` option.`,
      cause: error,
      details,
    });
  }
  if (error.status === 403) {
    return new WebtasksError({
      code: 'model-auth',
      message: `${PREFIX} The API key may not use model "${call.modelId}" ${said}. Use a key with access to it, or change the \`models\` option.`,
      cause: error,
      details,
    });
  }
  if (error.status === 404) {
    const setting =
      call.requested === call.modelId ? 'the model id you pass' : `\`models.${call.requested}\``;
    return new WebtasksError({
      code: 'model-not-found',
      message: `${PREFIX} Anthropic does not know model "${call.modelId}" ${said}. Fix ${setting}: the \`models\` option maps haiku/sonnet/opus to model ids your key can use.`,
      cause: error,
      details,
    });
  }
  return new WebtasksError({
    code: 'model-error',
    message: `${PREFIX} Anthropic rejected the request for model "${call.modelId}" ${said}.`,
    cause: error,
    details,
  });
}

function unavailable(exhausted: RetriesExhausted, call: FailedCall): WebtasksError {
  const last = exhausted.lastError;
  const reason =
    last instanceof APIError && last.status !== undefined
      ? `${last.status} ${last.type ?? 'error'}: ${last.apiMessage ?? last.message}`
      : last instanceof Error
        ? last.message
        : String(last);
  const waited =
    exhausted.reason === 'retry-after'
      ? `; it asked to retry after ${Math.ceil((exhausted.retryAfterMs ?? 0) / 1000)} s, longer than \`retry.maxDelayMs\``
      : '';
  return new WebtasksError({
    code: 'model-unavailable',
    message: `${PREFIX} Anthropic is unavailable for model "${call.modelId}" after ${exhausted.attempts} attempt(s) (${reason})${waited}. Try again later, or raise \`maxRetries\`.`,
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
