/**
 * Error codes a completed, failed web task can carry (SPEC §3), plus the request-level
 * codes the HTTP API answers with. One map, so every layer speaks the same words.
 */
export const TASK_ERROR_CODES = [
  'workspace-rate-limited',
  'unauthenticated',
  'no-ai-credits-left',
  'timeout',
  'rejected',
  'internal-error',
  'canceled',
] as const;

/** Codes of a failed outcome. `canceled`: someone canceled the task before it finished. */
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[number];

/** Codes the HTTP layer answers with before a task exists. */
export const REQUEST_ERROR_CODES = [
  'invalid-request',
  'unauthenticated',
  'not-found',
  'workspace-rate-limited',
  'payload-too-large',
  'forbidden',
  'conflict',
  'internal-error',
  // 503 with `retry-after`: a store or queue the server depends on is briefly unreachable.
  'unavailable',
] as const;

/** Codes of an HTTP error response. */
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];
