export type {
  BundleImport,
  BundleSummaryWire as BundleSummary,
  BundleWire as Bundle,
  CompletedWebTaskResult,
  Cost,
  DownloadedFile,
  ErrorBody,
  ResultFile,
  ReuseInfo,
  RunArtifact,
  RunAttempt,
  RunEventEntry,
  RunRecord,
  StartRequest,
  StartResponse,
  TaskError,
  TaskList,
  TaskListQuery,
  TaskResultPayload,
  TaskStatus,
  TaskSummary,
  WebTaskResult,
} from '@webtasks/protocol';
export { downloadedFilesIn } from '@webtasks/protocol';
export type { BackoffOptions } from './backoff.js';
export { Bundles } from './bundles.js';
export { WebTasksClient, type WebTasksClientOptions } from './client.js';
export { WebTasksApiError, WebTasksConnectionError, WebTasksTimeoutError } from './errors.js';
export type { EventsOptions, TaskStreamItem } from './event-stream.js';
export { Files } from './files.js';
export { AuthSessions, Secrets } from './secrets.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookHeaders,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './verify-webhook.js';
export { MAX_WAIT_HEADER, type ResultOptions, type RunOptions, WebTasks } from './web-tasks.js';
