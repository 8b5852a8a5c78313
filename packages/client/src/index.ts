export type {
  CompletedWebTaskResult,
  Cost,
  ErrorBody,
  ResultFile,
  ReuseInfo,
  StartRequest,
  StartResponse,
  TaskError,
  TaskResultPayload,
  TaskStatus,
  WebTaskResult,
} from '@webtasks/protocol';
export type { BackoffOptions } from './backoff.js';
export { WebTasksClient, type WebTasksClientOptions } from './client.js';
export { WebTasksApiError, WebTasksConnectionError, WebTasksTimeoutError } from './errors.js';
export { MAX_WAIT_HEADER, type ResultOptions, type RunOptions, WebTasks } from './web-tasks.js';
