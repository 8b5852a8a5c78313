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
] as const;

/** Codes of a failed outcome. */
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[number];

/** Codes the HTTP layer answers with before a task exists. */
export const REQUEST_ERROR_CODES = [
  'invalid-request',
  'unauthenticated',
  'not-found',
  'workspace-rate-limited',
  'payload-too-large',
  'forbidden',
  'internal-error',
] as const;

/** Codes of an HTTP error response. */
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];
