/**
 * The run record types are wire types (served over HTTP, read by the SDK), so they live in
 * `@webtasks/protocol`; the TaskStore port stores them as they are.
 */
export type {
  RunAgentStep,
  RunArtifact,
  RunAttempt,
  RunEventEntry,
  RunLogLine,
  RunLogs,
  RunModelCall,
  RunOutputStats,
  RunPhase,
  RunRecord,
  RunWebhook,
  RunWebhookDelivery,
} from '@webtasks/protocol';
