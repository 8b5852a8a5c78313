import { WebTasksError } from '@webtasks/core';
import type { ErrorBody, RequestErrorCode } from '@webtasks/protocol';
import type { z } from 'zod';

/** An error the HTTP layer answers with as `{ error: { code, message, details } }`. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: RequestErrorCode;
  readonly details: unknown;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers: Record<string, string>;

  constructor(options: {
    statusCode: number;
    code: RequestErrorCode;
    message: string;
    details?: unknown;
    headers?: Record<string, string>;
  }) {
    super(options.message);
    this.name = 'HttpError';
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  /** The JSON body of this error. */
  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

const INTERNAL_MESSAGE =
  'The server failed to handle this request. Try again; if it keeps failing, report it with the x-request-id response header.';

/** Seconds a rate-limited caller is told to wait before retrying. */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 5;

/** Seconds a caller is told to wait when a store or the queue is briefly unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/**
 * A failure of the infrastructure that may pass by itself (the database restarting, Redis
 * unreachable): 503 with `retry-after`, never a 500.
 */
function isTransient(error: { code: string; retryable: boolean }): boolean {
  return error.retryable && ['storage-error', 'lock-timeout', 'aborted'].includes(error.code);
}

/** What the server says for each engine error code that is the caller's to fix. */
const ENGINE_STATUS: Partial<Record<string, { statusCode: number; code: RequestErrorCode }>> = {
  'invalid-request': { statusCode: 400, code: 'invalid-request' },
  'workspace-rate-limited': { statusCode: 429, code: 'workspace-rate-limited' },
  'not-found': { statusCode: 404, code: 'not-found' },
  unauthenticated: { statusCode: 401, code: 'unauthenticated' },
  conflict: { statusCode: 409, code: 'conflict' },
};

/** Messages for Fastify's own request errors, rewritten to say what to do. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE:
    'Unsupported content-type: send the body as JSON with "content-type: application/json".',
  FST_ERR_CTP_EMPTY_JSON_BODY:
    'The body is empty but content-type is application/json: send a JSON object such as {"task": "..."}.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON: send a JSON object such as {"task": "..."}.',
  FST_ERR_CTP_BODY_TOO_LARGE:
    'The request body is too large: keep it under the server limit (parameters and outputSchema included).',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH:
    'The body length does not match the content-length header: send the header the body has.',
  FST_ERR_BAD_URL:
    'The URL is malformed (bad percent-encoding?): encode path segments with encodeURIComponent.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment is too long: check the workspace id and task id.',
};

function codeForStatus(statusCode: number): RequestErrorCode {
  switch (statusCode) {
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
    case 405:
      return 'not-found';
    case 413:
      return 'payload-too-large';
    case 429:
      return 'workspace-rate-limited';
    default:
      return 'invalid-request';
  }
}

/**
 * Turn anything thrown while handling a request into an `HttpError`. Engine errors keep their
 * meaning (SPEC §4); Fastify's 4xx errors (bad JSON, body too large, bad URL) stay 4xx; every
 * other error becomes a 500 `internal-error` whose message leaks nothing about the cause.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (WebTasksError.isInstance(error)) {
    const mapped = ENGINE_STATUS[error.code];
    if (mapped === undefined && isTransient(error)) {
      return new HttpError({
        statusCode: 503,
        code: 'unavailable',
        message: `The server's task store or queue is briefly unreachable: retry after ${UNAVAILABLE_RETRY_AFTER_SECONDS} s.`,
        headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      });
    }
    if (mapped === undefined) return internalError();
    return new HttpError({
      ...mapped,
      message: error.message,
      details: error.details,
      headers: mapped.statusCode === 429 ? { 'retry-after': String(RATE_LIMIT_RETRY_AFTER_SECONDS) } : {},
    });
  }
  const fastifyError = error as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  const statusCode = typeof fastifyError?.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (statusCode >= 400 && statusCode < 500) {
    const fastifyCode = typeof fastifyError?.code === 'string' ? fastifyError.code : '';
    const message =
      FASTIFY_MESSAGES[fastifyCode] ??
      (typeof fastifyError?.message === 'string' && fastifyError.message !== ''
        ? fastifyError.message
        : 'The request is invalid.');
    return new HttpError({ statusCode, code: codeForStatus(statusCode), message });
  }
  return internalError();
}

function internalError(): HttpError {
  return new HttpError({ statusCode: 500, code: 'internal-error', message: INTERNAL_MESSAGE });
}

/** One zod issue as sent in `details`. */
export interface IssueDetail {
  path: (string | number)[];
  code: string;
  message: string;
}

const MAX_ISSUES = 20;

/** A 400 `invalid-request` listing zod's issues, with a message that says what to fix. */
export function invalidRequestFromZod(error: z.ZodError, what: string): HttpError {
  const details: IssueDetail[] = error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    code: issue.code,
    message: issue.message,
  }));
  const summary = details
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more in details)` : '';
  return new HttpError({
    statusCode: 400,
    code: 'invalid-request',
    message: `Invalid ${what}: ${summary}${more}. Fix these fields and send the request again.`,
    details,
  });
}

/** 404 for a task that does not exist in this workspace. */
export function taskNotFound(webTaskId: string): HttpError {
  const shown = webTaskId.length > 80 ? `${webTaskId.slice(0, 80)}…` : webTaskId;
  return new HttpError({
    statusCode: 404,
    code: 'not-found',
    message: `No web task ${JSON.stringify(shown)} in this workspace: check the webTaskId returned by start.`,
  });
}
