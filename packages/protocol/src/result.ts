import { z } from 'zod';
import { TASK_ERROR_CODES } from './error-codes.js';

/** `pending` (accepted, queued) → `started` (executing) → `completed`. */
export const TaskStatusSchema = z.enum(['pending', 'started', 'completed']);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const TaskOutcomeSchema = z.enum(['success', 'failed']);
export type TaskOutcome = z.infer<typeof TaskOutcomeSchema>;

export const ReuseInfoSchema = z.object({
  key: z.string(),
  /** Saved code ran (possibly after a repair). */
  used: z.boolean(),
  /** This run created the first version of the bundle. */
  created: z.boolean(),
  /** This run saved a new version. */
  updated: z.boolean(),
  /**
   * Where the request differed from what the saved code was written for (another task text,
   * another outputSchema) and what the engine did about it, and warnings such as an empty list nothing could vouch
   * for or a repair saved for review.
   */
  notes: z.array(z.string()).optional(),
});
export type ReuseInfo = z.infer<typeof ReuseInfoSchema>;

export const CostSchema = z.object({
  aiUsd: z.number().nonnegative(),
  compute: z.object({ unit: z.literal('hours'), amount: z.number().nonnegative() }),
});
export type Cost = z.infer<typeof CostSchema>;

export const FileRefSchema = z.object({
  url: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  expiresAt: z.string(),
});
export type ResultFile = z.infer<typeof FileRefSchema>;

export const InlineResultSchema = z.object({ type: z.literal('inline'), data: z.unknown() });
export const FileResultSchema = z.object({
  type: z.literal('file'),
  file: FileRefSchema,
  preview: z.object({ rowCount: z.number().int().nonnegative(), sample: z.array(z.unknown()) }).optional(),
});
export const TaskResultPayloadSchema = z.discriminatedUnion('type', [InlineResultSchema, FileResultSchema]);
export type TaskResultPayload = z.infer<typeof TaskResultPayloadSchema>;

/** One of the errors behind a failed task, in the order they happened. */
export const TaskErrorCauseSchema = z.object({
  /** `saved-run` (the saved code ran and failed) or `repair` (why the repair failed or was not tried). */
  stage: z.string(),
  /** The engine's error code (`policy-denied`, `site-unreachable`, `model-not-configured`, …). */
  code: z.string(),
  message: z.string(),
});

export const TaskErrorSchema = z.object({
  code: z.enum(TASK_ERROR_CODES),
  /** The real cause first, then what it led to. */
  message: z.string(),
  /** Every error behind this one when there was more than one (the saved run's and the repair's). */
  causes: z.array(TaskErrorCauseSchema).optional(),
});
export type TaskError = z.infer<typeof TaskErrorSchema>;

const base = { webTaskId: z.string(), reuse: ReuseInfoSchema };

export const PendingResultSchema = z.object({ ...base, status: z.literal('pending') });
export const StartedResultSchema = z.object({ ...base, status: z.literal('started') });
export const SuccessResultSchema = z.object({
  ...base,
  status: z.literal('completed'),
  outcome: z.literal('success'),
  result: TaskResultPayloadSchema,
  cost: CostSchema,
});
export const FailedResultSchema = z.object({
  ...base,
  status: z.literal('completed'),
  outcome: z.literal('failed'),
  error: TaskErrorSchema,
  cost: CostSchema,
});

/** The object `GET …/result` answers with, in every state. */
export const WebTaskResultSchema = z.union([
  PendingResultSchema,
  StartedResultSchema,
  SuccessResultSchema,
  FailedResultSchema,
]);
export type WebTaskResult = z.infer<typeof WebTaskResultSchema>;
export type CompletedWebTaskResult = z.infer<typeof SuccessResultSchema> | z.infer<typeof FailedResultSchema>;

/** An HTTP error body. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
