import { WebTasksError } from '../errors.js';

/** The error a store's `create` refuses with when a workspace has `maxPending` tasks waiting. */
export function queuedLimitError(maxPending: number, adapter?: string): WebTasksError {
  return new WebTasksError({
    code: 'workspace-rate-limited',
    message: `${adapter ? `[webtasks:${adapter}] ` : ''}This workspace already has ${maxPending} tasks waiting, its limit: wait for some to start, then try again (the limit is the engine setting maxQueuedPerWorkspace; WEBTASKS_MAX_QUEUED_PER_WORKSPACE on the server).`,
    retryable: true,
    details: { maxPending },
  });
}
