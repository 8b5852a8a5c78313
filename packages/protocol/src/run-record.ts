import { z } from 'zod';

/**
 * The run record of a task: everything a run left to look at (phases, attempts with their
 * evidence, logs, model calls, agent steps, output statistics, artifacts, webhook deliveries
 * and the events for replay). Served by `GET /{ws}/web-tasks/{id}/record`.
 */

/** An object in the blob store that belongs to a run. */
export const RunArtifactSchema = z.object({
  /** Blob key, under `<workspaceId>/runs/<webTaskId>/`. */
  key: z.string(),
  kind: z.enum(['screenshot', 'html', 'trace']),
  contentType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** In HTTP answers: a signed URL that serves the artifact until `expiresAt` (no API key needed). */
  url: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type RunArtifact = z.infer<typeof RunArtifactSchema>;

/** One phase: `loading`, `running saved v3`, `repairing 1/3`, `exploring 2/3`, `saving`. */
export const RunPhaseSchema = z.object({
  phase: z.string(),
  /** Words for people: `running saved v3`, `exploring 2/3`. */
  label: z.string(),
  /** ISO timestamp when the phase began. */
  at: z.string(),
});
export type RunPhase = z.infer<typeof RunPhaseSchema>;

/** One run of code (saved or a candidate) and how it ended. */
export const RunAttemptSchema = z.object({
  kind: z.enum(['saved', 'candidate']),
  mode: z.enum(['explore', 'repair']).optional(),
  attempt: z.number().int().optional(),
  of: z.number().int().optional(),
  /** For saved runs: the version that ran. */
  bundleVersion: z.number().int().optional(),
  at: z.string(),
  ok: z.boolean(),
  /** Why it failed: `threw`, `timeout`, `invalid-output`, `drift`, `compile-error`, … */
  error: z.object({ kind: z.string(), message: z.string(), stack: z.string().optional() }).optional(),
  /** What the agent was shown: page URL, last log lines, output sample. */
  evidence: z
    .object({
      pageUrl: z.string().optional(),
      logs: z.array(z.string()).optional(),
      outputSample: z.unknown().optional(),
    })
    .optional(),
  /** Keys of the screenshot and HTML of the page at the failure (in `artifacts`). */
  artifactKeys: z.array(z.string()).optional(),
});
export type RunAttempt = z.infer<typeof RunAttemptSchema>;

export const RunLogLineSchema = z.object({
  at: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
});
export type RunLogLine = z.infer<typeof RunLogLineSchema>;

/** Logs, bounded to the last 1,000 lines and 256 KiB; `truncated` says when lines were cut. */
export const RunLogsSchema = z.object({
  lines: z.array(RunLogLineSchema),
  /** Bytes of the kept lines' messages. */
  bytes: z.number().int().nonnegative(),
  /** Lines dropped from the start to stay within the bounds. */
  droppedLines: z.number().int().nonnegative(),
  truncated: z.boolean(),
});
export type RunLogs = z.infer<typeof RunLogsSchema>;

export const RunModelCallSchema = z.object({
  at: z.string(),
  modelId: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
  usd: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  stopReason: z.string(),
});
export type RunModelCall = z.infer<typeof RunModelCallSchema>;

export const RunAgentStepSchema = z.object({
  at: z.string(),
  turn: z.number().int(),
  tool: z.string(),
  /** Short summary of the tool's input (a URL, a ref, the first line of code). */
  input: z.string(),
  /** Short summary of what came back. */
  result: z.string(),
  isError: z.boolean(),
});
export type RunAgentStep = z.infer<typeof RunAgentStepSchema>;

/** Shape statistics of the output (never the data). */
export const RunOutputStatsSchema = z.object({
  type: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  rowCount: z.number().int().nonnegative().optional(),
  fields: z.array(z.string()).optional(),
});
export type RunOutputStats = z.infer<typeof RunOutputStatsSchema>;

/** One webhook delivery attempt. */
export const RunWebhookDeliverySchema = z.object({
  /** ISO time the attempt began. */
  at: z.string(),
  attempt: z.number().int().positive(),
  /** The receiver's HTTP status. */
  status: z.number().int().optional(),
  /** Why no status came back (refused by the egress policy, timeout, connection error). */
  error: z.string().optional(),
  durationMs: z.number().nonnegative(),
  ok: z.boolean(),
});
export type RunWebhookDelivery = z.infer<typeof RunWebhookDeliverySchema>;

/**
 * The webhook of a run: written when the task is accepted, then after each delivery attempt.
 * It is owed while neither `delivered` nor `gaveUp` is true; workers deliver it once the task
 * completed and `nextAttemptAt` (absent: at once) has passed.
 */
export const RunWebhookSchema = z.object({
  url: z.string(),
  /** Every attempt, oldest first. */
  deliveries: z.array(RunWebhookDeliverySchema),
  delivered: z.boolean(),
  /** ISO time of the next attempt after a failed one. */
  nextAttemptAt: z.string().optional(),
  /** True once the retry period ended without a 2xx answer. */
  gaveUp: z.boolean().optional(),
});
export type RunWebhook = z.infer<typeof RunWebhookSchema>;

/** One replay of a candidate by the promotion gate. */
export const RunReplaySchema = z.object({
  at: z.string(),
  /** The parameters of the earlier successful run it replayed. */
  params: z.record(z.string(), z.unknown()),
  ok: z.boolean(),
  message: z.string(),
});
export type RunReplay = z.infer<typeof RunReplaySchema>;

/** A live event as stored for replay, numbered in the order it happened. */
export const RunEventEntrySchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  /** A task event (`type`: status, phase, attempt, agent-step, run-result, log, cost, model-call, saved). */
  event: z.looseObject({ type: z.string() }),
});
export type RunEventEntry = z.infer<typeof RunEventEntrySchema>;

export const RunRecordSchema = z.object({
  webTaskId: z.string(),
  workspaceId: z.string(),
  /** Worker deliveries that contributed (a crash and redelivery appends). */
  deliveries: z.number().int().nonnegative(),
  /** True once the worker wrote the record for the last time. */
  finished: z.boolean().optional(),
  phases: z.array(RunPhaseSchema),
  attempts: z.array(RunAttemptSchema),
  /** The bundle version whose code produced the result, or that ran last. */
  bundleVersion: z.number().int().optional(),
  /** The version this run saved. */
  savedVersion: z.number().int().optional(),
  logs: RunLogsSchema,
  modelCalls: z.array(RunModelCallSchema),
  agentSteps: z.array(RunAgentStepSchema),
  /** Runs of candidates with the parameters of earlier successful runs (the promotion gate). */
  replays: z.array(RunReplaySchema).optional(),
  output: RunOutputStatsSchema.optional(),
  /** Every blob the run stored for inspection; deleted with the run. */
  artifacts: z.array(RunArtifactSchema),
  webhook: RunWebhookSchema.optional(),
  /** Events for replay, oldest first; `eventsDropped` counts those cut to bound the record. */
  events: z.array(RunEventEntrySchema),
  eventsDropped: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
